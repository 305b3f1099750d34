package vroomjson

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// writer writes compact JSON through a buffer. Separators are placed
// automatically: comma tells whether the current container already holds
// a value.
type writer struct {
	w     io.Writer
	buf   []byte
	comma bool
	err   error
}

const flushSize = 64 << 10

func newWriter(w io.Writer) *writer {
	return &writer{w: w, buf: make([]byte, 0, flushSize+1024)}
}

func (j *writer) sep() {
	if j.comma {
		j.buf = append(j.buf, ',')
	}
}

func (j *writer) value() {
	j.comma = true
	if len(j.buf) >= flushSize {
		j.flush()
	}
}

func (j *writer) flush() {
	if j.err == nil && len(j.buf) > 0 {
		_, j.err = j.w.Write(j.buf)
	}
	j.buf = j.buf[:0]
}

func (j *writer) open(c byte) {
	j.sep()
	j.buf = append(j.buf, c)
	j.comma = false
}

func (j *writer) close(c byte) {
	j.buf = append(j.buf, c)
	j.value()
}

func (j *writer) key(k string) {
	j.sep()
	j.buf = appendString(j.buf, k)
	j.buf = append(j.buf, ':')
	j.comma = false
}

func (j *writer) int(v int64) {
	j.sep()
	j.buf = strconv.AppendInt(j.buf, v, 10)
	j.value()
}

func (j *writer) bool(v bool) {
	j.sep()
	j.buf = strconv.AppendBool(j.buf, v)
	j.value()
}

func (j *writer) uint(v uint64) {
	j.sep()
	j.buf = strconv.AppendUint(j.buf, v, 10)
	j.value()
}

func (j *writer) str(s string) {
	j.sep()
	j.buf = appendString(j.buf, s)
	j.value()
}

func (j *writer) float(f float64) {
	j.sep()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if j.err == nil {
			j.err = fmt.Errorf("vroomjson: cannot write %g as JSON", f)
		}
		j.buf = append(j.buf, '0')
		j.value()
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	j.buf = strconv.AppendFloat(j.buf, f, format, -1, 64)
	j.value()
}

// Member helpers write "key": value.
func (j *writer) intField(k string, v int64)   { j.key(k); j.int(v) }
func (j *writer) uintField(k string, v uint64) { j.key(k); j.uint(v) }
func (j *writer) strField(k string, v string)  { j.key(k); j.str(v) }

func (j *writer) ints(a []int64) {
	j.open('[')
	for _, x := range a {
		j.int(x)
	}
	j.close(']')
}

func (j *writer) matrix(m [][]int64) {
	j.open('[')
	for _, row := range m {
		j.ints(row)
	}
	j.close(']')
}

// appendString appends s as a JSON string. Invalid UTF-8 bytes become
// U+FFFD, as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
