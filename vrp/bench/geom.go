package bench

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Limits enforced by the readers so that scaled values fit in int64 and the
// exact integer square roots below cannot overflow.
const (
	maxCoord = 1e6 // |x|, |y|
	maxTime  = 1e9 // ready, due, service (scaled by 1000 inside the solver)
	maxQty   = 1e9 // demand, capacity
	maxNodes = 100000
	maxFleet = 100000
)

// Scale is the factor applied to times and distances of VRPTW and PDPTW
// instances in their vrp.Problem conversion.
const Scale = 1000

// profile is the matrix profile used by every converted instance.
const profile = "car"

// point is a node position in the instance's plane.
type point struct{ x, y float64 }

// euclid is the double-precision Euclidean distance, the exact convention of
// the VRPTW and PDPTW literature.
func euclid(a, b point) float64 {
	dx, dy := a.x-b.x, a.y-b.y
	return math.Sqrt(dx*dx + dy*dy)
}

// isqrt returns floor(sqrt(n)).
func isqrt(n uint64) uint64 {
	r := uint64(math.Sqrt(float64(n)))
	for r > 0 && r*r > n {
		r--
	}
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}

// ceilSqrt returns ceil(sqrt(n)) exactly.
func ceilSqrt(n uint64) uint64 {
	r := isqrt(n)
	if r*r < n {
		r++
	}
	return r
}

// roundSqrt returns sqrt(n) rounded to the nearest integer exactly (a tie is
// impossible for an integer n).
func roundSqrt(n uint64) uint64 {
	r := isqrt(n)
	if n-r*r > r { // n >= r²+r+1  <=>  sqrt(n) > r+1/2
		r++
	}
	return r
}

// squaredInt returns dx²+dy² when both coordinates of a and b are integers
// (within the reader limits), so that exact integer arithmetic applies.
func squaredInt(a, b point) (uint64, bool) {
	if a.x != math.Trunc(a.x) || a.y != math.Trunc(a.y) || b.x != math.Trunc(b.x) || b.y != math.Trunc(b.y) {
		return 0, false
	}
	if math.Abs(a.x) > maxCoord || math.Abs(a.y) > maxCoord || math.Abs(b.x) > maxCoord || math.Abs(b.y) > maxCoord {
		return 0, false
	}
	dx := int64(a.x) - int64(b.x)
	dy := int64(a.y) - int64(b.y)
	return uint64(dx*dx + dy*dy), true
}

// scaledCeil returns ceil(Scale·d(a,b)), exactly for integer coordinates.
func scaledCeil(a, b point) int64 {
	if s, ok := squaredInt(a, b); ok {
		return int64(ceilSqrt(s * Scale * Scale))
	}
	return int64(math.Ceil(Scale * euclid(a, b)))
}

// scaledRound returns round(Scale·d(a,b)), exactly for integer coordinates.
func scaledRound(a, b point) int64 {
	if s, ok := squaredInt(a, b); ok {
		return int64(roundSqrt(s * Scale * Scale))
	}
	return int64(math.Floor(Scale*euclid(a, b) + 0.5))
}

// nint is TSPLIB's rounded EUC_2D distance, exactly for integer coordinates.
func nint(a, b point) int64 {
	if s, ok := squaredInt(a, b); ok {
		return int64(roundSqrt(s))
	}
	return int64(math.Floor(euclid(a, b) + 0.5))
}

// scaledMatrices builds the durations (rounded up) and distances (rounded to
// nearest) of VRPTW and PDPTW conversions.
func scaledMatrices(pts []point) *vrp.Matrix {
	n := len(pts)
	m := &vrp.Matrix{Durations: make([][]int64, n), Distances: make([][]int64, n)}
	for i := range n {
		m.Durations[i] = make([]int64, n)
		m.Distances[i] = make([]int64, n)
		for j := range n {
			if i != j {
				m.Durations[i][j] = scaledCeil(pts[i], pts[j])
				m.Distances[i][j] = scaledRound(pts[i], pts[j])
			}
		}
	}
	return m
}

// scaleUp and scaleDown convert a time of the file to solver units, rounding
// so that the integer window lies inside the real one.
func scaleUp(t float64) int64   { return int64(math.Ceil(t * Scale)) }
func scaleDown(t float64) int64 { return int64(math.Floor(t * Scale)) }

// depotLocation is matrix row 0.
func indexLocation(i int) vrp.Location { return vrp.Location{Index: i, HasIndex: true} }

// distanceCosts makes the cost of a route equal its distance in matrix units:
// (per_km·dist·3600 + 1_800_000) / 3_600_000 = dist when per_km = 1000.
var distanceCosts = vrp.Costs{Fixed: 0, PerHour: 0, PerKm: 1000}

// lines iterates over the lines of a file, without line terminators.
type lines struct {
	sc   *bufio.Scanner
	file string
	n    int
}

func newLines(r io.Reader, file string) *lines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	return &lines{sc: sc, file: file}
}

// next returns the next line with surrounding white space removed.
func (l *lines) next() (string, bool) {
	if !l.sc.Scan() {
		return "", false
	}
	l.n++
	return strings.TrimSpace(l.sc.Text()), true
}

// nextNonEmpty skips blank lines.
func (l *lines) nextNonEmpty() (string, bool) {
	for {
		s, ok := l.next()
		if !ok || s != "" {
			return s, ok
		}
	}
}

// err returns the scanner's error as a FormatError, or nil.
func (l *lines) err() error {
	if err := l.sc.Err(); err != nil {
		return formatErr(l.file, l.n+1, "", "read: %v", err)
	}
	return nil
}

// parseNumber parses a finite number within ±limit.
func parseNumber(file string, line int, field, s string, limit float64) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, formatErr(file, line, field, "not a number: %q", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > limit {
		return 0, formatErr(file, line, field, "%q out of range (|value| <= %g)", s, limit)
	}
	return v, nil
}

// parseInt parses an integral number within ±limit (a trailing ".0" is
// accepted).
func parseInt(file string, line int, field, s string, limit float64) (int64, error) {
	v, err := parseNumber(file, line, field, s, limit)
	if err != nil {
		return 0, err
	}
	if v != math.Trunc(v) {
		return 0, formatErr(file, line, field, "%q is not an integer", s)
	}
	return int64(v), nil
}
