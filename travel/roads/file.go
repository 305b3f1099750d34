package roads

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

// Graph file layout (little-endian):
//
//	magic "LMROADS\x00", format version uint32, payload length uint64,
//	CRC-32C of the payload uint32, payload.
//
// The payload is a sequence of arrays, each a uint64 element count
// followed by the elements; see WriteTo for the order.
const (
	fileMagic   = "LMROADS\x00"
	fileVersion = 1
	headerSize  = 8 + 4 + 8 + 4
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrBadGraphFile is wrapped by ReadGraph errors about the file's content.
var ErrBadGraphFile = errors.New("not a valid road graph file")

type encoder struct {
	buf []byte
}

func (e *encoder) u32s(v []uint32) {
	e.count(len(v))
	for _, x := range v {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, x)
	}
}

func (e *encoder) i32s(v []int32) {
	e.count(len(v))
	for _, x := range v {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(x))
	}
}

func (e *encoder) bools(v []bool) {
	e.count(len(v))
	for _, b := range v {
		if b {
			e.buf = append(e.buf, 1)
		} else {
			e.buf = append(e.buf, 0)
		}
	}
}

func (e *encoder) count(n int) { e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(n)) }

func (e *encoder) edges(v []chEdge) {
	e.count(len(v))
	for _, x := range v {
		for _, f := range [...]uint32{x.to, uint32(x.w), uint32(x.dur), uint32(x.dist), x.mid} {
			e.buf = binary.LittleEndian.AppendUint32(e.buf, f)
		}
	}
}

// WriteTo writes the graph in its binary file format.
func (g *Graph) WriteTo(w io.Writer) (int64, error) {
	e := &encoder{}
	e.u32s(g.geomOff)
	e.i32s(g.lat)
	e.i32s(g.lon)
	pairs := func(v [][2]float32) {
		e.count(len(v))
		for _, p := range v {
			e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(p[0]))
			e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(p[1]))
		}
	}
	pairs(g.speed)
	pairs(g.rate)
	e.u32s(g.name)
	e.bools(g.restricted)
	e.bools(g.snappable)
	e.i32s(g.length)
	e.count(len(g.names))
	for _, s := range g.names {
		e.count(len(s))
		e.buf = append(e.buf, s...)
	}
	e.i32s(g.ebW)
	e.i32s(g.ebDur)
	e.u32s(g.ebNode)
	e.u32s(g.nodeEB)
	e.u32s(g.fwdFirst)
	e.edges(g.fwdEdges)
	e.u32s(g.bwdFirst)
	e.edges(g.bwdEdges)
	e.count(len(g.loops))
	for _, l := range g.loops {
		for _, f := range [...]uint32{l.node, uint32(l.w), uint32(l.dur), uint32(l.dist), l.mid} {
			e.buf = binary.LittleEndian.AppendUint32(e.buf, f)
		}
	}
	st := g.stats
	stats := []uint32{uint32(st.Ways), uint32(st.Nodes), uint32(st.MissingNodes), uint32(st.Restrictions),
		uint32(st.RestrictionsUse), uint32(st.Roads), uint32(st.Turns), uint32(st.DroppedRoads), uint32(st.Shortcuts)}
	e.u32s(stats)

	hdr := make([]byte, 0, headerSize)
	hdr = append(hdr, fileMagic...)
	hdr = binary.LittleEndian.AppendUint32(hdr, fileVersion)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(e.buf)))
	hdr = binary.LittleEndian.AppendUint32(hdr, crc32.Checksum(e.buf, crcTable))
	n, err := w.Write(hdr)
	if err != nil {
		return int64(n), fmt.Errorf("write road graph: %w", err)
	}
	m, err := w.Write(e.buf)
	if err != nil {
		return int64(n + m), fmt.Errorf("write road graph: %w", err)
	}
	return int64(n + m), nil
}

// WriteFile writes the graph to path.
func (g *Graph) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write road graph: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if _, err := g.WriteTo(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write road graph: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write road graph: %w", err)
	}
	return nil
}

// ReadGraphFile reads a graph written by WriteFile.
func ReadGraphFile(path string) (*Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read road graph: %w", err)
	}
	defer f.Close()
	return ReadGraph(bufio.NewReaderSize(f, 1<<20))
}

