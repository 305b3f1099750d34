package roads

import (
	"context"
	"math"
	"slices"
	"testing"
)

// toyNetwork builds a network from ways given as node id lists; node i
// lies at the coordinates of pos[i] (degrees of lon, lat).
type toyWay struct {
	id    int64
	nodes []int64
	tags  []string
}

func toyGraph(t *testing.T, pos map[int64][2]float64, ways []toyWay, flags map[int64]nodeFlags, restr []restriction) *Graph {
	t.Helper()
	n := &network{restrictions: restr}
	for _, w := range ways {
		a, ok := carWay(tags(w.tags...))
		if !ok {
			t.Fatalf("way %d is not drivable", w.id)
		}
		start := len(n.refs)
		n.refs = append(n.refs, w.nodes...)
		n.ways = append(n.ways, wayRec{id: w.id, attr: a, refs: [2]int{start, len(n.refs)}})
	}
	n.ids = slices.Clone(n.refs)
	slices.Sort(n.ids)
	n.ids = slices.Compact(n.ids)
	for _, id := range n.ids {
		p := pos[id]
		n.lon = append(n.lon, int32(math.Round(p[0]*1e7)))
		n.lat = append(n.lat, int32(math.Round(p[1]*1e7)))
		n.flags = append(n.flags, flags[id])
	}
	g, err := n.build(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// A T junction: A(1) – B(2) – C(3) along the equator, B – D(4) north,
// each 0.001° (111 m) long; C is a dead end.
var tPos = map[int64][2]float64{1: {0, 0}, 2: {0.001, 0}, 3: {0.002, 0}, 4: {0.001, 0.001}}

func tWays(extra ...string) []toyWay {
	res := append([]string{"highway", "residential"}, extra...)
	return []toyWay{
		{1, []int64{1, 2}, res},
		{2, []int64{2, 3}, res},
		{3, []int64{2, 4}, []string{"highway", "residential"}},
	}
}

func route(t *testing.T, g *Graph, from, to [2]float64) (*Route, error) {
	t.Helper()
	a, err := g.Snap(0, from[0], from[1], 50)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Snap(1, to[0], to[1], 50)
	if err != nil {
		t.Fatal(err)
	}
	r, err := g.Route(a, b)
	if err == nil {
		w, _, _, ok := g.referenceRoute(a, b)
		if !ok || w != r.Weight {
			t.Errorf("hierarchy weight %d, Dijkstra %d (%v)", r.Weight, w, ok)
		}
		tab, err := g.Table(context.Background(), []Phantom{a}, []Phantom{b})
		if err != nil || tab.Weights[0] != r.Weight || tab.Durations[0] != r.Duration {
			t.Errorf("table %v %v, route %d/%d", tab, err, r.Weight, r.Duration)
		}
	}
	return r, err
}

func TestToyNetworks(t *testing.T) {
	nearA := [2]float64{0.0002, 0} // on A–B, 22 m from A
	nearD := [2]float64{0.001, 0.0008}
	// 25 km/h: 111 m take 16 s; the direct route A→D is ~89 m + 89 m.
	direct := func(t *testing.T, g *Graph) float64 {
		r, err := route(t, g, nearA, nearD)
		if err != nil {
			t.Fatal(err)
		}
		return r.Seconds()
	}
	base := toyGraph(t, tPos, tWays(), nil, nil)
	plain := direct(t, base)
	// Left turn (A→B heading east, then north): about 5.4 s of turn cost.
	if plain < 25.6+5 || plain > 25.6+6 {
		t.Errorf("direct route %.1f s, want 25.6 s of driving and a ~5.4 s left turn", plain)
	}

	t.Run("no_left_turn forces a U-turn at the dead end", func(t *testing.T) {
		g := toyGraph(t, tPos, tWays(), nil, []restriction{{from: 1, via: 2, to: 3}})
		r, err := route(t, g, nearA, nearD)
		if err != nil {
			t.Fatal(err)
		}
		// Detour: B→C→B (2 × 16 s), a U-turn at C (20 s + ~7.5 s), a
		// right turn at B.
		if d := r.Seconds() - plain; d < 55 || d > 70 {
			t.Errorf("route %.1f s, %.1f s more than the direct one", r.Seconds(), d)
		}
		pts := r.Points()
		reachedC := false
		for _, p := range pts {
			if math.Abs(p[0]-0.002) < 1e-9 {
				reachedC = true
			}
		}
		if !reachedC {
			t.Errorf("route does not turn at C: %v", pts)
		}
	})
	t.Run("only_straight_on", func(t *testing.T) {
		g := toyGraph(t, tPos, tWays(), nil, []restriction{{from: 1, via: 2, to: 2, only: true}})
		r, err := route(t, g, nearA, nearD)
		if err != nil {
			t.Fatal(err)
		}
		if r.Seconds() < plain+55 {
			t.Errorf("route %.1f s ignores only_straight_on", r.Seconds())
		}
	})
	t.Run("traffic signal", func(t *testing.T) {
		g := toyGraph(t, tPos, tWays(), map[int64]nodeFlags{2: flagSignal}, nil)
		if d := direct(t, g) - plain; math.Abs(d-2) > 0.05 {
			t.Errorf("signal adds %.1f s, want 2", d)
		}
	})
	// A square A(1)–B(2)–D(4)–E(5) with a dead-end spur A–F(6): the
	// spur's U-turn joins the two directions of the square.
	sqPos := map[int64][2]float64{1: {0, 0}, 2: {0.001, 0}, 4: {0.001, 0.001}, 5: {0, 0.001}, 6: {-0.001, 0}}
	square := func(deTags ...string) []toyWay {
		res := []string{"highway", "residential"}
		return []toyWay{
			{1, []int64{1, 2}, res},
			{3, []int64{2, 4}, res},
			{4, []int64{4, 5}, append(append([]string{}, res...), deTags...)},
			{5, []int64{5, 1}, res},
			{6, []int64{6, 1}, res},
		}
	}
	t.Run("oneway", func(t *testing.T) {
		g := toyGraph(t, sqPos, square("oneway", "yes"), nil, nil) // D→E only
		onAE, onDE := [2]float64{0, 0.0005}, [2]float64{0.0005, 0.001}
		against, err := route(t, g, onAE, onDE)
		if err != nil {
			t.Fatal(err)
		}
		along, err := route(t, g, onDE, onAE)
		if err != nil {
			t.Fatal(err)
		}
		// Along: 55 m + 55 m. Against: round by A, B and D.
		if math.Abs(along.Metres()-111) > 1 || against.Metres() < 330 {
			t.Errorf("along the oneway %.0f m, against it %.0f m", along.Metres(), against.Metres())
		}
	})
	t.Run("destination behind the start", func(t *testing.T) {
		// A oneway triangle B(2)→C(3)→G(6)→B fed by A–B: from a point on
		// B→C to one behind it, round the triangle.
		pos := map[int64][2]float64{1: {0, 0}, 2: {0.001, 0}, 3: {0.002, 0}, 6: {0.0015, 0.0008}}
		ow := []string{"highway", "residential", "oneway", "yes"}
		g := toyGraph(t, pos, []toyWay{
			{1, []int64{1, 2}, []string{"highway", "residential"}},
			{2, []int64{2, 3, 6, 2}, ow},
		}, nil, nil)
		r, err := route(t, g, [2]float64{0.0016, 0}, [2]float64{0.0012, 0})
		if err != nil {
			t.Fatal(err)
		}
		want := segLength(0, 16000, 0, 20000) + 2*segLength(0, 20000, 8000, 15000) + segLength(0, 10000, 0, 12000)
		if math.Abs(r.Metres()-want) > 1 {
			t.Errorf("route %.1f m, want %.1f m round the triangle", r.Metres(), want)
		}
		// Ahead: straight there.
		r, err = route(t, g, [2]float64{0.0012, 0}, [2]float64{0.0016, 0})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.Metres()-44.5) > 1 {
			t.Errorf("route ahead: %.1f m, want 44.5", r.Metres())
		}
	})
	t.Run("barrier", func(t *testing.T) {
		g := toyGraph(t, tPos, tWays(), map[int64]nodeFlags{2: flagBarrier}, nil)
		// Nothing passes B: the three stubs are separate; only the
		// largest (ties: the first) remains snappable.
		snappable := 0
		for r := range g.NumRoads() {
			if g.snappable[r] {
				snappable++
			}
		}
		if snappable != 1 {
			t.Errorf("%d snappable roads, want 1", snappable)
		}
	})
	t.Run("private road only at trip ends", func(t *testing.T) {
		// B–D private: from A–B to E–D, round by A and E although through
		// B–D is as short.
		ways := square()
		ways[1].tags = []string{"highway", "residential", "access", "private"}
		g := toyGraph(t, sqPos, ways, nil, nil)
		r, err := route(t, g, [2]float64{0.0005, 0}, [2]float64{0.0005, 0.001})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Points() {
			if p[0] > 0.0009 {
				t.Errorf("route enters the private road: %v", r.Points())
				break
			}
		}
		// Ending on the private road is allowed.
		if _, err := route(t, g, [2]float64{0.0005, 0}, [2]float64{0.001, 0.0005}); err != nil {
			t.Errorf("route to the private road: %v", err)
		}
	})
}
