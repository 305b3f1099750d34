package roads

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

var extracts = []string{"monaco", "andorra", "heidelberg"}

// agreement summarises how a table compares with OSRM's.
type agreement struct {
	pairs                  int
	durWithin, distWithin  float64 // share of pairs within ±5 %
	medianAbs              float64 // median absolute relative duration error
	medianSigned           float64
	unroutable, oursExtra  int // OSRM routes and we do not; the reverse
	maxOverDur, maxUnderDu float64
}

func compareTables(ref *refTable, tab *Table) agreement {
	var a agreement
	var errs []float64
	n := tab.Rows
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			od, odist := ref.Durations[i][j], ref.Distances[i][j]
			d := tab.Durations[i*n+j]
			switch {
			case od == nil && d < 0:
				continue
			case od == nil:
				a.oursExtra++
				continue
			case d < 0:
				a.unroutable++
				continue
			}
			a.pairs++
			e := (float64(d)/10 - *od) / math.Max(*od, 1)
			errs = append(errs, e)
			if math.Abs(e) <= 0.05 {
				a.durWithin++
			}
			if math.Abs(float64(tab.Distances[i*n+j])/10-*odist) <= 0.05*math.Max(*odist, 1) {
				a.distWithin++
			}
		}
	}
	a.durWithin /= float64(a.pairs)
	a.distWithin /= float64(a.pairs)
	sort.Float64s(errs)
	a.medianSigned = errs[len(errs)/2]
	a.maxUnderDu, a.maxOverDur = errs[0], errs[len(errs)-1]
	for i := range errs {
		errs[i] = math.Abs(errs[i])
	}
	sort.Float64s(errs)
	a.medianAbs = errs[len(errs)/2]
	return a
}

// TestAgreementWithOSRM checks the 500×500 tables against OSRM v6's
// answers: durations within ±5 % on at least 90 % of pairs with a median
// absolute error of at most 2 %, distances within ±5 % on 90 %, and every
// pair OSRM routes routed.
func TestAgreementWithOSRM(t *testing.T) {
	for _, name := range extracts {
		t.Run(name, func(t *testing.T) {
			g := extract(t, name)
			pts := snapAll(t, g, readPoints(t, name))
			tab, err := g.Table(context.Background(), pts, pts)
			if err != nil {
				t.Fatal(err)
			}
			a := compareTables(readTable(t, name, 500), tab)
			t.Logf("%s: %d pairs, durations within 5%%: %.2f%%, median |error| %.2f%% (signed %.2f%%), distances within 5%%: %.2f%%",
				name, a.pairs, 100*a.durWithin, 100*a.medianAbs, 100*a.medianSigned, 100*a.distWithin)
			if a.durWithin < 0.90 {
				t.Errorf("durations within 5%% on %.2f%% of pairs, want >= 90%%", 100*a.durWithin)
			}
			if a.medianAbs > 0.02 {
				t.Errorf("median absolute duration error %.2f%%, want <= 2%%", 100*a.medianAbs)
			}
			if a.distWithin < 0.90 {
				t.Errorf("distances within 5%% on %.2f%% of pairs, want >= 90%%", 100*a.distWithin)
			}
			if a.unroutable > 0 {
				t.Errorf("%d pairs that OSRM routes are unroutable", a.unroutable)
			}
		})
	}
}

// TestTableMatches100 checks that the first 100 points give the block of
// the 100×100 reference too (the same points, a smaller request).
func TestTableMatches100(t *testing.T) {
	g := extract(t, "monaco")
	pts := snapAll(t, g, readPoints(t, "monaco"))[:100]
	tab, err := g.Table(context.Background(), pts, pts)
	if err != nil {
		t.Fatal(err)
	}
	a := compareTables(readTable(t, "monaco", 100), tab)
	if a.durWithin < 0.9 || a.unroutable > 0 {
		t.Errorf("100×100: %+v", a)
	}
}

