package lastmile

import (
	"encoding/json"
	"fmt"
	"math"
)

// LonLat is a polygon vertex: [longitude, latitude], as in GeoJSON.
type LonLat [2]float64

// UnmarshalJSON reads exactly two numbers (encoding/json would silently
// drop a third, such as a GeoJSON altitude, or take one for a vertex).
func (v *LonLat) UnmarshalJSON(b []byte) error {
	var xs []float64
	if err := json.Unmarshal(b, &xs); err != nil || len(xs) != 2 {
		return fmt.Errorf("a vertex is [longitude, latitude]: two numbers")
	}
	*v = LonLat{xs[0], xs[1]}
	return nil
}

// Limits of a polygon zone.
const (
	MaxZoneVertices = 1000   // vertices of one polygon
	MaxZoneExtentM  = 100000 // diagonal of a polygon's bounding box
)

// IsPolygon reports whether z is a polygon (otherwise a circle).
func (z Zone) IsPolygon() bool { return len(z.Polygon) > 0 }

// Contains reports whether p is inside the zone: within RadiusM of Center
// for a circle, inside the ring (even-odd rule, in plain longitude and
// latitude, which is exact enough for zones of a city's size) for a
// polygon. A point exactly on a polygon's edge may fall either way.
func (z Zone) Contains(p Point) bool {
	if !z.IsPolygon() {
		return p.DistanceM(z.Center) <= z.RadiusM
	}
	in := false
	ring := z.Polygon
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi := ring[i][0], ring[i][1]
		xj, yj := ring[j][0], ring[j][1]
		if (yi > p.Lat) != (yj > p.Lat) && p.Lon < (xj-xi)*(p.Lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// closeRing returns the polygon with its last vertex equal to its first.
func closeRing(ring []LonLat) []LonLat {
	if n := len(ring); n > 0 && ring[0] != ring[n-1] {
		ring = append(ring[:n:n], ring[0])
	}
	return ring
}

// validate checks a zone; fields are relative to the zone.
func (z Zone) validate() error {
	if !z.IsPolygon() {
		if err := z.Center.Validate(); err != nil {
			return prefixField("center", err)
		}
		if math.IsNaN(z.RadiusM) || z.RadiusM < 10 || z.RadiusM > 50000 {
			return Invalidf("radius_m", "%g is not in [10, 50000]", z.RadiusM)
		}
		return nil
	}
	if z.Center != (Point{}) || z.RadiusM != 0 {
		return Invalidf("polygon", "a zone is a circle (center and radius_m) or a polygon, not both")
	}
	ring := z.Polygon // closed by Station.Normalize
	if len(ring) > MaxZoneVertices+1 {
		return Invalidf("polygon", "%d vertices, at most %d", len(ring)-1, MaxZoneVertices)
	}
	minLon, maxLon, minLat, maxLat := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for j, v := range ring {
		f := fmt.Sprintf("polygon[%d]", j)
		lon, lat := v[0], v[1]
		if math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180 {
			return Invalidf(f, "longitude %g is not in [-180, 180] (vertices are [lon, lat])", lon)
		}
		if math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
			return Invalidf(f, "latitude %g is not in [-90, 90] (vertices are [lon, lat])", lat)
		}
		if j > 0 && v == ring[j-1] {
			return Invalidf(f, "repeats the vertex before it")
		}
		minLon, maxLon = min(minLon, lon), max(maxLon, lon)
		minLat, maxLat = min(minLat, lat), max(maxLat, lat)
	}
	if len(ring) < 4 { // three vertices and the closing one
		return Invalidf("polygon", "%d distinct vertices, at least 3", len(ring)-1)
	}
	if maxLon-minLon > 180 {
		return Invalidf("polygon", "crosses the antimeridian: split it in two zones")
	}
	if d := (Point{Lat: minLat, Lon: minLon}).DistanceM(Point{Lat: maxLat, Lon: maxLon}); d > MaxZoneExtentM {
		return Invalidf("polygon", "spans %.0f m, more than %d m", d, MaxZoneExtentM)
	}
	n := len(ring) - 1 // edges: i → i+1
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if j == i+1 || (i == 0 && j == n-1) {
				continue // adjacent edges share a vertex
			}
			if segmentsCross(ring[i], ring[i+1], ring[j], ring[j+1]) {
				return Invalidf("polygon", "edges %d and %d cross: the polygon intersects itself", i, j)
			}
		}
	}
	area := 0.0
	for i := 0; i+1 < len(ring); i++ {
		area += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
	}
	if math.Abs(area) < 1e-14 {
		return Invalidf("polygon", "has no area (its vertices are on one line)")
	}
	return nil
}

// segmentsCross reports whether segments ab and cd touch or cross.
func segmentsCross(a, b, c, d LonLat) bool {
	orient := func(p, q, r LonLat) float64 {
		return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
	}
	sign := func(x float64) int {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	onSeg := func(p, q, r LonLat) bool { // r on pq, given collinear
		return min(p[0], q[0]) <= r[0] && r[0] <= max(p[0], q[0]) && min(p[1], q[1]) <= r[1] && r[1] <= max(p[1], q[1])
	}
	o1, o2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	o3, o4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	if o1 != o2 && o3 != o4 {
		return true
	}
	return (o1 == 0 && onSeg(a, b, c)) || (o2 == 0 && onSeg(a, b, d)) ||
		(o3 == 0 && onSeg(c, d, a)) || (o4 == 0 && onSeg(c, d, b))
}
