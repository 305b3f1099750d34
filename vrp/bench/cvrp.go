package bench

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lastmile-dev/lastmile/vrp"
)

// CVRP is a CVRPLIB instance with EUC_2D distances. Node ids are 1-based in
// the file; X[i], Y[i] and Demand[i] describe node i+1.
type CVRP struct {
	Name     string
	Capacity int64
	X, Y     []float64
	Demand   []int64
	Depot    int // 0-based index of the depot (node 1 in the X set)
}

// ReadCVRPFile reads a CVRPLIB .vrp file.
func ReadCVRPFile(path string) (*CVRP, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read cvrp: %w", err)
	}
	defer f.Close()
	return ReadCVRP(f, path)
}

// ReadCVRP reads the TSPLIB/CVRPLIB format restricted to what the X set
// uses: TYPE CVRP, EDGE_WEIGHT_TYPE EUC_2D, CAPACITY, DIMENSION,
// NODE_COORD_SECTION, DEMAND_SECTION and a DEPOT_SECTION with one depot.
// file names the input in errors.
func ReadCVRP(r io.Reader, file string) (*CVRP, error) {
	in, err := readCVRP(r, file)
	if err != nil {
		return nil, fmt.Errorf("read cvrp: %w", err)
	}
	return in, nil
}

func readCVRP(r io.Reader, file string) (*CVRP, error) {
	ls := newLines(r, file)
	in := &CVRP{Depot: -1}
	dim := -1
	haveCap, haveEdge := false, false
	var coordSeen, demandSeen []bool
	lineOfDemand := map[int]int{}
	section := ""
	for {
		s, ok := ls.next()
		if !ok {
			break
		}
		if s == "" {
			continue
		}
		up := strings.ToUpper(s)
		if strings.HasSuffix(strings.Fields(up)[0], "_SECTION") || up == "EOF" {
			section = strings.Fields(up)[0]
			switch section {
			case "EOF":
			case "NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION":
				if dim < 0 {
					return nil, formatErr(file, ls.n, section, "section before DIMENSION")
				}
			default:
				return nil, formatErr(file, ls.n, section, "unsupported section")
			}
			if section == "EOF" {
				break
			}
			continue
		}
		switch section {
		case "":
			key, val, ok := strings.Cut(s, ":")
			if !ok {
				return nil, formatErr(file, ls.n, "header", "got %q, want KEY : VALUE", clip(s))
			}
			key = strings.ToUpper(strings.TrimSpace(key))
			val = strings.TrimSpace(val)
			switch key {
			case "NAME":
				in.Name = val
			case "COMMENT":
			case "TYPE":
				if strings.ToUpper(val) != "CVRP" {
					return nil, formatErr(file, ls.n, key, "%q, want CVRP", clip(val))
				}
			case "EDGE_WEIGHT_TYPE":
				if strings.ToUpper(val) != "EUC_2D" {
					return nil, formatErr(file, ls.n, key, "%q, want EUC_2D", clip(val))
				}
				haveEdge = true
			case "DIMENSION":
				if dim >= 0 {
					return nil, formatErr(file, ls.n, key, "given twice")
				}
				d, err := parseInt(file, ls.n, key, val, maxNodes)
				if err != nil {
					return nil, err
				}
				if d < 2 {
					return nil, formatErr(file, ls.n, key, "%d, want at least 2 (depot and a customer)", d)
				}
				dim = int(d)
				in.X, in.Y = make([]float64, dim), make([]float64, dim)
				in.Demand = make([]int64, dim)
				coordSeen, demandSeen = make([]bool, dim), make([]bool, dim)
			case "CAPACITY":
				c, err := parseInt(file, ls.n, key, val, maxQty)
				if err != nil {
					return nil, err
				}
				if c < 1 {
					return nil, formatErr(file, ls.n, key, "%d, want at least 1", c)
				}
				in.Capacity, haveCap = c, true
			default:
				return nil, formatErr(file, ls.n, key, "unsupported header field")
			}
		case "NODE_COORD_SECTION", "DEMAND_SECTION":
			f := strings.Fields(s)
			want := 3
			if section == "DEMAND_SECTION" {
				want = 2
			}
			if len(f) != want {
				return nil, formatErr(file, ls.n, section, "got %d fields, want %d", len(f), want)
			}
			id, err := parseInt(file, ls.n, section+" node", f[0], maxNodes)
			if err != nil {
				return nil, err
			}
			if id < 1 || int(id) > dim {
				return nil, formatErr(file, ls.n, section+" node", "%d outside 1..%d", id, dim)
			}
			i := int(id) - 1
			if section == "NODE_COORD_SECTION" {
				if coordSeen[i] {
					return nil, formatErr(file, ls.n, section+" node", "node %d given twice", id)
				}
				coordSeen[i] = true
				if in.X[i], err = parseNumber(file, ls.n, "x", f[1], maxCoord); err != nil {
					return nil, err
				}
				if in.Y[i], err = parseNumber(file, ls.n, "y", f[2], maxCoord); err != nil {
					return nil, err
				}
			} else {
				if demandSeen[i] {
					return nil, formatErr(file, ls.n, section+" node", "node %d given twice", id)
				}
				demandSeen[i] = true
				lineOfDemand[i] = ls.n
				if in.Demand[i], err = parseInt(file, ls.n, "demand", f[1], maxQty); err != nil {
					return nil, err
				}
				if in.Demand[i] < 0 {
					return nil, formatErr(file, ls.n, "demand", "%d is negative", in.Demand[i])
				}
			}
		case "DEPOT_SECTION":
			for _, tok := range strings.Fields(s) {
				id, err := parseInt(file, ls.n, section, tok, maxNodes)
				if err != nil {
					return nil, err
				}
				if id == -1 {
					section = "DEPOT_END"
					break
				}
				if id < 1 || int(id) > dim {
					return nil, formatErr(file, ls.n, section, "depot %d outside 1..%d", id, dim)
				}
				if in.Depot >= 0 {
					return nil, formatErr(file, ls.n, section, "more than one depot")
				}
				in.Depot = int(id) - 1
			}
		case "DEPOT_END":
			return nil, formatErr(file, ls.n, "DEPOT_SECTION", "content after the terminating -1")
		}
		if section == "EOF" {
			break
		}
	}
	if err := ls.err(); err != nil {
		return nil, err
	}
	switch {
	case dim < 0:
		return nil, formatErr(file, ls.n, "DIMENSION", "missing")
	case !haveCap:
		return nil, formatErr(file, ls.n, "CAPACITY", "missing")
	case !haveEdge:
		return nil, formatErr(file, ls.n, "EDGE_WEIGHT_TYPE", "missing")
	case in.Depot < 0:
		return nil, formatErr(file, ls.n, "DEPOT_SECTION", "no depot")
	}
	for i := range dim {
		if !coordSeen[i] {
			return nil, formatErr(file, ls.n, "NODE_COORD_SECTION", "node %d missing", i+1)
		}
		if !demandSeen[i] {
			return nil, formatErr(file, ls.n, "DEMAND_SECTION", "node %d missing", i+1)
		}
		if in.Demand[i] > in.Capacity {
			return nil, formatErr(file, lineOfDemand[i], "demand", "node %d demand %d exceeds the capacity %d", i+1, in.Demand[i], in.Capacity)
		}
	}
	if in.Demand[in.Depot] != 0 {
		return nil, formatErr(file, lineOfDemand[in.Depot], "demand", "depot demand is %d, want 0", in.Demand[in.Depot])
	}
	return in, nil
}

