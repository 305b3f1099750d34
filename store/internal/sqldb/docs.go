package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/lastmile-dev/lastmile"
)

// col is an indexed column stored beside a document.
type col struct {
	name string
	val  any
}

// insertDoc inserts a document row: id, version, the extra columns, data.
func (s *DB) insertDoc(ctx context.Context, tx *sql.Tx, table, id string, version int64, v any, extra ...col) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	names := []string{"id", "version", "data"}
	args := []any{id, version, string(data)}
	for _, c := range extra {
		names = append(names, c.name)
		args = append(args, c.val)
	}
	_, err = s.exec(ctx, tx, "INSERT INTO "+table+" ("+strings.Join(names, ", ")+") VALUES ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")+")", args...)
	return err
}

// updateDoc replaces a document when its stored version is version, and
// increments the version. It fails with EConflict on a stale version and
// ENotFound when the row does not exist.
func (s *DB) updateDoc(ctx context.Context, tx *sql.Tx, table, kind, id string, version int64, v any, extra ...col) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	set := []string{"version = version + 1", "data = ?"}
	args := []any{string(data)}
	for _, c := range extra {
		set = append(set, c.name+" = ?")
		args = append(args, c.val)
	}
	args = append(args, id, version)
	res, err := s.exec(ctx, tx, "UPDATE "+table+" SET "+strings.Join(set, ", ")+" WHERE id = ? AND version = ?", args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var cur int64
	err = tx.QueryRowContext(ctx, s.rebind("SELECT version FROM "+table+" WHERE id = ?"), id).Scan(&cur)
	if err == sql.ErrNoRows {
		return notFound(kind, id)
	}
	if err != nil {
		return err
	}
	return conflict(kind, id, version)
}

// Stations.

var _ lastmile.StationStore = (*DB)(nil)

func setStation(v *lastmile.Station, ver int64) { v.Version = ver }

// CreateStation stores a new station.
func (s *DB) CreateStation(ctx context.Context, st *lastmile.Station, c lastmile.Change) error {
	now := s.now().UTC()
	if st.ID == "" {
		st.ID = lastmile.NewID("st", now)
	}
	st.Version, st.CreatedAt, st.UpdatedAt = 1, now, now
	return s.tx(ctx, "create station", func(tx *sql.Tx) error {
		if err := s.insertDoc(ctx, tx, "stations", st.ID, 1, st); err != nil {
			return err
		}
		return s.event(ctx, tx, now, c, st.ID, "station", st.ID, "created", "")
	})
}

// Station returns a station.
func (s *DB) Station(ctx context.Context, id string) (*lastmile.Station, error) {
	st, err := one(ctx, s, s.db, "station", id, "SELECT id, version, data FROM stations WHERE id = ?", []any{id}, setStation)
	if err != nil {
		return nil, s.wrap("get station", err)
	}
	return st, nil
}

// ListStations lists stations by id.
func (s *DB) ListStations(ctx context.Context, ids []string, p lastmile.Page) ([]*lastmile.Station, string, error) {
	var where []string
	var args []any
	if ids != nil {
		w, a := in("id", ids)
		where, args = append(where, w), append(args, a...)
	}
	tail, args := pageQuery(where, args, p)
	rows, err := s.query(ctx, s.db, "SELECT id, version, data FROM stations"+tail, args...)
	if err != nil {
		return nil, "", s.wrap("list stations", err)
	}
	out, next, err := docs(rows, p.N(), setStation)
	if err != nil {
		return nil, "", s.wrap("list stations", err)
	}
	return out, next, nil
}

// UpdateStation replaces a station at its version.
func (s *DB) UpdateStation(ctx context.Context, st *lastmile.Station, c lastmile.Change) error {
	now := s.now().UTC()
	return s.tx(ctx, "update station", func(tx *sql.Tx) error {
		cp := *st
		cp.Version, cp.UpdatedAt = st.Version+1, now
		if err := s.updateDoc(ctx, tx, "stations", "station", st.ID, st.Version, &cp); err != nil {
			return err
		}
		if err := s.event(ctx, tx, now, c, st.ID, "station", st.ID, "updated", ""); err != nil {
			return err
		}
		*st = cp
		return nil
	})
}

// Vehicles and drivers.

var _ lastmile.FleetStore = (*DB)(nil)

func setVehicle(v *lastmile.Vehicle, ver int64) { v.Version = ver }
func setDriver(v *lastmile.Driver, ver int64)   { v.Version = ver }

