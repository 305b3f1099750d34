package roads

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Limits of the PBF format: a BlobHeader is under 64 KiB, a Blob and its
// uncompressed content under 32 MiB.
const (
	maxBlobHeader = 64 << 10
	maxBlob       = 32 << 20
)

// pbfGuard passes a PBF stream through, block by block, after checking
// each block's framing: sizes within the format's limits and, for zlib
// blocks, content that inflates to exactly the declared size. The decoder
// behind it then never allocates for sizes the data does not back, and a
// compressed "bomb" is rejected after inflating at most 32 MiB.
type pbfGuard struct {
	r      *bufio.Reader
	frame  []byte
	raw    []byte // inflated blob
	out    []byte
	blocks int
	err    error
}

func newPBFGuard(r io.Reader) *pbfGuard {
	return &pbfGuard{r: bufio.NewReaderSize(r, 1<<16)}
}

func (g *pbfGuard) Read(p []byte) (int, error) {
	for len(g.out) == 0 {
		if g.err != nil {
			return 0, g.err
		}
		g.out, g.err = g.next()
	}
	n := copy(p, g.out)
	g.out = g.out[n:]
	return n, nil
}

var errBadBlock = errors.New("corrupt block")

func (g *pbfGuard) fail(format string, args ...any) error {
	return fmt.Errorf("%w %d: %s", errBadBlock, g.blocks, fmt.Sprintf(format, args...))
}

func (g *pbfGuard) next() ([]byte, error) {
	var size [4]byte
	if n, err := io.ReadFull(g.r, size[:]); err != nil {
		if err == io.EOF && n == 0 {
			if g.blocks == 0 {
				return nil, errors.New("empty file")
			}
			return nil, io.EOF
		}
		return nil, io.ErrUnexpectedEOF
	}
	hl := binary.BigEndian.Uint32(size[:])
	if hl == 0 || hl >= maxBlobHeader {
		return nil, g.fail("header size %d", hl)
	}
	g.frame = append(g.frame[:0], size[:]...)
	g.frame = append(g.frame, make([]byte, hl)...)
	if _, err := io.ReadFull(g.r, g.frame[4:]); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	typ, dataSize, err := parseBlobHeader(g.frame[4:])
	if err != nil {
		return nil, g.fail("%v", err)
	}
	if g.blocks == 0 && typ != "OSMHeader" {
		return nil, g.fail("first block is %q, not OSMHeader", typ)
	}
	if dataSize < 0 || dataSize >= maxBlob {
		return nil, g.fail("blob size %d", dataSize)
	}
	start := len(g.frame)
	g.frame = append(g.frame, make([]byte, dataSize)...)
	if _, err := io.ReadFull(g.r, g.frame[start:]); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	raw, err := g.inflate(g.frame[start:])
	if err != nil {
		return nil, g.fail("%v", err)
	}
	g.blocks++
	if raw == nil || len(raw) > maxBlob-1024 {
		return g.frame, nil
	}
	// Pass the block on uncompressed, so that it is inflated only once.
	var blobHead []byte
	blobHead = append(blobHead, 0x0a)
	blobHead = binary.AppendUvarint(blobHead, uint64(len(raw)))
	var blobTail []byte
	blobTail = append(blobTail, 0x10)
	blobTail = binary.AppendUvarint(blobTail, uint64(len(raw)))
	blobLen := len(blobHead) + len(raw) + len(blobTail)
	var hdr []byte
	hdr = append(hdr, 0x0a)
	hdr = binary.AppendUvarint(hdr, uint64(len(typ)))
	hdr = append(hdr, typ...)
	hdr = append(hdr, 0x18)
	hdr = binary.AppendUvarint(hdr, uint64(blobLen))
	out := binary.BigEndian.AppendUint32(g.frame[:0], uint32(len(hdr)))
	out = append(out, hdr...)
	out = append(out, blobHead...)
	out = append(out, raw...)
	out = append(out, blobTail...)
	g.frame = out
	return out, nil
}

// protoFields calls fn for each field of a protobuf message: its number,
// wire type, varint value and bytes (for length-delimited fields).
func protoFields(b []byte, fn func(num int, wire int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad field key")
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var data []byte
		switch wire {
		case 0:
			v, n = binary.Uvarint(b)
			if n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errors.New("bad length")
			}
			data = b[n : n+int(l)]
			b = b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			b = b[4:]
		default:
			return fmt.Errorf("wire type %d", wire)
		}
		if err := fn(num, wire, v, data); err != nil {
			return err
		}
	}
	return nil
}

func parseBlobHeader(b []byte) (typ string, dataSize int64, err error) {
	dataSize = -1
	err = protoFields(b, func(num, wire int, v uint64, data []byte) error {
		switch {
		case num == 1 && wire == 2:
			typ = string(data)
		case num == 3 && wire == 0:
			dataSize = int64(int32(v))
		}
		return nil
	})
	if err == nil && (typ == "" || dataSize < 0) {
		err = errors.New("header without type or data size")
	}
	return typ, dataSize, err
}

// inflate checks a Blob's declared raw size and, for zlib data, that it
// inflates to exactly that size; it returns the inflated data (nil for a
// raw blob).
func (g *pbfGuard) inflate(b []byte) ([]byte, error) {
	rawSize := int64(-1)
	var raw, zdata []byte
	kinds := 0
	err := protoFields(b, func(num, wire int, v uint64, data []byte) error {
		switch {
		case num == 1 && wire == 2:
			raw = data
			kinds++
		case num == 2 && wire == 0:
			rawSize = int64(int32(v))
		case num == 3 && wire == 2:
			zdata = data
			kinds++
		case num >= 4 && num <= 7:
			return fmt.Errorf("unsupported compression (field %d)", num)
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case kinds != 1:
		return nil, errors.New("blob without exactly one data field")
	case raw != nil:
		if len(raw) >= maxBlob {
			return nil, fmt.Errorf("raw data of %d bytes", len(raw))
		}
		return nil, nil
	}
	if rawSize < 0 || rawSize >= maxBlob {
		return nil, fmt.Errorf("declared raw size %d", rawSize)
	}
	zr, err := zlib.NewReader(bytes.NewReader(zdata))
	if err != nil {
		return nil, fmt.Errorf("zlib: %v", err)
	}
	w := bytes.NewBuffer(g.raw[:0])
	n, err := io.Copy(w, io.LimitReader(zr, rawSize+1))
	if err != nil {
		return nil, fmt.Errorf("zlib: %v", err)
	}
	if n != rawSize {
		return nil, fmt.Errorf("inflates to more or less than its declared %d bytes", rawSize)
	}
	g.raw = w.Bytes()
	return g.raw, nil
}