func (in *CVRP) point(i int) point { return point{in.X[i], in.Y[i]} }

// Problem converts the instance: distances and durations are TSPLIB
// nint(d(i,j)) with matrix row i for node i+1; job ids are the file's node
// ids; one vehicle per customer (the fleet is unbounded in effect), without
// time windows.
func (in *CVRP) Problem() *vrp.Problem {
	n := len(in.X)
	m := &vrp.Matrix{Durations: make([][]int64, n), Distances: make([][]int64, n)}
	for i := range n {
		m.Durations[i] = make([]int64, n)
		m.Distances[i] = make([]int64, n)
		for j := range n {
			if i != j {
				d := nint(in.point(i), in.point(j))
				m.Durations[i][j], m.Distances[i][j] = d, d
			}
		}
	}
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{profile: m}}
	for i := range n {
		if i == in.Depot {
			continue
		}
		p.Jobs = append(p.Jobs, vrp.Job{
			ID:       uint64(i + 1),
			Location: indexLocation(i),
			Delivery: vrp.Amount{in.Demand[i]},
		})
	}
	p.Vehicles = make([]vrp.Vehicle, len(p.Jobs))
	for k := range p.Vehicles {
		start, end := indexLocation(in.Depot), indexLocation(in.Depot)
		p.Vehicles[k] = vrp.Vehicle{
			ID:            uint64(k + 1),
			Profile:       profile,
			Start:         &start,
			End:           &end,
			Capacity:      vrp.Amount{in.Capacity},
			Costs:         distanceCosts,
			MaxTasks:      -1,
			MaxTravelTime: -1,
			MaxDistance:   -1,
		}
	}
	return p
}
