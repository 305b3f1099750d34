package httpapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/vrp"
	"github.com/lastmile-dev/lastmile/vrp/vroomjson"
)

// optimize solves a problem given in VROOM's JSON and answers in VROOM's
// JSON. Missing matrices are filled by the server's travel source. The
// time limit is ?time_limit=SECONDS (default and cap: the server's).
func (s *Server) optimize(w http.ResponseWriter, r *http.Request) error {
	limit := s.cfg.OptimizeTimeLimit
	if v := r.URL.Query().Get("time_limit"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0) || f > 60 {
			return lastmile.Invalidf("time_limit", "%q is not a number of seconds in (0, 60]", v)
		}
		limit = min(limit, time.Duration(f*float64(time.Second)))
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	p, err := vroomjson.Decode(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody*8))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(mbe)
		}
		return vrpError(err)
	}
	s.metrics.planning.Inc()
	defer s.metrics.planning.Dec()
	t0 := time.Now()
	if err := vrp.ResolveTravel(r.Context(), p, s.cfg.Travel); err != nil {
		return vrpError(err)
	}
	loading := time.Since(t0)
	ctx, cancel := context.WithTimeout(r.Context(), limit)
	defer cancel()
	t1 := time.Now()
	sol, err := vrp.Solve(ctx, p, vrp.Options{Seed: 1, Threads: s.cfg.Threads})
	if err != nil {
		return vrpError(err)
	}
	sol.LoadingMS, sol.SolvingMS = loading.Milliseconds(), time.Since(t1).Milliseconds()
	s.metrics.planTime.WithLabelValues("optimize").Observe(time.Since(t0).Seconds())
	var buf bytes.Buffer
	if err := vroomjson.EncodeFor(&buf, p, sol); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// vrpError maps the optimizer's input errors to EInvalid with their field.
func vrpError(err error) error {
	var ie *vrp.InputError
	if errors.As(err, &ie) {
		return &lastmile.Error{Code: lastmile.EInvalid, Field: ie.Field, Message: ie.Msg, Err: err}
	}
	return err
}
