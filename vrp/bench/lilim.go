package bench

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lastmile-dev/lastmile/vrp"
)

// PDNode is one node of a Li & Lim instance: a Node plus the indices linking
// a pickup to its delivery.
type PDNode struct {
	Node
	Pickup   int // for a delivery: its pickup node; 0 otherwise
	Delivery int // for a pickup: its delivery node; 0 otherwise
}

// PDPTW is a Li & Lim pickup-and-delivery instance. Nodes[0] is the depot; a
// pickup has a positive demand and a delivery the opposite demand.
type PDPTW struct {
	Name     string
	Vehicles int
	Capacity int64
	Speed    float64 // as in the file; unused: travel time equals distance
	Nodes    []PDNode
}

// ReadLiLimFile reads a Li & Lim instance file.
func ReadLiLimFile(path string) (*PDPTW, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read li&lim: %w", err)
	}
	defer f.Close()
	return ReadLiLim(f, path)
}

// ReadLiLim reads the Li & Lim layout: a first line "vehicles capacity
// speed", then one line per node "id x y demand ready due service pickup
// delivery", separated by tabs or spaces. file names the input in errors.
func ReadLiLim(r io.Reader, file string) (*PDPTW, error) {
	in, err := readLiLim(r, file)
	if err != nil {
		return nil, fmt.Errorf("read li&lim: %w", err)
	}
	in.Name = instanceName(file)
	return in, nil
}