// CreateVehicle stores a new vehicle.
func (s *DB) CreateVehicle(ctx context.Context, v *lastmile.Vehicle, c lastmile.Change) error {
	now := s.now().UTC()
	if v.ID == "" {
		v.ID = lastmile.NewID("veh", now)
	}
	v.Version, v.CreatedAt, v.UpdatedAt = 1, now, now
	return s.tx(ctx, "create vehicle", func(tx *sql.Tx) error {
		if err := s.insertDoc(ctx, tx, "vehicles", v.ID, 1, v, col{"station_id", v.StationID}); err != nil {
			return err
		}
		return s.event(ctx, tx, now, c, v.StationID, "vehicle", v.ID, "created", "")
	})
}

// Vehicle returns a vehicle.
func (s *DB) Vehicle(ctx context.Context, id string) (*lastmile.Vehicle, error) {
	v, err := one(ctx, s, s.db, "vehicle", id, "SELECT id, version, data FROM vehicles WHERE id = ?", []any{id}, setVehicle)
	if err != nil {
		return nil, s.wrap("get vehicle", err)
	}
	return v, nil
}

func fleetWhere(f lastmile.FleetFilter) (string, []any) {
	var where []string
	var args []any
	if f.StationIDs != nil {
		w, a := in("station_id", f.StationIDs)
		where, args = append(where, w), append(args, a...)
	}
	return pageQuery(where, args, f.Page)
}

// ListVehicles lists vehicles.
func (s *DB) ListVehicles(ctx context.Context, f lastmile.FleetFilter) ([]*lastmile.Vehicle, string, error) {
	tail, args := fleetWhere(f)
	rows, err := s.query(ctx, s.db, "SELECT id, version, data FROM vehicles"+tail, args...)
	if err != nil {
		return nil, "", s.wrap("list vehicles", err)
	}
	out, next, err := docs(rows, f.N(), setVehicle)
	if err != nil {
		return nil, "", s.wrap("list vehicles", err)
	}
	return out, next, nil
}

// UpdateVehicle replaces a vehicle at its version.
func (s *DB) UpdateVehicle(ctx context.Context, v *lastmile.Vehicle, c lastmile.Change) error {
	now := s.now().UTC()
	return s.tx(ctx, "update vehicle", func(tx *sql.Tx) error {
		cp := *v
		cp.Version, cp.UpdatedAt = v.Version+1, now
		if err := s.updateDoc(ctx, tx, "vehicles", "vehicle", v.ID, v.Version, &cp, col{"station_id", v.StationID}); err != nil {
			return err
		}
		if err := s.event(ctx, tx, now, c, v.StationID, "vehicle", v.ID, "updated", ""); err != nil {
			return err
		}
		*v = cp
		return nil
	})
}

// CreateDriver stores a new driver.
func (s *DB) CreateDriver(ctx context.Context, d *lastmile.Driver, c lastmile.Change) error {
	now := s.now().UTC()
	if d.ID == "" {
		d.ID = lastmile.NewID("drv", now)
	}
	d.Version, d.CreatedAt, d.UpdatedAt = 1, now, now
	return s.tx(ctx, "create driver", func(tx *sql.Tx) error {
		if err := s.insertDoc(ctx, tx, "drivers", d.ID, 1, d, col{"station_id", d.StationID}); err != nil {
			return err
		}
		return s.event(ctx, tx, now, c, d.StationID, "driver", d.ID, "created", "")
	})
}

// Driver returns a driver.
func (s *DB) Driver(ctx context.Context, id string) (*lastmile.Driver, error) {
	d, err := one(ctx, s, s.db, "driver", id, "SELECT id, version, data FROM drivers WHERE id = ?", []any{id}, setDriver)
	if err != nil {
		return nil, s.wrap("get driver", err)
	}
	return d, nil
}

// ListDrivers lists drivers.
func (s *DB) ListDrivers(ctx context.Context, f lastmile.FleetFilter) ([]*lastmile.Driver, string, error) {
	tail, args := fleetWhere(f)
	rows, err := s.query(ctx, s.db, "SELECT id, version, data FROM drivers"+tail, args...)
	if err != nil {
		return nil, "", s.wrap("list drivers", err)
	}
	out, next, err := docs(rows, f.N(), setDriver)
	if err != nil {
		return nil, "", s.wrap("list drivers", err)
	}
	return out, next, nil
}

// UpdateDriver replaces a driver at its version.
func (s *DB) UpdateDriver(ctx context.Context, d *lastmile.Driver, c lastmile.Change) error {
	now := s.now().UTC()
	return s.tx(ctx, "update driver", func(tx *sql.Tx) error {
		cp := *d
		cp.Version, cp.UpdatedAt = d.Version+1, now
		if err := s.updateDoc(ctx, tx, "drivers", "driver", d.ID, d.Version, &cp, col{"station_id", d.StationID}); err != nil {
			return err
		}
		if err := s.event(ctx, tx, now, c, d.StationID, "driver", d.ID, "updated", ""); err != nil {
			return err
		}
		*d = cp
		return nil
	})
}
