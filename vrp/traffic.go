package vrp

import (
	"math"
	"sort"
)

// TrafficBand changes the speed of driving between Start and End (seconds,
// on the problem's time axis): a drive that takes d seconds in free flow
// takes Factor × d inside the band (Factor > 1: rush hour; < 1: faster
// than the matrix, e.g. at night).
type TrafficBand struct {
	Start, End int64
	Factor     float64
}

// Traffic is a vehicle's time-dependent travel: bands sorted by start and
// disjoint; outside them the matrix durations hold. Travel times follow the
// speed model (the vehicle progresses at 1/Factor of its free-flow speed
// while inside a band), so leaving later never means arriving earlier.
type Traffic []TrafficBand

// Traffic factors are applied in thousandths.
const (
	minTrafficFactor = 0.1
	maxTrafficFactor = 10
)

// maxTrafficBase bounds the drives traffic applies to (longer ones are
// taken at face value), so that the integer arithmetic cannot overflow.
const maxTrafficBase = 100_000_000

// permille is a band's factor in thousandths.
func (b TrafficBand) permille() int64 { return int64(math.Round(b.Factor * 1000)) }

// Travel returns the driving time of a drive of base free-flow seconds that
// leaves at depart. It is the definition of time-dependent travel shared by
// the solver and the checker: the free-flow work left is counted in
// millionths of a second, each band's share floored, the last rounded up.
func (tr Traffic) Travel(depart, base int64) int64 {
	if len(tr) == 0 || base <= 0 || base > maxTrafficBase {
		return base
	}
	const unit = 1_000_000_000 // work units per second at factor 1.000, per mille
	rem := base * 1_000_000    // free-flow work left, in millionths of a second
	i := sort.Search(len(tr), func(i int) bool { return tr[i].End > depart })
	t := depart
	for {
		var end, p int64
		switch {
		case i == len(tr):
			return t + ceilDiv(rem*1000, unit) - depart
		case t < tr[i].Start:
			end, p = tr[i].Start, 1000
		default:
			end, p = tr[i].End, tr[i].permille()
		}
		need := ceilDiv(rem*p, unit)
		if t+need <= end {
			return t + need - depart
		}
		rem -= (end - t) * unit / p
		if t >= tr[i].Start {
			i++ // past the band; otherwise now at its start
		}
		t = end
	}
}

// LatestDeparture returns the latest departure t from which a drive of
// base free-flow seconds arrives by arriveBy: t + Travel(t, base) <=
// arriveBy, and one second later would not (Travel is FIFO, so every
// earlier departure arrives in time too).
func (tr Traffic) LatestDeparture(arriveBy, base int64) int64 {
	if len(tr) == 0 || base <= 0 || base > maxTrafficBase {
		return arriveBy - base
	}
	// Integrate backwards from arriveBy, then settle the rounding.
	const unit = 1_000_000_000
	rem := base * 1_000_000
	i := sort.Search(len(tr), func(i int) bool { return tr[i].Start >= arriveBy }) - 1
	t := arriveBy
	for rem > 0 {
		var start, p int64
		switch {
		case i < 0:
			t -= ceilDiv(rem*1000, unit)
			rem = 0
			continue
		case t > tr[i].End:
			start, p = tr[i].End, 1000
		default:
			start, p = tr[i].Start, tr[i].permille()
		}
		if need := ceilDiv(rem*p, unit); t-need >= start {
			t -= need
			break
		}
		rem -= (t - start) * unit / p
		if t <= tr[i].End {
			i-- // before the band; otherwise now at its end
		}
		t = start
	}
	for t+tr.Travel(t, base) > arriveBy {
		t--
	}
	for t+1+tr.Travel(t+1, base) <= arriveBy {
		t++
	}
	return t
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
