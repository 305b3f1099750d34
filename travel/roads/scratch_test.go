package roads

import (
	"math"
	"sort"
	"testing"
	"time"
)

func TestScratchRoutes(t *testing.T) {
	for _, name := range []string{"monaco", "andorra", "heidelberg"} {
		t0 := time.Now()
		g := extract(t, name)
		t.Logf("%s: import %v, %+v nodes %d edges %d", name, time.Since(t0), g.Stats(), g.NumNodes(), g.NumEdges())
		pts := snapAll(t, g, readPoints(t, name))
		var errs []float64
		bad := 0
		for _, p := range readPairs(t, name) {
			r, err := g.Route(pts[p.src], pts[p.dst])
			w, dur, _, ok := g.referenceRoute(pts[p.src], pts[p.dst])
			if err != nil || !ok {
				t.Errorf("%s %d->%d: %v %v", name, p.src, p.dst, err, ok)
				continue
			}
			if r.Weight != w || r.Duration != dur {
				bad++
				if bad < 5 {
					t.Errorf("%s %d->%d: ch %d/%d ref %d/%d", name, p.src, p.dst, r.Weight, r.Duration, w, dur)
				}
			}
			errs = append(errs, (r.Seconds()-p.duration)/math.Max(p.duration, 1))
		}
		sort.Float64s(errs)
		within := 0
		for _, e := range errs {
			if math.Abs(e) <= 0.05 {
				within++
			}
		}
		abs := make([]float64, len(errs))
		for i, e := range errs {
			abs[i] = math.Abs(e)
		}
		sort.Float64s(abs)
		t.Logf("%s: within5%% %d/%d, median signed %.4f, median abs %.4f, p10 %.3f p90 %.3f", name, within, len(errs), errs[len(errs)/2], abs[len(abs)/2], errs[len(errs)/10], errs[len(errs)*9/10])
	}
}
