package roads

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// smallGraph is a tiny graph file (a corner of Monaco) for fuzz seeds.
func smallGraphBytes(tb testing.TB) []byte {
	g := extract(tb, "monaco")
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadGraph feeds arbitrary bytes to the graph reader, once as given
// and once with the header's checksum fixed so that the payload decoder
// and the consistency checks are reached. Reading must fail cleanly or
// give a graph that answers queries.
func FuzzReadGraph(f *testing.F) {
	f.Add([]byte(fileMagic))
	f.Add([]byte("LMROADS\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(data []byte) {
			g, err := ReadGraph(bytes.NewReader(data))
			if err != nil {
				return
			}
			minLon, minLat, maxLon, maxLat := g.Bounds()
			a, err1 := g.Snap(0, minLon, minLat, 1e6)
			b, err2 := g.Snap(1, maxLon, maxLat, 1e6)
			if err1 == nil && err2 == nil {
				if r, err := g.Route(a, b); err == nil {
					r.Points()
				}
				g.Table(context.Background(), []Phantom{a, b}, []Phantom{b, a})
			}
		}
		check(data)
		if len(data) >= headerSize {
			fixed := bytes.Clone(data)
			copy(fixed, fileMagic)
			binary.LittleEndian.PutUint32(fixed[8:], fileVersion)
			binary.LittleEndian.PutUint64(fixed[12:], uint64(len(fixed)-headerSize))
			binary.LittleEndian.PutUint32(fixed[20:], crc32.Checksum(fixed[headerSize:], crcTable))
			check(fixed)
		}
	})
}

// FuzzImportPBF feeds arbitrary bytes to the PBF import: it must return an
// error or a graph, never panic or hang.
func FuzzImportPBF(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\x10"))
	// The header block of a real extract, alone and with the start of its
	// first data block.
	_, file, _, _ := runtime.Caller(0)
	if pbf, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "osm", "monaco.osm.pbf")); err == nil {
		head := pbfPrefix(f, pbf, 1)
		f.Add(head)
		f.Add(pbf[:len(head)+300])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		g, err := Import(context.Background(), open, ImportOptions{Procs: 1})
		if err == nil && g.NumNodes() == 0 {
			t.Fatal("empty graph without error")
		}
	})
}

// TestFuzzSeedsFromExtracts runs the fuzz bodies on real files and their
// damaged variants (the checked-in corpus holds small ones).
func TestFuzzSeedsFromExtracts(t *testing.T) {
	data := smallGraphBytes(t)
	for _, cut := range []int{0, 10, headerSize, headerSize + 100, len(data) / 3, len(data) - 1} {
		if _, err := ReadGraph(bytes.NewReader(data[:cut])); err == nil {
			t.Errorf("graph cut at %d bytes read without error", cut)
		}
	}
	// Payload damage behind a valid checksum must be caught by validation
	// or give a usable graph.
	for _, off := range []int{0, 8, 100, 1000, len(data) / 2} {
		b := bytes.Clone(data)
		p := b[headerSize:]
		if off < len(p) {
			p[off] ^= 0xff
		}
		binary.LittleEndian.PutUint32(b[20:], crc32.Checksum(p, crcTable))
		g, err := ReadGraph(bytes.NewReader(b))
		if err == nil {
			a, _ := g.Snap(0, 7.42, 43.73, 1e5)
			g.Route(a, a)
		}
	}
}