type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrBadGraphFile, fmt.Sprintf(format, args...))
	}
}

// count reads an element count and checks that size bytes per element
// remain.
func (d *decoder) count(size int) int {
	if d.err != nil {
		return 0
	}
	if len(d.buf) < 8 {
		d.fail("truncated payload")
		return 0
	}
	n := binary.LittleEndian.Uint64(d.buf)
	d.buf = d.buf[8:]
	if size > 0 && n > uint64(len(d.buf)/size) || n > math.MaxInt32 {
		d.fail("array of %d elements exceeds the payload", n)
		return 0
	}
	return int(n)
}

func (d *decoder) bools() []bool {
	n := d.count(1)
	v := make([]bool, n)
	for i := range v {
		v[i] = d.buf[i] != 0
	}
	if d.err == nil {
		d.buf = d.buf[n:]
	}
	return v
}

func (d *decoder) u32() uint32 {
	v := binary.LittleEndian.Uint32(d.buf)
	d.buf = d.buf[4:]
	return v
}

func (d *decoder) u32s() []uint32 {
	n := d.count(4)
	v := make([]uint32, n)
	for i := range v {
		v[i] = d.u32()
	}
	return v
}

func (d *decoder) i32s() []int32 {
	n := d.count(4)
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(d.u32())
	}
	return v
}

func (d *decoder) pairs() [][2]float32 {
	n := d.count(8)
	v := make([][2]float32, n)
	for i := range v {
		v[i][0] = math.Float32frombits(d.u32())
		v[i][1] = math.Float32frombits(d.u32())
	}
	return v
}

func (d *decoder) edges() []chEdge {
	n := d.count(20)
	v := make([]chEdge, n)
	for i := range v {
		v[i] = chEdge{d.u32(), int32(d.u32()), int32(d.u32()), int32(d.u32()), d.u32()}
	}
	return v
}

// ReadGraph reads a graph in the format of WriteTo, checking its header,
// checksum and internal consistency, and builds its snapping index.
func ReadGraph(r io.Reader) (*Graph, error) {
	hdr := make([]byte, headerSize)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("read road graph: %w: header: %v", ErrBadGraphFile, err)
	}
	if string(hdr[:8]) != fileMagic {
		return nil, fmt.Errorf("read road graph: %w: bad magic number", ErrBadGraphFile)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != fileVersion {
		return nil, fmt.Errorf("read road graph: %w: format version %d, want %d (re-import the PBF)", ErrBadGraphFile, v, fileVersion)
	}
	size := binary.LittleEndian.Uint64(hdr[12:])
	sum := binary.LittleEndian.Uint32(hdr[20:])
	// Read in chunks so that a lying size cannot allocate more than the
	// stream holds.
	var payload []byte
	if size > 1<<40 {
		return nil, fmt.Errorf("read road graph: %w: payload of %d bytes", ErrBadGraphFile, size)
	}
	for uint64(len(payload)) < size {
		chunk := min(size-uint64(len(payload)), 64<<20)
		start := len(payload)
		payload = append(payload, make([]byte, chunk)...)
		if _, err := io.ReadFull(r, payload[start:]); err != nil {
			return nil, fmt.Errorf("read road graph: %w: truncated payload: %v", ErrBadGraphFile, err)
		}
	}
	if crc32.Checksum(payload, crcTable) != sum {
		return nil, fmt.Errorf("read road graph: %w: checksum mismatch", ErrBadGraphFile)
	}
	g, err := decodeGraph(payload)
	if err != nil {
		return nil, fmt.Errorf("read road graph: %w", err)
	}
	g.buildIndex()
	return g, nil
}