// TestRoutes checks single routes against OSRM's route pairs, against the
// table, and against a plain Dijkstra search on the turn graph.
func TestRoutes(t *testing.T) {
	for _, name := range extracts {
		t.Run(name, func(t *testing.T) {
			g := extract(t, name)
			pts := snapAll(t, g, readPoints(t, name))
			within := 0
			pairs := readPairs(t, name)
			for _, p := range pairs {
				r, err := g.Route(pts[p.src], pts[p.dst])
				if err != nil {
					t.Fatalf("%d→%d: %v", p.src, p.dst, err)
				}
				w, dur, dist, ok := g.referenceRoute(pts[p.src], pts[p.dst])
				// Routes of equal weight may differ in duration and distance.
				if !ok || r.Weight != w || math.Abs(float64(r.Duration-dur)) > 0.01*float64(dur)+5 || math.Abs(float64(r.Distance-dist)) > 0.01*float64(dist)+50 {
					t.Errorf("%d→%d: hierarchy %d/%d/%d, Dijkstra %d/%d/%d", p.src, p.dst, r.Weight, r.Duration, r.Distance, w, dur, dist)
				}
				if math.Abs(r.Seconds()-p.duration) <= 0.05*p.duration {
					within++
				}
				pl := r.Points()
				if len(pl) < 2 {
					t.Fatalf("%d→%d: geometry of %d points", p.src, p.dst, len(pl))
				}
				if d := polylineLength(pl); math.Abs(d-r.Metres()) > 0.01*r.Metres()+2 {
					t.Errorf("%d→%d: geometry is %.1f m long, route %.1f m", p.src, p.dst, d, r.Metres())
				}
			}
			if share := float64(within) / float64(len(pairs)); share < 0.9 {
				t.Errorf("routes within 5%% of OSRM: %.2f%%", 100*share)
			}
		})
	}
}

func polylineLength(pts [][2]float64) float64 {
	var d float64
	for i := 1; i < len(pts); i++ {
		d += haversineDeg(pts[i-1][1], pts[i-1][0], pts[i][1], pts[i][0])
	}
	return d
}

