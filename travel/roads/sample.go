package roads

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// ErrNoRoadsNear is returned by SamplePoints when no snappable road lies in the
// area asked for.
var ErrNoRoadsNear = errors.New("no routable road in the area")

// SamplePoints draws n points lying on roads that snapping reaches (the
// strongly connected core), uniformly by road length: a kilometre of street
// is as likely as any other kilometre. With radiusM > 0 only segments that
// start within radiusM metres of (lon, lat) are drawn from. The points are
// [lon, lat] pairs; they are a function of the graph and rng's state only,
// so a seeded rng gives reproducible addresses.
func (g *Graph) SamplePoints(rng *rand.Rand, n int, lon, lat, radiusM float64) ([][2]float64, error) {
	if n <= 0 {
		return nil, nil
	}
	cosLat := math.Cos(lat * math.Pi / 180)
	plat, plon := int32(math.Round(lat*1e7)), int32(math.Round(lon*1e7))
	var segs []uint32 // segment start point
	var cum []float64 // cumulative length after each segment
	total := 0.0
	for r := range g.snappable {
		if !g.snappable[r] {
			continue
		}
		for k := g.geomOff[r]; k+1 < g.geomOff[r+1]; k++ {
			if radiusM > 0 {
				dx := float64(g.lon[k]-plon) * cosLat * metresPerE7
				dy := float64(g.lat[k]-plat) * metresPerE7
				if dx*dx+dy*dy > radiusM*radiusM {
					continue
				}
			}
			l := segLength(g.lat[k], g.lon[k], g.lat[k+1], g.lon[k+1])
			if l <= 0 {
				continue
			}
			total += l
			segs = append(segs, k)
			cum = append(cum, total)
		}
	}
	if len(segs) == 0 {
		return nil, ErrNoRoadsNear
	}
	out := make([][2]float64, n)
	for i := range out {
		u := rng.Float64() * total
		j := min(sort.SearchFloat64s(cum, u), len(segs)-1)
		before := 0.0
		if j > 0 {
			before = cum[j-1]
		}
		t := (u - before) / (cum[j] - before)
		k := segs[j]
		out[i] = [2]float64{
			(float64(g.lon[k]) + t*float64(g.lon[k+1]-g.lon[k])) / 1e7,
			(float64(g.lat[k]) + t*float64(g.lat[k+1]-g.lat[k])) / 1e7,
		}
	}
	return out, nil
}
