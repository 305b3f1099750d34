// Package travel provides travel sources for the optimizer: implementations
// of vrp.TravelSource that turn coordinates into travel time and distance
// matrices.
//
// GreatCircle is the fallback that needs no map data: it estimates road
// distance as the great-circle distance stretched by a detour factor, and
// travel time from a constant speed.
package travel

import (
	"context"
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/vrp"
)

// EarthRadius is the mean radius of the Earth in metres (IUGG).
const EarthRadius = 6371008.8

// Defaults of GreatCircle.
const (
	DefaultSpeedKMH     = 30.0
	DefaultDetourFactor = 1.3
)

// GreatCircle estimates travel between coordinates without a road network.
// The distance from a to b is the haversine (great-circle) distance on a
// sphere of radius EarthRadius multiplied by DetourFactor, rounded to the
// metre; the duration is that distance at SpeedKMH, rounded to the second.
// Both matrices are symmetric with a zero diagonal, and every profile gets
// the same ones.
//
// The zero value uses DefaultSpeedKMH (a typical urban delivery average)
// and DefaultDetourFactor (a typical ratio of road to straight-line
// distance in towns).
type GreatCircle struct {
	SpeedKMH     float64 // average speed; 0 means DefaultSpeedKMH
	DetourFactor float64 // road distance / great-circle distance; 0 means DefaultDetourFactor
}

var _ vrp.TravelSource = GreatCircle{}

// Haversine returns the great-circle distance in metres between a and b.
func Haversine(a, b vrp.Coord) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a.Lat*rad, b.Lat*rad
	return haversine(lat1, a.Lon*rad, math.Cos(lat1), lat2, b.Lon*rad, math.Cos(lat2))
}

// haversine works on coordinates in radians with their latitudes' cosines.
func haversine(lat1, lon1, cos1, lat2, lon2, cos2 float64) float64 {
	s1 := math.Sin((lat2 - lat1) / 2)
	s2 := math.Sin((lon2 - lon1) / 2)
	h := s1*s1 + cos1*cos2*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadius * math.Asin(math.Sqrt(h))
}

func (g GreatCircle) params() (speed, detour float64, err error) {
	speed, detour = g.SpeedKMH, g.DetourFactor
	if speed == 0 {
		speed = DefaultSpeedKMH
	}
	if detour == 0 {
		detour = DefaultDetourFactor
	}
	if !(speed > 0) || math.IsInf(speed, 0) {
		return 0, 0, fmt.Errorf("great-circle travel: speed %g km/h is not a positive number", speed)
	}
	if !(detour > 0) || math.IsInf(detour, 0) {
		return 0, 0, fmt.Errorf("great-circle travel: detour factor %g is not a positive number", detour)
	}
	return speed, detour, nil
}

// Between returns the distance in metres and the duration in seconds from
// a to b, rounded as in Matrix.
func (g GreatCircle) Between(a, b vrp.Coord) (distance, duration int64, err error) {
	speed, detour, err := g.params()
	if err != nil {
		return 0, 0, err
	}
	d := Haversine(a, b) * detour
	return int64(math.Round(d)), int64(math.Round(d / (speed / 3.6))), nil
}

// Matrix returns the durations (seconds) and distances (metres) between all
// points. It checks ctx between rows, so that large matrices can be
// abandoned. The profile is ignored.
func (g GreatCircle) Matrix(ctx context.Context, profile string, points []vrp.Coord) (durations, distances [][]int64, err error) {
	speed, detour, err := g.params()
	if err != nil {
		return nil, nil, err
	}
	n := len(points)
	// Per point: sine and cosine of half the latitude and longitude, and the
	// cosine of the latitude, so that each pair needs no trigonometry but
	// one arcsine.
	type prepared struct{ sLat, cLat, sLon, cLon, cos float64 }
	pre := make([]prepared, n)
	for i, p := range points {
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || math.IsInf(p.Lat, 0) || math.IsInf(p.Lon, 0) {
			return nil, nil, fmt.Errorf("great-circle travel: point %d has coordinates [%g, %g]", i, p.Lon, p.Lat)
		}
		const halfRad = math.Pi / 360
		sLat, cLat := math.Sincos(p.Lat * halfRad)
		sLon, cLon := math.Sincos(p.Lon * halfRad)
		pre[i] = prepared{sLat, cLat, sLon, cLon, math.Cos(p.Lat * 2 * halfRad)}
	}
	mps := speed / 3.6
	durFlat := make([]int64, n*n)
	distFlat := make([]int64, n*n)
	durations = make([][]int64, n)
	distances = make([][]int64, n)
	for i := range n {
		durations[i] = durFlat[i*n : (i+1)*n : (i+1)*n]
		distances[i] = distFlat[i*n : (i+1)*n : (i+1)*n]
	}
	for i := range n {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, fmt.Errorf("great-circle travel: %w", err)
			}
		}
		a := pre[i]
		for j := i + 1; j < n; j++ {
			b := pre[j]
			s1 := b.sLat*a.cLat - b.cLat*a.sLat // sin((lat2-lat1)/2)
			s2 := b.sLon*a.cLon - b.cLon*a.sLon // sin((lon2-lon1)/2)
			h := s1*s1 + a.cos*b.cos*s2*s2
			if h > 1 {
				h = 1
			}
			d := 2 * EarthRadius * math.Asin(math.Sqrt(h)) * detour
			dist := int64(math.Round(d))
			dur := int64(math.Round(d / mps))
			distances[i][j], distances[j][i] = dist, dist
			durations[i][j], durations[j][i] = dur, dur
		}
	}
	return durations, distances, nil
}