// TestHierarchyMatchesDijkstra compares routes between random road points,
// including points on the same road, with plain Dijkstra searches.
func TestHierarchyMatchesDijkstra(t *testing.T) {
	g := extract(t, "andorra")
	rng := rand.New(rand.NewPCG(1, 2))
	var pts []Phantom
	for len(pts) < 300 {
		r := rng.IntN(g.NumRoads())
		if g.ebNode[2*r] == noNode && g.ebNode[2*r+1] == noNode {
			continue
		}
		k := g.geomOff[r] + uint32(rng.IntN(int(g.geomOff[r+1]-g.geomOff[r]-1)))
		pts = append(pts, g.phantomAt(k, rng.Float64(), 0, 0))
		// A second point on the same road, either side.
		pts = append(pts, g.phantomAt(k, rng.Float64(), 0, 0))
	}
	tab, err := g.Table(context.Background(), pts, pts)
	if err != nil {
		t.Fatal(err)
	}
	n := len(pts)
	for k := 0; k < 600; k++ {
		i, j := rng.IntN(n), rng.IntN(n)
		if k%2 == 0 {
			i, j = 2*(k/2%(n/2)), 2*(k/2%(n/2))+1
			if k%4 == 0 {
				i, j = j, i
			}
		}
		w, dur, _, ok := g.referenceRoute(pts[i], pts[j])
		r, err := g.Route(pts[i], pts[j])
		if !ok {
			if err == nil || tab.Weights[i*n+j] != Unreachable {
				t.Errorf("%d→%d: Dijkstra finds no route, hierarchy does", i, j)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d→%d: %v", i, j, err)
		}
		if r.Weight != w {
			t.Errorf("%d→%d: route %d/%d, Dijkstra %d/%d", i, j, r.Weight, r.Duration, w, dur)
		}
		if tab.Weights[i*n+j] != w {
			t.Errorf("%d→%d: table %d/%d, Dijkstra %d/%d", i, j, tab.Weights[i*n+j], tab.Durations[i*n+j], w, dur)
		}
	}
}

func TestGraphFileRoundTrip(t *testing.T) {
	g := extract(t, "monaco")
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g2, err := ReadGraph(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if g2.Stats() != g.Stats() {
		t.Errorf("stats %+v, want %+v", g2.Stats(), g.Stats())
	}
	ref := readPoints(t, "monaco")[:50]
	p1, p2 := snapAll(t, g, ref), snapAll(t, g2, ref)
	t1, err := g.Table(context.Background(), p1, p1)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := g2.Table(context.Background(), p2, p2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range t1.Durations {
		if t1.Durations[i] != t2.Durations[i] || t1.Distances[i] != t2.Distances[i] {
			t.Fatalf("cell %d: %d/%d after reading, %d/%d before", i, t2.Durations[i], t2.Distances[i], t1.Durations[i], t1.Distances[i])
		}
	}
	path := filepath.Join(t.TempDir(), "monaco.graph")
	if err := g.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadGraphFile(path); err != nil {
		t.Fatal(err)
	}
}

func TestReadGraphErrors(t *testing.T) {
	g := extract(t, "monaco")
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x55
		return b
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short header", good[:10]},
		{"bad magic", flip(0)},
		{"other version", flip(8)},
		{"truncated", good[:len(good)/2]},
		{"corrupt payload", flip(len(good) - 100)},
		{"huge size", append(append(bytes.Clone(good[:12]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), good[20:]...)},
		{"text", []byte("this is not a graph file, just text")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadGraph(bytes.NewReader(c.data))
			if !errors.Is(err, ErrBadGraphFile) {
				t.Fatalf("got %v, want ErrBadGraphFile", err)
			}
		})
	}
}

// pbfPrefix returns the first blobs of a PBF file (the header and data
// blocks before the first way), a valid PBF without drivable roads.
func pbfPrefix(t testing.TB, data []byte, blobs int) []byte {
	off := 0
	for k := 0; k < blobs && off+4 <= len(data); k++ {
		hl := int(data[off])<<24 | int(data[off+1])<<16 | int(data[off+2])<<8 | int(data[off+3])
		hdr := data[off+4 : off+4+hl]
		// BlobHeader: field 3 (datasize) is a varint; find it.
		size := 0
		for i := 0; i < len(hdr); {
			key := hdr[i]
			i++
			if key == 0x18 {
				shift := 0
				for {
					b := hdr[i]
					i++
					size |= int(b&0x7f) << shift
					shift += 7
					if b < 0x80 {
						break
					}
				}
				break
			}
			// length-delimited fields (1: type, 2: indexdata)
			l := int(hdr[i])
			i += 1 + l
		}
		off += 4 + hl + size
	}
	return data[:off]
}

func TestImportErrors(t *testing.T) {
	pbf, err := os.ReadFile(filepath.Join(osmDir(t), "monaco.osm.pbf"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a valid"},
		{"text", []byte("<?xml version='1.0'?><osm></osm>"), "not a valid"},
		{"truncated", pbf[:len(pbf)/2], "truncated"},
		{"nodes only", pbfPrefix(t, pbf, 2), "no drivable roads"},
		{"corrupt", func() []byte { b := bytes.Clone(pbf); copy(b[5000:], bytes.Repeat([]byte{0xAB}, 64)); return b }(), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.osm.pbf")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ImportFile(context.Background(), path, ImportOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			if c.want != "" && !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
	if _, err := ImportFile(context.Background(), filepath.Join(t.TempDir(), "missing.pbf"), ImportOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSnap(t *testing.T) {
	g := extract(t, "monaco")
	cases := []struct {
		name     string
		lon, lat float64
		ok       bool
	}{
		{"on a road", 7.4590341, 43.7618316, true},
		{"sea", 7.45, 43.70, false},
		{"far away", 2.35, 48.85, false},
		{"bad latitude", 7.4, 95, false},
		{"NaN", math.NaN(), 43.7, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := g.Snap(7, c.lon, c.lat, 0)
			if c.ok {
				if err != nil || p.Distance > 1 {
					t.Fatalf("snap: %v, %.1f m", err, p.Distance)
				}
				return
			}
			var se *SnapError
			if !errors.As(err, &se) || se.Index != 7 {
				t.Fatalf("got %v, want a SnapError for coordinate 7", err)
			}
		})
	}
}

func TestPolyline(t *testing.T) {
	pts := [][2]float64{{-120.2, 38.5}, {-120.95, 40.7}, {-126.453, 43.252}}
	if got, want := EncodePolyline(pts, 5), "_p~iF~ps|U_ulLnnqC_mqNvxq`@"; got != want {
		t.Errorf("EncodePolyline = %q, want %q", got, want)
	}
	back, ok := DecodePolyline(EncodePolyline(pts, 6), 6)
	if !ok || len(back) != 3 || back[2] != pts[2] {
		t.Errorf("round trip: %v %v", back, ok)
	}
}

func TestTableLimits(t *testing.T) {
	g := extract(t, "monaco")
	big := make([]Phantom, 100_000)
	if _, err := g.Table(context.Background(), big, big); err == nil {
		t.Error("10^5×10^5 table accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pts := snapAll(t, g, readPoints(t, "monaco"))
	if _, err := g.Table(ctx, pts, pts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSource(t *testing.T) {
	g := extract(t, "monaco")
	ref := readPoints(t, "monaco")[:20]
	pts := make([]vrp.Coord, len(ref))
	for i, p := range ref {
		pts[i] = vrp.Coord{Lon: p.lon, Lat: p.lat}
	}
	src := &Source{Graph: g}
	dur, dist, err := src.Matrix(context.Background(), "car", pts)
	if err != nil {
		t.Fatal(err)
	}
	table := readTable(t, "monaco", 100)
	for i := range pts {
		if dur[i][i] != 0 || dist[i][i] != 0 {
			t.Errorf("diagonal %d: %d/%d", i, dur[i][i], dist[i][i])
		}
		for j := range pts {
			if i != j && math.Abs(float64(dur[i][j])-*table.Durations[i][j]) > 0.1**table.Durations[i][j]+2 {
				t.Errorf("%d→%d: %d s, OSRM %.1f s", i, j, dur[i][j], *table.Durations[i][j])
			}
		}
	}
	_, _, err = src.Matrix(context.Background(), "car", append(pts, vrp.Coord{Lon: 7.45, Lat: 43.70}))
	var se *SnapError
	if !errors.As(err, &se) || se.Index != 20 {
		t.Errorf("point in the sea: %v, want a SnapError naming point 20", err)
	}
	p := &vrp.Problem{
		Jobs:     []vrp.Job{{ID: 1, Location: vrp.Location{Lon: ref[1].lon, Lat: ref[1].lat, HasCoord: true}}},
		Vehicles: []vrp.Vehicle{{ID: 1, Start: &vrp.Location{Lon: ref[0].lon, Lat: ref[0].lat, HasCoord: true}}},
	}
	if err := vrp.ResolveTravel(context.Background(), p, src); err != nil {
		t.Fatalf("ResolveTravel: %v", err)
	}
}

// TestSnapIsNearest compares Snap with a scan of every routable segment.
func TestSnapIsNearest(t *testing.T) {
	g := extract(t, "andorra")
	minLon, minLat, maxLon, maxLat := g.Bounds()
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 200; k++ {
		lon := minLon + rng.Float64()*(maxLon-minLon)
		lat := minLat + rng.Float64()*(maxLat-minLat)
		p, err := g.Snap(k, lon, lat, 2000)
		best := math.Inf(1)
		plon, plat := int32(math.Round(lon*1e7)), int32(math.Round(lat*1e7))
		cos := math.Cos(lat * math.Pi / 180)
		for r := 0; r < g.NumRoads(); r++ {
			if !g.snappable[r] {
				continue
			}
			for s := g.geomOff[r]; s+1 < g.geomOff[r+1]; s++ {
				if d, _ := g.segDistance(s, plon, plat, cos); d < best {
					best = d
				}
			}
		}
		if best > 2000 {
			if err == nil {
				t.Errorf("point %d: snapped %.0f m away, nearest road %.0f m", k, p.Distance, best)
			}
			continue
		}
		if err != nil {
			t.Fatalf("point %d: %v (nearest road %.0f m)", k, err, best)
		}
		if d, _ := g.segDistance(p.seg, plon, plat, cos); d > best+1e-6 {
			t.Errorf("point %d: snapped %.2f m away, nearest road %.2f m", k, d, best)
		}
	}
}

// frame builds one PBF block: a BlobHeader of type typ and a Blob with
// the given fields.
func frame(typ string, blob []byte) []byte {
	var hdr []byte
	hdr = append(hdr, 0x0a, byte(len(typ)))
	hdr = append(hdr, typ...)
	hdr = append(hdr, 0x18)
	hdr = binary.AppendUvarint(hdr, uint64(len(blob)))
	out := binary.BigEndian.AppendUint32(nil, uint32(len(hdr)))
	out = append(out, hdr...)
	return append(out, blob...)
}

// zlibBlob builds a Blob of zlib data declaring rawSize.
func zlibBlob(content []byte, rawSize uint64) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(content)
	zw.Close()
	b := []byte{0x10}
	b = binary.AppendUvarint(b, rawSize)
	b = append(b, 0x1a)
	b = binary.AppendUvarint(b, uint64(z.Len()))
	return append(b, z.Bytes()...)
}

// TestImportHostileBlocks feeds PBF blocks whose sizes lie: they must be
// rejected before any allocation of the declared size.
func TestImportHostileBlocks(t *testing.T) {
	pbf, err := os.ReadFile(filepath.Join(osmDir(t), "monaco.osm.pbf"))
	if err != nil {
		t.Fatal(err)
	}
	header := pbfPrefix(t, pbf, 1)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"huge raw size", append(bytes.Clone(header), frame("OSMData", zlibBlob([]byte("x"), 1<<31-1))...), "declared raw size"},
		{"bomb", append(bytes.Clone(header), frame("OSMData", zlibBlob(make([]byte, 40<<20), 100))...), "inflates"},
		{"short raw size", append(bytes.Clone(header), frame("OSMData", zlibBlob(make([]byte, 1000), 2000))...), "inflates"},
		{"data first", frame("OSMData", zlibBlob([]byte("x"), 1)), "not OSMHeader"},
		{"huge header", []byte{0x7f, 0xff, 0xff, 0xff, 1, 2, 3}, "header size"},
		{"lzma", append(bytes.Clone(header), frame("OSMData", []byte{0x10, 0x01, 0x22, 0x01, 0x00})...), "unsupported compression"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(c.data)), nil }
			_, err := Import(context.Background(), open, ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}
