package roads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
)

// ImportOptions tune Import.
type ImportOptions struct {
	// Procs is the number of goroutines decoding PBF blocks; 0 means
	// GOMAXPROCS.
	Procs int

	// noTurnCosts drops turn and traffic signal costs (restrictions
	// stay), to measure what they contribute.
	noTurnCosts bool
}

// ImportStats describe what an import kept and dropped.
type ImportStats struct {
	Ways            int // OSM ways drivable by car
	Nodes           int // OSM nodes of those ways with coordinates
	MissingNodes    int // way nodes absent from the file (segments dropped)
	Restrictions    int // turn restriction relations read
	RestrictionsUse int // of those, applied (via-node, both ways drivable)
	Roads           int // road segments between junctions in the graph
	Turns           int // allowed turns between directed roads
	DroppedRoads    int // directed roads neither reaching nor reached from the largest strongly connected component
	Shortcuts       int // shortcuts added by contraction
}

// ErrNoRoads is returned by Import for an extract without drivable roads.
var ErrNoRoads = errors.New("no drivable roads")

// ImportFile imports the OpenStreetMap PBF file at path; see Import.
func ImportFile(ctx context.Context, path string, opt ImportOptions) (*Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("roads import: %w", err)
	}
	f.Close()
	return Import(ctx, func() (io.ReadCloser, error) { return os.Open(path) }, opt)
}

// Import builds a car road graph from an OpenStreetMap PBF stream. open is
// called twice (ways and relations first, then the nodes they use), so the
// file is streamed and never held in memory. The graph keeps the largest
// strongly connected component of the turn-expanded network and is
// preprocessed for queries (contraction hierarchies).
func Import(ctx context.Context, open func() (io.ReadCloser, error), opt ImportOptions) (*Graph, error) {
	procs := opt.Procs
	if procs <= 0 {
		procs = runtime.GOMAXPROCS(0)
	}
	net, err := readNetwork(ctx, open, procs)
	if err != nil {
		return nil, fmt.Errorf("roads import: %w", err)
	}
	g, err := net.build(ctx, !opt.noTurnCosts)
	if err != nil {
		return nil, fmt.Errorf("roads import: %w", err)
	}
	return g, nil
}

// wayRec is one drivable way kept from the first pass.
type wayRec struct {
	id         int64
	attr       wayAttr
	refs       [2]int // range in network.refs
	restricted bool
}

type restriction struct {
	from, to int64 // way ids
	via      int64 // node id
	only     bool
}

// network is the raw drivable network read from the PBF.
type network struct {
	ways         []wayRec
	refs         []int64 // node ids of all ways, concatenated
	restrictions []restriction
	ids          []int64 // sorted unique node ids used by ways
	lat, lon     []int32 // E7, by index in ids; math.MinInt32 when missing
	flags        []nodeFlags
	stats        ImportStats
}

func scanError(err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("reading PBF: file is truncated: %w", err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	default:
		return fmt.Errorf("reading PBF: not a valid OpenStreetMap PBF file: %w", err)
	}
}

// scanPBF runs one pass over the PBF, calling fn for each object that
// passes the scanner's filters (set by setup).
func scanPBF(ctx context.Context, open func() (io.ReadCloser, error), procs int, setup func(*osmpbf.Scanner), fn func(osm.Object)) error {
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	sc := osmpbf.New(ctx, newPBFGuard(r), procs)
	defer sc.Close()
	setup(sc)
	// The header block must be an OSMHeader: anything else is not a PBF.
	if _, err := sc.Header(); err != nil {
		return scanError(err)
	}
	for sc.Scan() {
		fn(sc.Object())
	}
	if err := sc.Err(); err != nil {
		return scanError(err)
	}
	return ctx.Err()
}

