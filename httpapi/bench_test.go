package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/store/postgres"
)

func importRows(st string, n int) []byte {
	rows := make([]any, n)
	for i := range n {
		rows[i] = orderBody(st, fmt.Sprintf("BENCH-%06d", i), i)
	}
	b, _ := json.Marshal(rows)
	return b
}

func importCSV(st string, n int) string {
	var b strings.Builder
	b.WriteString("external_id,recipient_name,recipient_phone,address_line1,city,lat,lon,service_level,barcodes,weight_g,volume_cm3\n")
	for i := range n {
		fmt.Fprintf(&b, "CSV-%06d,Recipient %d,+377 93 15 00 00,%d boulevard,Monaco,%f,%f,same_day,BC-CSV-%06d,1200,3000\n",
			i, i, i, 43.728+float64(i%20)*0.0006, 7.412+float64(i%13)*0.0008, i)
	}
	return b.String()
}

// BenchmarkImport10000 imports 10,000 orders in one request (all or
// nothing) into a fresh SQLite store, as JSON and as CSV.
func BenchmarkImport10000(b *testing.B) {
	for _, format := range []string{"json", "csv"} {
		b.Run(format, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				e := newEnv(b)
				st, _, _ := e.seed("Bench")
				var body any = importRows(st, 10000)
				ct := "application/json"
				if format == "csv" {
					body, ct = importCSV(st, 10000), "text/csv"
				}
				b.StartTimer()
				r := e.do("POST", "/v1/orders/import?station_id="+st, e.admin, body, "Content-Type", ct)
				b.StopTimer()
				if r.status != 201 || r.body["created"].(float64) != 10000 {
					b.Fatalf("import: %d %.300s", r.status, r.raw)
				}
			}
		})
	}
}

// BenchmarkImport10000Postgres imports 10,000 JSON orders into a fresh
// PostgreSQL database on 127.0.0.1:5432 (skipped when unreachable).
func BenchmarkImport10000Postgres(b *testing.B) {
	admin := "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3"
	db, _ := sql.Open("pgx", admin)
	defer db.Close()
	if err := db.Ping(); err != nil {
		b.Skipf("PostgreSQL unreachable: %v", err)
	}
	for range b.N {
		b.StopTimer()
		name := "lastmile_bench_" + lastmile.NewToken()[:10]
		if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
			b.Fatal(err)
		}
		u, _ := url.Parse(admin)
		u.Path = "/" + name
		st, err := postgres.Open(context.Background(), u.String(), nil)
		if err != nil {
			b.Fatal(err)
		}
		e := newEnv(b)
		e.store = st
		e.api = httpapi.New(httpapi.Config{Store: st, Now: func() time.Time { return e.now }})
		e.srv.Config.Handler = e.api.Handler()
		e.admin, _ = httpapi.Bootstrap(context.Background(), st, "", testNow)
		sid, _, _ := e.seed("Bench")
		body := importRows(sid, 10000)
		b.StartTimer()
		r := e.do("POST", "/v1/orders/import", e.admin, body)
		b.StopTimer()
		if r.status != 201 {
			b.Fatalf("import: %d %.300s", r.status, r.raw)
		}
		st.Close()
		db.Exec("DROP DATABASE " + name + " WITH (FORCE)")
	}
}

// BenchmarkReadLoad sends reads (an order by id, a page of 50 orders, a
// station) at a fixed rate of LASTMILE_BENCH_RPS requests per second
// (default 500) for LASTMILE_BENCH_REQUESTS requests (default 5000) to a
// server on 127.0.0.1 holding 10,000 orders, and reports latency
// percentiles. The b.N loop runs the whole load once per iteration.
func BenchmarkReadLoad(b *testing.B) {
	rps, total := 500, 5000
	fmt.Sscan(os.Getenv("LASTMILE_BENCH_RPS"), &rps)
	fmt.Sscan(os.Getenv("LASTMILE_BENCH_REQUESTS"), &total)
	e := newEnv(b)
	st, _, _ := e.seed("Load")
	r := e.do("POST", "/v1/orders/import", e.admin, importRows(st, 10000))
	if r.status != 201 {
		b.Fatalf("seed: %d", r.status)
	}
	var ids []string
	for _, o := range r.body["orders"].([]any) {
		ids = append(ids, str(o.(map[string]any), "id"))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	paths := func(i int) string {
		switch i % 4 {
		case 0, 1:
			return "/v1/orders/" + ids[(i*7919)%len(ids)]
		case 2:
			return "/v1/orders?limit=50&station_id=" + st
		}
		return "/v1/stations/" + st
	}
	// Warm up: let the import's write-ahead log be checkpointed and the
	// connections open before measuring.
	for i := range 200 {
		res, err := client.Do(mustReq(e.srv.URL+paths(i), e.admin))
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
	}
	time.Sleep(time.Second)
	b.ResetTimer()
	for range b.N {
		lat := make([]time.Duration, total)
		var wg sync.WaitGroup
		var failures int
		var mu sync.Mutex
		interval := time.Second / time.Duration(rps)
		start := time.Now()
		for i := range total {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				time.Sleep(d)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", e.srv.URL+paths(i), nil)
				req.Header.Set("Authorization", "Bearer "+e.admin)
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					var sink [4096]byte
					for {
						if _, rerr := res.Body.Read(sink[:]); rerr != nil {
							break
						}
					}
					res.Body.Close()
				}
				lat[i] = time.Since(t0)
				if err != nil || res.StatusCode != 200 {
					mu.Lock()
					failures++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		if failures > 0 {
			b.Fatalf("%d requests failed", failures)
		}
		slices.Sort(lat)
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(q(0.5), "p50_ms")
		b.ReportMetric(q(0.99), "p99_ms")
		b.ReportMetric(q(1), "max_ms")
		b.ReportMetric(float64(total)/elapsed.Seconds(), "req/s")
	}
}

func mustReq(url, key string) *http.Request {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	return req
}
