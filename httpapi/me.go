package httpapi

import (
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// myRoutesView is GET /v1/me/routes: the routes of the calling driver on
// one day, for the driver app to pick its manifest.
type myRoutesView struct {
	Driver    myDriver  `json:"driver"`
	StationID string    `json:"station_id"`
	Date      string    `json:"date"`
	Routes    []myRoute `json:"routes"`
}

type myDriver struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// myRoute is one route of a published plan driven by the caller.
type myRoute struct {
	RouteID     string     `json:"route_id"`
	PlanID      string     `json:"plan_id"`
	Date        string     `json:"date"`
	VehicleID   string     `json:"vehicle_id"`
	VehicleName string     `json:"vehicle_name,omitempty"`
	Stops       int        `json:"stops"`
	Start       time.Time  `json:"start"`
	End         time.Time  `json:"end"`
	DistanceM   int64      `json:"distance_m"`
	Dispatched  *time.Time `json:"dispatched_at,omitempty"`
}

var driverOnly = []string{lastmile.RoleDriver}

// myRoutes lists the driver's routes in the station's published plans of
// a date (YYYY-MM-DD, default today in the station's time zone).
func (s *Server) myRoutes(w http.ResponseWriter, r *http.Request) error {
	k := caller(r)
	d, err := s.store.Driver(r.Context(), k.DriverID)
	if err != nil {
		if lastmile.ErrorCode(err) == lastmile.ENotFound {
			return lastmile.Errorf(lastmile.ENotFound, "", "the driver of this key no longer exists")
		}
		return err
	}
	st, err := s.store.Station(r.Context(), d.StationID)
	if err != nil {
		return err
	}
	date := r.URL.Query().Get("date")
	if date == "" {
		date = s.now().In(st.Loc()).Format(lastmile.DateLayout)
	} else if _, err := time.Parse(lastmile.DateLayout, date); err != nil {
		return lastmile.Invalidf("date", "%q is not a date YYYY-MM-DD", date)
	}
	out := myRoutesView{Driver: myDriver{ID: d.ID, Name: d.Name}, StationID: st.ID, Date: date, Routes: []myRoute{}}
	cursor := ""
	vehicles := map[string]string{}
	for {
		ps, next, err := s.store.ListPlans(r.Context(), lastmile.PlanFilter{StationIDs: []string{st.ID}, Date: date,
			Status: lastmile.PlanPublished, Page: lastmile.Page{Limit: lastmile.MaxLimit, Cursor: cursor}})
		if err != nil {
			return err
		}
		for _, p := range ps {
			for _, rt := range p.Routes {
				if rt.DriverID != d.ID {
					continue
				}
				mr := myRoute{RouteID: rt.ID, PlanID: p.ID, Date: p.Date, VehicleID: rt.VehicleID, Start: rt.Start, End: rt.End,
					DistanceM: rt.DistanceM, Dispatched: rt.Dispatched}
				for _, stop := range rt.Stops {
					if stop.OrderID != "" {
						mr.Stops++
					}
				}
				name, ok := vehicles[rt.VehicleID]
				if !ok {
					if v, err := s.store.Vehicle(r.Context(), rt.VehicleID); err == nil {
						name = v.Name
					} else if lastmile.ErrorCode(err) != lastmile.ENotFound {
						return err
					}
					vehicles[rt.VehicleID] = name
				}
				mr.VehicleName = name
				out.Routes = append(out.Routes, mr)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}