func readNetwork(ctx context.Context, open func() (io.ReadCloser, error), procs int) (*network, error) {
	n := &network{}
	// Pass 1: drivable ways and turn restrictions. The filters run in the
	// decoding goroutines and let the scanner reuse the memory of what
	// they reject.
	setup1 := func(sc *osmpbf.Scanner) {
		sc.SkipNodes = true
		sc.FilterWay = func(w *osm.Way) bool {
			if len(w.Nodes) < 2 {
				return false
			}
			_, ok := carWay(w.Tags)
			return ok
		}
		sc.FilterRelation = func(r *osm.Relation) bool { return r.Tags.Find("type") == "restriction" }
	}
	err := scanPBF(ctx, open, procs, setup1, func(o osm.Object) {
		switch o := o.(type) {
		case *osm.Way:
			a, ok := carWay(o.Tags)
			if !ok {
				return
			}
			start := len(n.refs)
			for _, wn := range o.Nodes {
				n.refs = append(n.refs, int64(wn.ID))
			}
			n.ways = append(n.ways, wayRec{id: int64(o.ID), attr: a, refs: [2]int{start, len(n.refs)}})
		case *osm.Relation:
			if r, ok := parseRestriction(o); ok {
				n.restrictions = append(n.restrictions, r)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if len(n.ways) == 0 {
		return nil, ErrNoRoads
	}
	// Return the first pass's block buffers before the second allocates
	// its own: the import's peak memory is what matters at scale.
	debug.FreeOSMemory()
	n.stats.Ways = len(n.ways)
	n.stats.Restrictions = len(n.restrictions)
	n.ids = slices.Clone(n.refs)
	slices.Sort(n.ids)
	n.ids = slices.Compact(n.ids)
	n.lat = make([]int32, len(n.ids))
	n.lon = make([]int32, len(n.ids))
	n.flags = make([]nodeFlags, len(n.ids))
	for i := range n.lat {
		n.lat[i] = math.MinInt32
	}
	// Pass 2: the coordinates and tags of the ways' nodes, stored by the
	// filter (each node id has its own slot, so the decoding goroutines
	// never write to the same one).
	setup2 := func(sc *osmpbf.Scanner) {
		sc.SkipWays, sc.SkipRelations = true, true
		sc.FilterNode = func(nd *osm.Node) bool {
			i, found := slices.BinarySearch(n.ids, int64(nd.ID))
			if !found || !(nd.Lat >= -90 && nd.Lat <= 90 && nd.Lon >= -180 && nd.Lon <= 180) {
				return false
			}
			n.lat[i] = int32(math.Round(nd.Lat * 1e7))
			n.lon[i] = int32(math.Round(nd.Lon * 1e7))
			if len(nd.Tags) > 0 {
				n.flags[i] = carNode(nd.Tags)
			}
			return false
		}
	}
	err = scanPBF(ctx, open, procs, setup2, func(osm.Object) {})
	if err != nil {
		return nil, err
	}
	debug.FreeOSMemory()
	for _, la := range n.lat {
		if la == math.MinInt32 {
			n.stats.MissingNodes++
		}
	}
	n.stats.Nodes = len(n.ids) - n.stats.MissingNodes
	return n, nil
}

// parseRestriction reads a via-node turn restriction that applies to cars.
func parseRestriction(rel *osm.Relation) (restriction, bool) {
	var r restriction
	if rel.Tags.Find("type") != "restriction" {
		return r, false
	}
	kind := ""
	for _, k := range [...]string{"restriction:motorcar", "restriction:motor_vehicle", "restriction:vehicle", "restriction"} {
		if v := rel.Tags.Find(k); v != "" {
			kind = v
			break
		}
	}
	switch {
	case len(kind) > 3 && kind[:3] == "no_":
	case len(kind) > 5 && kind[:5] == "only_":
		r.only = true
	default:
		return r, false
	}
	if ex := rel.Tags.Find("except"); ex != "" {
		for _, v := range splitList(ex) {
			if v == "motorcar" || v == "motor_vehicle" || v == "vehicle" {
				return r, false
			}
		}
	}
	var nFrom, nTo, nVia int
	for _, m := range rel.Members {
		switch {
		case m.Role == "from" && m.Type == osm.TypeWay:
			r.from = m.Ref
			nFrom++
		case m.Role == "to" && m.Type == osm.TypeWay:
			r.to = m.Ref
			nTo++
		case m.Role == "via":
			if m.Type != osm.TypeNode {
				return r, false // via-way restrictions are not supported
			}
			r.via = m.Ref
			nVia++
		}
	}
	return r, nFrom == 1 && nTo == 1 && nVia == 1
}

func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ';' {
			v := s[start:i]
			for len(v) > 0 && v[0] == ' ' {
				v = v[1:]
			}
			for len(v) > 0 && v[len(v)-1] == ' ' {
				v = v[:len(v)-1]
			}
			out = append(out, v)
			start = i + 1
		}
	}
	return out
}

// nodeIndex returns the index of OSM node id in n.ids, or -1.
func (n *network) nodeIndex(id int64) int {
	i := sort.Search(len(n.ids), func(i int) bool { return n.ids[i] >= id })
	if i < len(n.ids) && n.ids[i] == id {
		return i
	}
	return -1
}
