// Package roads is lastmile's road engine: it imports OpenStreetMap
// extracts into a car road graph, preprocesses it with contraction
// hierarchies on the turn-expanded network, and answers routes and travel
// time matrices. Its car profile follows OSRM's car profile (class speeds,
// maxspeed, oneways, access tags, turn restrictions, turn and traffic
// signal costs), so that its travel times agree with OSRM's.
//
// A Graph is built by Import (from a PBF stream) or read by ReadGraph
// (from a file written by WriteTo). It is safe for concurrent queries.
// Source wraps a Graph as a vrp.TravelSource.
//
// Data derived from OpenStreetMap is © OpenStreetMap contributors,
// available under the Open Database License.
package roads

import (
	"math"
	"sort"
)

// Graph is a preprocessed car road graph.
//
// Roads are stretches of OSM ways between junctions; a road r has two
// directed roads 2r (along the way) and 2r+1 (against it). Each routable
// directed road is a node of the turn-expanded graph, and an edge is an
// allowed turn, so that turn costs and restrictions are exact. Costs are
// integers in tenths: weight and duration in deciseconds, distance in
// decimetres.
type Graph struct {
	// Roads.
	geomOff    []uint32 // len roads+1: road r's points are [geomOff[r], geomOff[r+1])
	lat, lon   []int32  // E7 degrees
	speed      [][2]float32
	rate       [][2]float32
	name       []uint32 // index in names
	restricted []bool
	length     []int32 // decimetres
	snappable  []bool  // a direction lies in the strongly connected core
	names      []string

	// Directed roads.
	ebW, ebDur []int32  // full traversal weight and duration
	ebNode     []uint32 // hierarchy node of a directed road, noNode when not routable

	// Hierarchy, nodes numbered by rank.
	nodeEB             []uint32 // directed road of a node
	fwdFirst, bwdFirst []uint32
	fwdEdges, bwdEdges []chEdge
	loops              []loopRec // sorted by node

	// Not stored: the plain turn graph (after import only, for reference
	// searches) and the snapping index (built on load).
	turns *ebGraph
	grid  *grid
	stats ImportStats
}

// Stats returns what the import kept and dropped.
func (g *Graph) Stats() ImportStats { return g.stats }

// NumNodes returns the number of nodes of the turn-expanded graph (routable
// directed roads).
func (g *Graph) NumNodes() int { return len(g.nodeEB) }

// NumEdges returns the number of edges of the hierarchy (turns and
// shortcuts, upward and downward).
func (g *Graph) NumEdges() int { return len(g.fwdEdges) + len(g.bwdEdges) }

// NumRoads returns the number of roads.
func (g *Graph) NumRoads() int { return len(g.name) }

// Bounds returns the bounding box of the graph's points in degrees.
func (g *Graph) Bounds() (minLon, minLat, maxLon, maxLat float64) {
	if g.grid == nil {
		return 0, 0, 0, 0
	}
	return float64(g.grid.minLon) / 1e7, float64(g.grid.minLat) / 1e7,
		float64(g.grid.maxLon) / 1e7, float64(g.grid.maxLat) / 1e7
}

func sortLoops(ls []loopRec) {
	sort.Slice(ls, func(i, j int) bool { return ls[i].node < ls[j].node })
}

// loop returns the loop record of node x, if any.
func (g *Graph) loop(x uint32) (loopRec, bool) {
	i := sort.Search(len(g.loops), func(i int) bool { return g.loops[i].node >= x })
	if i < len(g.loops) && g.loops[i].node == x {
		return g.loops[i], true
	}
	return loopRec{}, false
}

// roadOf returns the road of geometry point index k (k is a segment start).
func (g *Graph) roadOf(k uint32) int {
	return sort.Search(len(g.geomOff)-1, func(r int) bool { return g.geomOff[r+1] > k })
}

// inf is the weight of unreachable nodes.
const inf = math.MaxInt32 / 2

// memoryBytes returns the bytes held by the graph's arrays (the query
// structures and the snapping index, not the import-only turn graph).
func (g *Graph) memoryBytes() int {
	n := 4*len(g.geomOff) + 4*len(g.lat) + 4*len(g.lon) + 8*len(g.speed) + 8*len(g.rate) + 4*len(g.name) +
		len(g.restricted) + len(g.snappable) + 4*len(g.length) + 4*len(g.ebW) + 4*len(g.ebDur) + 4*len(g.ebNode) +
		4*len(g.nodeEB) + 4*len(g.fwdFirst) + 4*len(g.bwdFirst) + 20*len(g.fwdEdges) + 20*len(g.bwdEdges) + 20*len(g.loops)
	for _, s := range g.names {
		n += 16 + len(s)
	}
	if g.grid != nil {
		n += 4*len(g.grid.first) + 4*len(g.grid.segs)
	}
	return n
}
