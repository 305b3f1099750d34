package httpapi_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// BenchmarkSSEFanout holds 1,000 dispatcher streams open on one station;
// each iteration posts a position and waits until every stream has it.
// It reports the fan-out time to the last subscriber.
func BenchmarkSSEFanout(b *testing.B) {
	const subscribers = 1000
	e, _ := newLiveEnv(b, "")
	st, veh, _ := e.seed("Monaco")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: subscribers}
	client := &http.Client{Transport: tr}
	var got sync.WaitGroup
	var mu sync.Mutex
	counts := make([]int, subscribers)
	ready := make(chan struct{}, subscribers)
	for i := range subscribers {
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/stations/"+st+"/stream", nil)
		req.Header.Set("Authorization", "Bearer "+e.admin)
		res, err := client.Do(req)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("subscriber %d: %v", i, err)
		}
		go func() {
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			first := true
			for sc.Scan() {
				if first {
					ready <- struct{}{}
					first = false
				}
				if strings.HasPrefix(sc.Text(), "event: position") {
					mu.Lock()
					counts[i]++
					mu.Unlock()
					got.Done()
				}
			}
		}()
	}
	for range subscribers {
		<-ready
	}
	var worst time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		got.Add(subscribers)
		e.now = e.now.Add(time.Second)
		t0 := time.Now()
		e.do("POST", "/v1/positions", e.admin, map[string]any{"positions": []any{pos(veh, e.now, lastmile.Point{Lat: 43.7325 + float64(n)*1e-5, Lon: 7.4189})}}).must(b, 200)
		got.Wait()
		worst = max(worst, time.Since(t0))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "max_fanout_ms")
	b.ReportMetric(subscribers, "subscribers")
}
