package vrp

import (
	"context"
	"fmt"
	"sort"
)

// maxResolvedPoints bounds the number of distinct points ResolveTravel asks
// a TravelSource for, as the matrices grow with its square.
const maxResolvedPoints = 50000

// ResolveTravel fills the matrices that p lacks from src. A vehicle profile
// lacks a matrix when p.Matrices has no entry for it or the entry has no
// Durations; profiles with durations are left as they are.
//
// For the profiles that lack a matrix, every location must have coordinates.
// When no location has a matrix index, ResolveTravel numbers the distinct
// coordinates of the jobs, shipment steps and vehicle starts and ends in the
// order they appear, sets each Location's Index, and asks src for one matrix
// per profile. When every location has both an index and coordinates, the
// matrix is built for those indices instead. Any other mix is an *InputError,
// as is a location with coordinates but no index when some vehicle profile
// already has a matrix (as in VROOM, indices then refer to that matrix).
//
// The Distances of a filled profile are set only when it had none.
func ResolveTravel(ctx context.Context, p *Problem, src TravelSource) error {
	var missing []string
	hasMatrix := ""
	seen := make(map[string]bool)
	for i := range p.Vehicles {
		name := profileOf(&p.Vehicles[i])
		if seen[name] {
			continue
		}
		seen[name] = true
		if m := p.Matrices[name]; m == nil || m.Durations == nil {
			missing = append(missing, name)
		} else if hasMatrix == "" {
			hasMatrix = name
		}
	}
	locs := problemLocations(p)
	if len(missing) == 0 {
		for _, l := range locs {
			if !l.loc.HasIndex {
				return inputErrorf(l.field+"_index", "missing: profile %q has a matrix, so every location needs a matrix index", hasMatrix)
			}
		}
		return nil
	}
	sort.Strings(missing)

	indexed := 0
	for _, l := range locs {
		if !l.loc.HasCoord {
			if l.loc.HasIndex {
				return inputErrorf(l.field, "coordinates required: profile %q has no matrix to look index %d up in", missing[0], l.loc.Index)
			}
			return inputErrorf(l.field, "neither coordinates nor a matrix index given")
		}
		if l.loc.HasIndex {
			indexed++
		}
	}
	if indexed > 0 && indexed < len(locs) {
		for _, l := range locs {
			if !l.loc.HasIndex {
				return inputErrorf(l.field+"_index", "profile %q has no matrix, so either every location or none must have a matrix index", missing[0])
			}
		}
	}
	if indexed == 0 && hasMatrix != "" && len(locs) > 0 {
		return inputErrorf(locs[0].field+"_index", "missing: profile %q has a matrix, so every location needs a matrix index", hasMatrix)
	}

	var points []Coord
	if indexed == 0 {
		ids := make(map[Coord]int)
		for _, l := range locs {
			c := Coord{l.loc.Lon, l.loc.Lat}
			idx, ok := ids[c]
			if !ok {
				if len(points) == maxResolvedPoints {
					return inputErrorf("", "more than %d distinct locations to build travel matrices for", maxResolvedPoints)
				}
				idx = len(points)
				ids[c] = idx
				points = append(points, c)
			}
			l.loc.Index, l.loc.HasIndex = idx, true
		}
	} else {
		n := 0
		for _, l := range locs {
			if l.loc.Index < 0 {
				return inputErrorf(l.field+"_index", "negative index %d", l.loc.Index)
			}
			if l.loc.Index >= maxResolvedPoints {
				return inputErrorf(l.field+"_index", "index %d is too large: at most %d points can be resolved", l.loc.Index, maxResolvedPoints)
			}
			n = max(n, l.loc.Index+1)
		}
		points = make([]Coord, n)
		set := make([]string, n)
		for _, l := range locs {
			c := Coord{l.loc.Lon, l.loc.Lat}
			if f := set[l.loc.Index]; f != "" && points[l.loc.Index] != c {
				return inputErrorf(l.field, "index %d has coordinates [%g, %g] here but [%g, %g] at %s", l.loc.Index, c.Lon, c.Lat, points[l.loc.Index].Lon, points[l.loc.Index].Lat, f)
			}
			points[l.loc.Index], set[l.loc.Index] = c, l.field
		}
		// Unused indices get the first point so that every row is defined.
		first := points[locs[0].loc.Index]
		for i := range points {
			if set[i] == "" {
				points[i] = first
			}
		}
	}

	if p.Matrices == nil {
		p.Matrices = make(map[string]*Matrix)
	}
	for _, name := range missing {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("resolve travel: %w", err)
		}
		dur, dist, err := src.Matrix(ctx, name, points)
		if err != nil {
			return fmt.Errorf("resolve travel for profile %q: %w", name, err)
		}
		if err := checkSourceMatrix(len(points), dur); err != nil {
			return fmt.Errorf("resolve travel for profile %q: durations: %w", name, err)
		}
		if dist != nil {
			if err := checkSourceMatrix(len(points), dist); err != nil {
				return fmt.Errorf("resolve travel for profile %q: distances: %w", name, err)
			}
		}
		m := p.Matrices[name]
		if m == nil {
			m = &Matrix{}
			p.Matrices[name] = m
		}
		m.Durations = dur
		if m.Distances == nil {
			m.Distances = dist
		}
	}
	return nil
}

func checkSourceMatrix(n int, rows [][]int64) error {
	if len(rows) != n {
		return fmt.Errorf("travel source returned %d rows for %d points", len(rows), n)
	}
	for i, r := range rows {
		if len(r) != n {
			return fmt.Errorf("travel source returned %d entries in row %d for %d points", len(r), i, n)
		}
	}
	return nil
}

type fieldLocation struct {
	field string
	loc   *Location
}

// problemLocations lists every location of p with its field path, in the
// order jobs, shipments (pickup, delivery), vehicles (start, end).
func problemLocations(p *Problem) []fieldLocation {
	out := make([]fieldLocation, 0, len(p.Jobs)+2*len(p.Shipments)+2*len(p.Vehicles))
	for i := range p.Jobs {
		out = append(out, fieldLocation{idxField("jobs", i) + ".location", &p.Jobs[i].Location})
	}
	for i := range p.Shipments {
		f := idxField("shipments", i)
		out = append(out,
			fieldLocation{f + ".pickup.location", &p.Shipments[i].Pickup.Location},
			fieldLocation{f + ".delivery.location", &p.Shipments[i].Delivery.Location})
	}
	for i := range p.Vehicles {
		v := &p.Vehicles[i]
		f := idxField("vehicles", i)
		if v.Start != nil {
			out = append(out, fieldLocation{f + ".start", v.Start})
		}
		if v.End != nil {
			out = append(out, fieldLocation{f + ".end", v.End})
		}
	}
	return out
}
