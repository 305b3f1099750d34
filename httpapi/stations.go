package httpapi

import (
	"net/http"
	"strconv"

	"github.com/lastmile-dev/lastmile"
)

func itoa(i int) string { return strconv.Itoa(i) }

// version returns the version an update is based on: If-Match, or the
// body's version.
func version(r *http.Request, body int64) (int64, error) {
	v, err := ifMatch(r, body)
	if err != nil {
		return 0, err
	}
	if v <= 0 {
		return 0, lastmile.Invalidf("version", "required: the version you read (or an If-Match header with its ETag)")
	}
	return v, nil
}

func (s *Server) createStation(w http.ResponseWriter, r *http.Request) error {
	var st lastmile.Station
	if err := decode(w, r, s.cfg.MaxBody, &st); err != nil {
		return err
	}
	st.ID = ""
	st.Normalize()
	if err := st.Validate(); err != nil {
		return err
	}
	if err := s.store.CreateStation(r.Context(), &st, change(r, "", nil)); err != nil {
		return err
	}
	etag(w, st.Version)
	return writeJSON(w, http.StatusCreated, &st)
}

func (s *Server) station(r *http.Request, id string) (*lastmile.Station, error) {
	if err := seeStation(r, id); err != nil {
		return nil, err
	}
	return s.store.Station(r.Context(), id)
}

func (s *Server) getStation(w http.ResponseWriter, r *http.Request) error {
	st, err := s.station(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	etag(w, st.Version)
	return writeJSON(w, http.StatusOK, st)
}

func (s *Server) listStations(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	out, next, err := s.store.ListStations(r.Context(), caller(r).StationScope(), p)
	if err != nil {
		return err
	}
	return writeList(w, out, next)
}

func (s *Server) updateStation(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.station(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	var st lastmile.Station
	if err := decode(w, r, s.cfg.MaxBody, &st); err != nil {
		return err
	}
	if st.Version, err = version(r, st.Version); err != nil {
		return err
	}
	st.ID, st.CreatedAt = cur.ID, cur.CreatedAt
	st.Normalize()
	if err := st.Validate(); err != nil {
		return err
	}
	if err := s.store.UpdateStation(r.Context(), &st, change(r, "", nil)); err != nil {
		return err
	}
	etag(w, st.Version)
	return writeJSON(w, http.StatusOK, &st)
}

// stationFor checks that a new fleet member or order names a station the
// caller may use and that exists.
func (s *Server) stationFor(r *http.Request, id string) (*lastmile.Station, error) {
	if id == "" {
		return nil, lastmile.Invalidf("station_id", "required")
	}
	if !caller(r).SeesStation(id) {
		return nil, lastmile.Errorf(lastmile.EForbidden, "station_id", "station %q is outside this key's scope", id)
	}
	st, err := s.store.Station(r.Context(), id)
	if lastmile.ErrorCode(err) == lastmile.ENotFound {
		return nil, lastmile.Invalidf("station_id", "no station %q", id)
	}
	return st, err
}

func (s *Server) createVehicle(w http.ResponseWriter, r *http.Request) error {
	var v lastmile.Vehicle
	if err := decode(w, r, s.cfg.MaxBody, &v); err != nil {
		return err
	}
	v.ID = ""
	v.Normalize()
	if err := v.Validate(); err != nil {
		return err
	}
	if _, err := s.stationFor(r, v.StationID); err != nil {
		return err
	}
	if err := s.deviceFree(r.Context(), v.DeviceID, ""); err != nil {
		return err
	}
	if err := s.store.CreateVehicle(r.Context(), &v, change(r, "", nil)); err != nil {
		return err
	}
	etag(w, v.Version)
	return writeJSON(w, http.StatusCreated, &v)
}

func (s *Server) getVehicle(w http.ResponseWriter, r *http.Request) error {
	v, err := s.store.Vehicle(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if err := seeStation(r, v.StationID); err != nil {
		return err
	}
	etag(w, v.Version)
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) listVehicles(w http.ResponseWriter, r *http.Request) error {
	f, err := fleetFilter(r)
	if err != nil {
		return err
	}
	out, next, err := s.store.ListVehicles(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, out, next)
}

func fleetFilter(r *http.Request) (lastmile.FleetFilter, error) {
	ids, err := stationScope(r)
	if err != nil {
		return lastmile.FleetFilter{}, err
	}
	p, err := page(r)
	return lastmile.FleetFilter{StationIDs: ids, Page: p}, err
}

func (s *Server) updateVehicle(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.store.Vehicle(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if err := seeStation(r, cur.StationID); err != nil {
		return err
	}
	var v lastmile.Vehicle
	if err := decode(w, r, s.cfg.MaxBody, &v); err != nil {
		return err
	}
	if v.Version, err = version(r, v.Version); err != nil {
		return err
	}
	v.ID, v.CreatedAt = cur.ID, cur.CreatedAt
	v.Normalize()
	if err := v.Validate(); err != nil {
		return err
	}
	if v.StationID != cur.StationID {
		if _, err := s.stationFor(r, v.StationID); err != nil {
			return err
		}
	}
	if err := s.deviceFree(r.Context(), v.DeviceID, v.ID); err != nil {
		return err
	}
	if err := s.store.UpdateVehicle(r.Context(), &v, change(r, "", nil)); err != nil {
		return err
	}
	s.vehicleChanged(v.ID)
	etag(w, v.Version)
	return writeJSON(w, http.StatusOK, &v)
}

func (s *Server) createDriver(w http.ResponseWriter, r *http.Request) error {
	var d lastmile.Driver
	if err := decode(w, r, s.cfg.MaxBody, &d); err != nil {
		return err
	}
	d.ID = ""
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	if _, err := s.stationFor(r, d.StationID); err != nil {
		return err
	}
	if err := s.store.CreateDriver(r.Context(), &d, change(r, "", nil)); err != nil {
		return err
	}
	etag(w, d.Version)
	return writeJSON(w, http.StatusCreated, &d)
}

func (s *Server) getDriver(w http.ResponseWriter, r *http.Request) error {
	d, err := s.store.Driver(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if err := seeStation(r, d.StationID); err != nil {
		return err
	}
	etag(w, d.Version)
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) listDrivers(w http.ResponseWriter, r *http.Request) error {
	f, err := fleetFilter(r)
	if err != nil {
		return err
	}
	out, next, err := s.store.ListDrivers(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, out, next)
}

func (s *Server) updateDriver(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.store.Driver(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if err := seeStation(r, cur.StationID); err != nil {
		return err
	}
	var d lastmile.Driver
	if err := decode(w, r, s.cfg.MaxBody, &d); err != nil {
		return err
	}
	if d.Version, err = version(r, d.Version); err != nil {
		return err
	}
	d.ID, d.CreatedAt = cur.ID, cur.CreatedAt
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	if d.StationID != cur.StationID {
		if _, err := s.stationFor(r, d.StationID); err != nil {
			return err
		}
	}
	if err := s.store.UpdateDriver(r.Context(), &d, change(r, "", nil)); err != nil {
		return err
	}
	etag(w, d.Version)
	return writeJSON(w, http.StatusOK, &d)
}