func readLiLim(r io.Reader, file string) (*PDPTW, error) {
	ls := newLines(r, file)
	in := &PDPTW{}
	s, ok := ls.nextNonEmpty()
	if !ok {
		if err := ls.err(); err != nil {
			return nil, err
		}
		return nil, formatErr(file, 0, "header", "empty file")
	}
	f := strings.Fields(s)
	if len(f) != 3 {
		return nil, formatErr(file, ls.n, "header", "got %d fields, want 3 (vehicles, capacity, speed)", len(f))
	}
	k, err := parseInt(file, ls.n, "vehicles", f[0], maxFleet)
	if err != nil {
		return nil, err
	}
	if k < 1 {
		return nil, formatErr(file, ls.n, "vehicles", "%d, want at least 1", k)
	}
	in.Vehicles = int(k)
	if in.Capacity, err = parseInt(file, ls.n, "capacity", f[1], maxQty); err != nil {
		return nil, err
	}
	if in.Capacity < 1 {
		return nil, formatErr(file, ls.n, "capacity", "%d, want at least 1", in.Capacity)
	}
	if in.Speed, err = parseNumber(file, ls.n, "speed", f[2], maxQty); err != nil {
		return nil, err
	}
	var lineOf []int
	for {
		s, ok := ls.nextNonEmpty()
		if !ok {
			break
		}
		f := strings.Fields(s)
		if len(f) != 9 {
			return nil, formatErr(file, ls.n, "node", "got %d fields, want 9 (id, x, y, demand, ready, due, service, pickup, delivery)", len(f))
		}
		if len(in.Nodes) >= maxNodes {
			return nil, formatErr(file, ls.n, "node", "more than %d nodes", maxNodes)
		}
		id, err := parseInt(file, ls.n, "id", f[0], maxNodes)
		if err != nil {
			return nil, err
		}
		if id != int64(len(in.Nodes)) {
			return nil, formatErr(file, ls.n, "id", "got %d, want %d (nodes numbered from 0, the depot)", id, len(in.Nodes))
		}
		n, err := parseNode(file, ls.n, f[1:7])
		if err != nil {
			return nil, err
		}
		pi, err := parseInt(file, ls.n, "pickup index", f[7], maxNodes)
		if err != nil {
			return nil, err
		}
		di, err := parseInt(file, ls.n, "delivery index", f[8], maxNodes)
		if err != nil {
			return nil, err
		}
		in.Nodes = append(in.Nodes, PDNode{Node: n, Pickup: int(pi), Delivery: int(di)})
		lineOf = append(lineOf, ls.n)
	}
	if err := ls.err(); err != nil {
		return nil, err
	}
	if len(in.Nodes) < 3 {
		return nil, formatErr(file, ls.n, "node", "got %d nodes, want the depot and at least one pickup-delivery pair", len(in.Nodes))
	}
	d := in.Nodes[0]
	if err := checkDepot(file, lineOf[0], d.Node); err != nil {
		return nil, err
	}
	if d.Pickup != 0 || d.Delivery != 0 {
		return nil, formatErr(file, lineOf[0], "pickup index", "depot links to nodes %d and %d, want 0 0", d.Pickup, d.Delivery)
	}
	for i := 1; i < len(in.Nodes); i++ {
		if err := in.checkPair(file, lineOf[i], i); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// checkPair validates node i's link to its sibling.
func (in *PDPTW) checkPair(file string, line, i int) error {
	n := in.Nodes[i]
	valid := func(j int) bool { return j >= 1 && j < len(in.Nodes) && j != i }
	switch {
	case n.Demand > 0:
		if n.Pickup != 0 {
			return formatErr(file, line, "pickup index", "pickup node %d names pickup %d, want 0", i, n.Pickup)
		}
		if !valid(n.Delivery) {
			return formatErr(file, line, "delivery index", "pickup node %d names delivery %d, not a customer node", i, n.Delivery)
		}
		s := in.Nodes[n.Delivery]
		if s.Pickup != i || s.Delivery != 0 || s.Demand != -n.Demand {
			return formatErr(file, line, "delivery index", "pickup node %d (demand %d) and node %d (pickup %d, delivery %d, demand %d) do not match", i, n.Demand, n.Delivery, s.Pickup, s.Delivery, s.Demand)
		}
		if n.Demand > in.Capacity {
			return formatErr(file, line, "demand", "%d exceeds the vehicle capacity %d", n.Demand, in.Capacity)
		}
	case n.Demand < 0:
		if n.Delivery != 0 {
			return formatErr(file, line, "delivery index", "delivery node %d names delivery %d, want 0", i, n.Delivery)
		}
		if !valid(n.Pickup) {
			return formatErr(file, line, "pickup index", "delivery node %d names pickup %d, not a customer node", i, n.Pickup)
		}
		s := in.Nodes[n.Pickup]
		if s.Delivery != i || s.Demand != -n.Demand {
			return formatErr(file, line, "pickup index", "delivery node %d (demand %d) and node %d (delivery %d, demand %d) do not match", i, n.Demand, n.Pickup, s.Delivery, s.Demand)
		}
	default:
		return formatErr(file, line, "demand", "node %d has demand 0: neither a pickup nor a delivery", i)
	}
	return nil
}

// Problem converts the instance with the scaling described in the package
// documentation: one shipment per pickup node, whose pickup and delivery
// steps carry the ids of their nodes (also their matrix rows).
func (in *PDPTW) Problem() *vrp.Problem {
	pts := make([]point, len(in.Nodes))
	for i, n := range in.Nodes {
		pts[i] = n.point()
	}
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{profile: scaledMatrices(pts)}}
	p.Vehicles = fleet(in.Vehicles, in.Capacity, in.Nodes[0].Node)
	step := func(i int) vrp.ShipmentStep {
		n := in.Nodes[i]
		return vrp.ShipmentStep{
			ID:          uint64(i),
			Location:    indexLocation(i),
			Service:     scaleUp(n.Service),
			TimeWindows: []vrp.TimeWindow{{Start: scaleUp(n.Ready), End: scaleDown(n.Due)}},
		}
	}
	for i := 1; i < len(in.Nodes); i++ {
		n := in.Nodes[i]
		if n.Demand <= 0 {
			continue
		}
		p.Shipments = append(p.Shipments, vrp.Shipment{
			Pickup:   step(i),
			Delivery: step(n.Delivery),
			Amount:   vrp.Amount{n.Demand},
		})
	}
	return p
}