func decodeGraph(payload []byte) (*Graph, error) {
	d := &decoder{buf: payload}
	g := &Graph{}
	g.geomOff = d.u32s()
	g.lat = d.i32s()
	g.lon = d.i32s()
	g.speed = d.pairs()
	g.rate = d.pairs()
	g.name = d.u32s()
	g.restricted = d.bools()
	g.snappable = d.bools()
	g.length = d.i32s()
	n := d.count(8)
	g.names = make([]string, n)
	for i := range g.names {
		l := d.count(1)
		if d.err != nil {
			break
		}
		g.names[i] = string(d.buf[:l])
		d.buf = d.buf[l:]
	}
	g.ebW = d.i32s()
	g.ebDur = d.i32s()
	g.ebNode = d.u32s()
	g.nodeEB = d.u32s()
	g.fwdFirst = d.u32s()
	g.fwdEdges = d.edges()
	g.bwdFirst = d.u32s()
	g.bwdEdges = d.edges()
	n = d.count(20)
	g.loops = make([]loopRec, n)
	for i := range g.loops {
		g.loops[i] = loopRec{d.u32(), int32(d.u32()), int32(d.u32()), int32(d.u32()), d.u32()}
	}
	st := d.u32s()
	if d.err != nil {
		return nil, d.err
	}
	if len(d.buf) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrBadGraphFile, len(d.buf))
	}
	if len(st) != 9 {
		return nil, fmt.Errorf("%w: statistics", ErrBadGraphFile)
	}
	g.stats = ImportStats{int(st[0]), int(st[1]), int(st[2]), int(st[3]), int(st[4]), int(st[5]), int(st[6]), int(st[7]), int(st[8])}
	if err := g.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadGraphFile, err)
	}
	return g, nil
}

// validate checks every index of the graph, so that queries on a graph read
// from a file cannot go out of range or loop.
func (g *Graph) validate() error {
	nr := len(g.name)
	if len(g.geomOff) != nr+1 || len(g.speed) != nr || len(g.rate) != nr || len(g.restricted) != nr || len(g.snappable) != nr || len(g.length) != nr {
		return errors.New("road arrays differ in length")
	}
	if len(g.lat) != len(g.lon) || g.geomOff[0] != 0 || int(g.geomOff[nr]) != len(g.lat) {
		return errors.New("geometry offsets")
	}
	for r := 0; r < nr; r++ {
		if g.geomOff[r+1] < g.geomOff[r]+2 {
			return fmt.Errorf("road %d has fewer than two points", r)
		}
		if int(g.name[r]) >= len(g.names) {
			return fmt.Errorf("road %d: name index", r)
		}
		for d := 0; d < 2; d++ {
			if !(g.speed[r][d] > 0 && g.speed[r][d] < 1000) || !(g.rate[r][d] > 0 && g.rate[r][d] <= 1) {
				return fmt.Errorf("road %d: speed", r)
			}
		}
	}
	for i := range g.lat {
		if g.lat[i] < -900000000 || g.lat[i] > 900000000 || g.lon[i] < -1800000000 || g.lon[i] > 1800000000 {
			return fmt.Errorf("point %d out of range", i)
		}
	}
	nn := len(g.nodeEB)
	if len(g.ebW) != 2*nr || len(g.ebDur) != 2*nr || len(g.ebNode) != 2*nr {
		return errors.New("directed road arrays differ in length")
	}
	for e, x := range g.ebNode {
		if x != noNode && (int(x) >= nn || g.nodeEB[x] != uint32(e)) {
			return fmt.Errorf("directed road %d: node", e)
		}
	}
	for x, e := range g.nodeEB {
		if int(e) >= 2*nr || g.ebNode[e] != uint32(x) {
			return fmt.Errorf("node %d: directed road", x)
		}
	}
	check := func(first []uint32, edges []chEdge) error {
		if len(first) != nn+1 || first[0] != 0 || int(first[nn]) != len(edges) {
			return errors.New("edge offsets")
		}
		for x := 0; x < nn; x++ {
			if first[x+1] < first[x] {
				return errors.New("edge offsets decrease")
			}
		}
		for x := 0; x < nn; x++ {
			for _, e := range edges[first[x]:first[x+1]] {
				if int(e.to) >= nn || e.to <= uint32(x) || e.mid != noNode && e.mid >= uint32(x) || e.w < 0 || e.w >= inf {
					return fmt.Errorf("node %d: bad edge", x)
				}
			}
		}
		return nil
	}
	if err := check(g.fwdFirst, g.fwdEdges); err != nil {
		return err
	}
	if err := check(g.bwdFirst, g.bwdEdges); err != nil {
		return err
	}
	for i, l := range g.loops {
		if int(l.node) >= nn || l.mid != noNode && l.mid >= l.node || i > 0 && g.loops[i-1].node >= l.node || l.w < 0 || l.w >= inf {
			return fmt.Errorf("loop %d", i)
		}
	}
	return nil
}
