package roads

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Source is a vrp.TravelSource answering from a road graph: every profile
// gets the car matrices. Durations are rounded to seconds and distances to
// metres.
type Source struct {
	Graph *Graph
	// MaxSnapDistance is the largest distance in metres from a coordinate
	// to the road it is snapped to; 0 means 1000.
	MaxSnapDistance float64
}

var _ vrp.TravelSource = (*Source)(nil)

// Matrix snaps the points onto the graph and returns the travel time
// (seconds) and distance (metres) matrices between them.
func (s *Source) Matrix(ctx context.Context, profile string, points []vrp.Coord) (durations, distances [][]int64, err error) {
	if s == nil || s.Graph == nil {
		return nil, nil, fmt.Errorf("road travel: no graph loaded")
	}
	n := len(points)
	if n > MaxTableCells/max(n, 1) {
		return nil, nil, fmt.Errorf("road travel: %d points make a matrix of more than %d cells", n, MaxTableCells)
	}
	ph := make([]Phantom, n)
	for i, p := range points {
		if ph[i], err = s.Graph.Snap(i, p.Lon, p.Lat, s.MaxSnapDistance); err != nil {
			return nil, nil, fmt.Errorf("road travel: %w", err)
		}
	}
	t, err := s.Graph.Table(ctx, ph, ph)
	if err != nil {
		return nil, nil, fmt.Errorf("road travel: %w", err)
	}
	durFlat := make([]int64, n*n)
	distFlat := make([]int64, n*n)
	durations = make([][]int64, n)
	distances = make([][]int64, n)
	for i := range n {
		durations[i] = durFlat[i*n : (i+1)*n : (i+1)*n]
		distances[i] = distFlat[i*n : (i+1)*n : (i+1)*n]
		for j := range n {
			k := i*n + j
			if t.Durations[k] == Unreachable {
				return nil, nil, fmt.Errorf("road travel: no route from point %d [%g,%g] to point %d [%g,%g]",
					i, points[i].Lon, points[i].Lat, j, points[j].Lon, points[j].Lat)
			}
			if i != j {
				durations[i][j] = (int64(t.Durations[k]) + 5) / 10
				distances[i][j] = (int64(t.Distances[k]) + 5) / 10
			}
		}
	}
	return durations, distances, nil
}
