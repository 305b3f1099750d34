package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lastmile-dev/lastmile"
)

type metrics struct {
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	planning prometheus.Gauge
	planTime *prometheus.HistogramVec
	imported *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lastmile_http_request_duration_seconds", Help: "HTTP request latency by route and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "lastmile_http_requests_in_flight", Help: "Requests being served (the request queue depth)."}),
		planning: prometheus.NewGauge(prometheus.GaugeOpts{Name: "lastmile_optimizations_in_flight", Help: "Plans and optimizations running (the optimizer queue depth)."}),
		planTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lastmile_optimize_duration_seconds", Help: "Time to build and solve a plan or an optimization request.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2, 5, 10, 30, 60},
		}, []string{"kind"}),
		imported: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lastmile_orders_imported_total", Help: "Orders stored by imports and creations, and rows rejected."}, []string{"result"}),
	}
	reg.MustRegister(m.latency, m.inFlight, m.planning, m.planTime, m.imported,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe measures latency per route and recovers from panics with a 500.
func (s *Server) observe(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		s.metrics.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.metrics.inFlight.Dec()
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					s.writeError(sw, r, lastmile.Errorf(lastmile.EInternal, "", "internal error"))
				}
			}
			d := time.Since(t0)
			s.metrics.latency.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Observe(d.Seconds())
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("method", r.Method), slog.String("route", route),
				slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Duration("duration", d))
		}()
		next.ServeHTTP(sw, r)
	})
}

// recorder buffers a response to store it for replays.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

// requestIDKey holds, in a request's context, the identity of a request
// made with an Idempotency-Key (a hash of the caller, the key and the
// request), the same on every retry.
type requestIDKey struct{}

// requestID returns the request's idempotent identity, or "".
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// idempotent replays the stored response of a POST retried with the same
// Idempotency-Key by the same API key, and refuses the key reused for a
// different request. Retries of one key are serialised in this process;
// across servers the store's unique key makes the first response win.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 200 {
			s.writeError(w, r, lastmile.Invalidf("Idempotency-Key", "longer than 200 characters"))
			return
		}
		owner := caller(r).ID
		limit := s.cfg.MaxBody * 8
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			s.writeError(w, r, jsonError(err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		fp := r.Method + " " + r.URL.RequestURI() + " " + hex.EncodeToString(sum[:])

		mu, _ := s.idem.LoadOrStore(owner+"\x00"+key, &sync.Mutex{})
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()

		prev, err := s.store.Idempotent(r.Context(), owner, key)
		switch {
		case err == nil:
			if prev.Fingerprint != fp {
				s.writeError(w, r, lastmile.Errorf(lastmile.EConflict, "Idempotency-Key", "this key was used for a different request"))
				return
			}
			w.Header().Set("Content-Type", prev.ContentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.Status)
			w.Write(prev.Body)
			return
		case lastmile.ErrorCode(err) != lastmile.ENotFound:
			s.writeError(w, r, err)
			return
		}
		rec := &recorder{ResponseWriter: w}
		rid := sha256.Sum256([]byte(owner + "\x00" + key + "\x00" + fp))
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, hex.EncodeToString(rid[:]))))
		if rec.status >= 500 || rec.status == 0 {
			return // a server fault may be retried for real
		}
		err = s.store.PutIdempotent(r.Context(), &lastmile.Idempotent{Owner: owner, Key: key, Fingerprint: fp,
			Status: rec.status, ContentType: rec.Header().Get("Content-Type"), Body: rec.buf.Bytes()})
		if err != nil && lastmile.ErrorCode(err) != lastmile.EConflict {
			s.log.Warn("idempotency record not stored", "err", err)
		}
	})
}
