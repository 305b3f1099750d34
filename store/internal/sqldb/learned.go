package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/lastmile-dev/lastmile"
)

var _ lastmile.LearnedStore = (*DB)(nil)

// LearnedValues returns every learned value, by station, kind and key.
func (s *DB) LearnedValues(ctx context.Context) ([]lastmile.Learned, error) {
	rows, err := s.query(ctx, s.db, "SELECT station_id, kind, key, n, mean, updated_at FROM learned ORDER BY station_id, kind, key")
	if err != nil {
		return nil, s.wrap("learned values", err)
	}
	defer rows.Close()
	var out []lastmile.Learned
	for rows.Next() {
		var v lastmile.Learned
		var at int64
		if err := rows.Scan(&v.StationID, &v.Kind, &v.Key, &v.N, &v.Mean, &at); err != nil {
			return nil, s.wrap("learned values", err)
		}
		v.UpdatedAt = time.UnixMicro(at).UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("learned values", err)
	}
	return out, nil
}

// PutLearned stores values, replacing those of the same station, kind and
// key, in one transaction.
func (s *DB) PutLearned(ctx context.Context, vs []lastmile.Learned) error {
	if len(vs) == 0 {
		return nil
	}
	now := s.now().UTC()
	for _, v := range vs {
		if v.StationID == "" || v.Kind == "" || v.Key == "" {
			return lastmile.Invalidf("learned", "station, kind and key are required: %+v", v)
		}
	}
	return s.tx(ctx, "put learned", func(tx *sql.Tx) error {
		for _, v := range vs {
			at := v.UpdatedAt
			if at.IsZero() {
				at = now
			}
			if _, err := s.exec(ctx, tx, `INSERT INTO learned (station_id, kind, key, n, mean, updated_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (station_id, kind, key) DO UPDATE SET n = excluded.n, mean = excluded.mean, updated_at = excluded.updated_at`,
				v.StationID, v.Kind, v.Key, v.N, v.Mean, micros(at)); err != nil {
				return err
			}
		}
		return nil
	})
}
