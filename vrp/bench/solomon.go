package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Node is one node of a VRPTW or PDPTW instance, as given in its file. Times
// and coordinates keep the file's values; travel time equals distance.
type Node struct {
	X, Y    float64
	Demand  int64 // positive for a pickup (PDPTW) or a delivery (VRPTW), negative for a PDPTW delivery
	Ready   float64
	Due     float64 // latest start of service
	Service float64
}

func (n Node) point() point { return point{n.X, n.Y} }

// VRPTW is a Solomon or Gehring-Homberger instance. Nodes[0] is the depot and
// Nodes[i] is customer i.
type VRPTW struct {
	Name     string
	Vehicles int // fleet size: an upper bound on the number of routes
	Capacity int64
	Nodes    []Node
}

// ReadSolomonFile reads a Solomon or Gehring-Homberger instance file.
func ReadSolomonFile(path string) (*VRPTW, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read solomon: %w", err)
	}
	defer f.Close()
	return ReadSolomon(f, path)
}

// ReadSolomon reads the Solomon text layout (also used by Gehring and
// Homberger): the instance name; a VEHICLE block with NUMBER and CAPACITY; a
// CUSTOMER block with one line per node: number, x, y, demand, ready time,
// due date, service time. Node 0 is the depot. file names the input in
// errors.
func ReadSolomon(r io.Reader, file string) (*VRPTW, error) {
	in, err := readSolomon(r, file)
	if err != nil {
		return nil, fmt.Errorf("read solomon: %w", err)
	}
	return in, nil
}

func readSolomon(r io.Reader, file string) (*VRPTW, error) {
	ls := newLines(r, file)
	in := &VRPTW{}
	expect := func(keyword string) error {
		s, ok := ls.nextNonEmpty()
		if !ok {
			if err := ls.err(); err != nil {
				return err
			}
			return formatErr(file, ls.n, keyword, "unexpected end of file, want %s", keyword)
		}
		if !strings.HasPrefix(strings.ToUpper(s), keyword) {
			return formatErr(file, ls.n, keyword, "got %q, want a line starting with %s", clip(s), keyword)
		}
		return nil
	}

	name, ok := ls.nextNonEmpty()
	if !ok {
		if err := ls.err(); err != nil {
			return nil, err
		}
		return nil, formatErr(file, 0, "name", "empty file")
	}
	in.Name = name
	if err := expect("VEHICLE"); err != nil {
		return nil, err
	}
	if err := expect("NUMBER"); err != nil {
		return nil, err
	}
	s, ok := ls.nextNonEmpty()
	if !ok {
		if err := ls.err(); err != nil {
			return nil, err
		}
		return nil, formatErr(file, ls.n, "vehicle", "unexpected end of file, want NUMBER CAPACITY values")
	}
	f := strings.Fields(s)
	if len(f) != 2 {
		return nil, formatErr(file, ls.n, "vehicle", "got %d fields, want 2 (number, capacity)", len(f))
	}
	fleet, err := parseInt(file, ls.n, "vehicle number", f[0], maxFleet)
	if err != nil {
		return nil, err
	}
	if fleet < 1 {
		return nil, formatErr(file, ls.n, "vehicle number", "%d, want at least 1", fleet)
	}
	in.Vehicles = int(fleet)
	if in.Capacity, err = parseInt(file, ls.n, "capacity", f[1], maxQty); err != nil {
		return nil, err
	}
	if in.Capacity < 1 {
		return nil, formatErr(file, ls.n, "capacity", "%d, want at least 1", in.Capacity)
	}
	if err := expect("CUSTOMER"); err != nil {
		return nil, err
	}
	if err := expect("CUST"); err != nil {
		return nil, err
	}
	lineOf := []int{}
	for {
		s, ok := ls.nextNonEmpty()
		if !ok {
			break
		}
		f := strings.Fields(s)
		if len(f) != 7 {
			return nil, formatErr(file, ls.n, "customer", "got %d fields, want 7 (number, x, y, demand, ready time, due date, service time)", len(f))
		}
		if len(in.Nodes) >= maxNodes {
			return nil, formatErr(file, ls.n, "customer", "more than %d nodes", maxNodes)
		}
		id, err := parseInt(file, ls.n, "customer number", f[0], maxNodes)
		if err != nil {
			return nil, err
		}
		if id != int64(len(in.Nodes)) {
			return nil, formatErr(file, ls.n, "customer number", "got %d, want %d (nodes numbered from 0, the depot)", id, len(in.Nodes))
		}
		n, err := parseNode(file, ls.n, f[1:])
		if err != nil {
			return nil, err
		}
		in.Nodes = append(in.Nodes, n)
		lineOf = append(lineOf, ls.n)
	}
	if err := ls.err(); err != nil {
		return nil, err
	}
	if len(in.Nodes) < 2 {
		return nil, formatErr(file, ls.n, "customer", "got %d nodes, want the depot and at least one customer", len(in.Nodes))
	}
	for i, n := range in.Nodes {
		if n.Demand < 0 {
			return nil, formatErr(file, lineOf[i], "demand", "%d is negative", n.Demand)
		}
		if n.Demand > in.Capacity {
			return nil, formatErr(file, lineOf[i], "demand", "%d exceeds the vehicle capacity %d", n.Demand, in.Capacity)
		}
	}
	if err := checkDepot(file, lineOf[0], in.Nodes[0]); err != nil {
		return nil, err
	}
	return in, nil
}

// parseNode parses x, y, demand, ready, due, service.
func parseNode(file string, line int, f []string) (Node, error) {
	var n Node
	var err error
	if n.X, err = parseNumber(file, line, "x", f[0], maxCoord); err != nil {
		return n, err
	}
	if n.Y, err = parseNumber(file, line, "y", f[1], maxCoord); err != nil {
		return n, err
	}
	if n.Demand, err = parseInt(file, line, "demand", f[2], maxQty); err != nil {
		return n, err
	}
	if n.Ready, err = parseNumber(file, line, "ready time", f[3], maxTime); err != nil {
		return n, err
	}
	if n.Due, err = parseNumber(file, line, "due date", f[4], maxTime); err != nil {
		return n, err
	}
	if n.Service, err = parseNumber(file, line, "service time", f[5], maxTime); err != nil {
		return n, err
	}
	if n.Ready < 0 {
		return n, formatErr(file, line, "ready time", "%g is negative", n.Ready)
	}
	if n.Due < n.Ready {
		return n, formatErr(file, line, "due date", "%g is before the ready time %g", n.Due, n.Ready)
	}
	if n.Service < 0 {
		return n, formatErr(file, line, "service time", "%g is negative", n.Service)
	}
	if scaleUp(n.Ready) > scaleDown(n.Due) {
		return n, formatErr(file, line, "due date", "window [%g, %g] is empty once scaled by %d", n.Ready, n.Due, Scale)
	}
	return n, nil
}

func checkDepot(file string, line int, d Node) error {
	if d.Demand != 0 {
		return formatErr(file, line, "demand", "depot demand is %d, want 0", d.Demand)
	}
	if d.Service != 0 {
		return formatErr(file, line, "service time", "depot service time is %g, want 0", d.Service)
	}
	return nil
}

// clip shortens s for error messages.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Problem converts the instance with the scaling described in the package
// documentation: job i is customer i at matrix row i, vehicles 1..Vehicles
// start and end at the depot (row 0) within its window.
func (in *VRPTW) Problem() *vrp.Problem {
	pts := make([]point, len(in.Nodes))
	for i, n := range in.Nodes {
		pts[i] = n.point()
	}
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{profile: scaledMatrices(pts)}}
	p.Vehicles = fleet(in.Vehicles, in.Capacity, in.Nodes[0])
	for i := 1; i < len(in.Nodes); i++ {
		n := in.Nodes[i]
		p.Jobs = append(p.Jobs, vrp.Job{
			ID:          uint64(i),
			Location:    indexLocation(i),
			Service:     scaleUp(n.Service),
			Delivery:    vrp.Amount{n.Demand},
			TimeWindows: []vrp.TimeWindow{{Start: scaleUp(n.Ready), End: scaleDown(n.Due)}},
		})
	}
	return p
}

// fleet makes k identical vehicles at the depot (row 0).
func fleet(k int, capacity int64, depot Node) []vrp.Vehicle {
	vs := make([]vrp.Vehicle, k)
	for i := range vs {
		start, end := indexLocation(0), indexLocation(0)
		vs[i] = vrp.Vehicle{
			ID:            uint64(i + 1),
			Profile:       profile,
			Start:         &start,
			End:           &end,
			Capacity:      vrp.Amount{capacity},
			TimeWindow:    &vrp.TimeWindow{Start: scaleUp(depot.Ready), End: scaleDown(depot.Due)},
			Costs:         distanceCosts,
			MaxTasks:      -1,
			MaxTravelTime: -1,
			MaxDistance:   -1,
		}
	}
	return vs
}

// instanceName is the file's base name without extension, the key of the
// BKS tables.
func instanceName(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}
