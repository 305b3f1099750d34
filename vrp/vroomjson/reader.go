package vroomjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lastmile-dev/lastmile/vrp"
)

// maxDepth bounds the nesting of JSON values, including unknown fields.
const maxDepth = 512

// maxPathElems bounds the length of the field paths in error messages.
const maxPathElems = 16

// reader is a pull parser over a whole JSON document in memory. It tracks
// the path of the value being read so that errors name the offending field
// the way VROOM's JSON does, e.g. "jobs[3].time_windows[0]".
type reader struct {
	data  []byte
	pos   int
	path  []pathElem
	depth int
}

type pathElem struct {
	key   string
	index int // -1 for an object key
}

// readInput reads all of r, refusing more than MaxInputBytes.
func readInput(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("vroomjson: read input: %w", err)
	}
	if len(data) > MaxInputBytes {
		return nil, &vrp.InputError{Msg: fmt.Sprintf("input larger than %d bytes", MaxInputBytes)}
	}
	return data, nil
}

func (r *reader) push(key string) { r.path = append(r.path, pathElem{key: key, index: -1}) }
func (r *reader) pushIndex(i int) { r.path = append(r.path, pathElem{index: i}) }
func (r *reader) pop()            { r.path = r.path[:len(r.path)-1] }

// field renders the current path.
func (r *reader) field() string {
	var b strings.Builder
	for i, e := range r.path {
		if i == maxPathElems {
			b.WriteString("...")
			break
		}
		if e.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	return b.String()
}

// errorf reports an error at the current path.
func (r *reader) errorf(format string, args ...any) error {
	return &vrp.InputError{Field: r.field(), Msg: fmt.Sprintf(format, args...)}
}

// syntaxError reports malformed JSON at the current position.
func (r *reader) syntaxError(what string) error {
	return r.errorf("invalid JSON at byte %d: %s", r.pos, what)
}

func (r *reader) skipWS() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, 0 at the end.
func (r *reader) peek() byte {
	r.skipWS()
	if r.pos >= len(r.data) {
		return 0
	}
	return r.data[r.pos]
}

// kind names the value starting with c, for type errors.
func kind(c byte) string {
	switch {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	case c == 0:
		return "the end of the input"
	default:
		return fmt.Sprintf("the character %q", rune(c))
	}
}

// typeError reports a value of the wrong kind, or a syntax error when the
// next byte cannot start a value.
func (r *reader) typeError(want string) error {
	c := r.peek()
	switch {
	case c == 0:
		return r.syntaxError("unexpected end of input")
	case strings.IndexByte(`"{[tfn-0123456789`, c) < 0:
		return r.syntaxError(fmt.Sprintf("unexpected %s", kind(c)))
	}
	return r.errorf("expected %s, got %s", want, kind(c))
}

// isNull consumes a null literal if one comes next.
func (r *reader) isNull() (bool, error) {
	if r.peek() != 'n' {
		return false, nil
	}
	return true, r.literal("null")
}

func (r *reader) literal(lit string) error {
	if len(r.data)-r.pos < len(lit) || string(r.data[r.pos:r.pos+len(lit)]) != lit {
		return r.syntaxError(fmt.Sprintf("invalid literal, expected %s", lit))
	}
	r.pos += len(lit)
	return nil
}

func (r *reader) enter() error {
	r.depth++
	if r.depth > maxDepth {
		return r.errorf("values nested more than %d levels deep", maxDepth)
	}
	return nil
}

// object reads an object, calling fn with the path extended by each key.
// Members whose value is null are skipped, as if absent.
func (r *reader) object(fn func(key string) error) error {
	if r.peek() != '{' {
		return r.typeError("an object")
	}
	if err := r.enter(); err != nil {
		return err
	}
	r.pos++
	if r.peek() == '}' {
		r.pos++
		r.depth--
		return nil
	}
	for {
		if r.peek() != '"' {
			return r.syntaxError("expected a string as object key")
		}
		key, err := r.rawString()
		if err != nil {
			return err
		}
		if r.peek() != ':' {
			return r.syntaxError("expected ':' after object key")
		}
		r.pos++
		r.push(key)
		null, err := r.isNull()
		if err != nil {
			return err
		}
		if !null {
			if err := fn(key); err != nil {
				return err
			}
		}
		r.pop()
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			r.depth--
			return nil
		case 0:
			return r.syntaxError("unexpected end of input")
		default:
			return r.syntaxError("expected ',' or '}' after object member")
		}
	}
}

// array reads an array, calling fn with the path extended by each index.
func (r *reader) array(fn func(i int) error) error {
	if r.peek() != '[' {
		return r.typeError("an array")
	}
	if err := r.enter(); err != nil {
		return err
	}
	r.pos++
	if r.peek() == ']' {
		r.pos++
		r.depth--
		return nil
	}
	for i := 0; ; i++ {
		r.pushIndex(i)
		if err := fn(i); err != nil {
			return err
		}
		r.pop()
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			r.depth--
			return nil
		case 0:
			return r.syntaxError("unexpected end of input")
		default:
			return r.syntaxError("expected ',' or ']' after array element")
		}
	}
}

// skip reads and discards one value of any kind.
func (r *reader) skip() error {
	switch c := r.peek(); c {
	case '{':
		return r.object(func(string) error { return r.skip() })
	case '[':
		return r.array(func(int) error { return r.skip() })
	case '"':
		_, err := r.rawString()
		return err
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			_, _, err := r.number()
			return err
		}
		return r.typeError("a value")
	}
}

// str reads a string value.
// nonNegative reads an integer that may not be negative.
func (r *reader) nonNegative() (int64, error) {
	v, err := r.int64()
	if err == nil && v < 0 {
		err = r.errorf("negative value %d", v)
	}
	return v, err
}

func (r *reader) bool() (bool, error) {
	switch r.peek() {
	case 't':
		return true, r.literal("true")
	case 'f':
		return false, r.literal("false")
	}
	return false, r.typeError("a boolean")
}

func (r *reader) str() (string, error) {
	if r.peek() != '"' {
		return "", r.typeError("a string")
	}
	return r.rawString()
}

// rawString reads a string starting at the current position, which holds
// a quote.
func (r *reader) rawString() (string, error) {
	start := r.pos
	i := start + 1
	simple := true
	for ; i < len(r.data); i++ {
		c := r.data[i]
		if c == '"' {
			break
		}
		if c == '\\' {
			simple = false
			i++
			continue
		}
		if c < 0x20 || c >= utf8.RuneSelf {
			simple = false
		}
	}
	if i >= len(r.data) {
		r.pos = len(r.data)
		return "", r.syntaxError("unterminated string")
	}
	r.pos = i + 1
	if simple {
		return string(r.data[start+1 : i]), nil
	}
	raw := r.data[start : i+1]
	if utf8.Valid(raw) && !hasControl(raw) && !hasByte(raw, '\\') {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		r.pos = start
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return "", r.syntaxError("invalid string: " + se.Error())
		}
		return "", r.syntaxError("invalid string")
	}
	return s, nil
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func hasByte(b []byte, x byte) bool {
	for _, c := range b {
		if c == x {
			return true
		}
	}
	return false
}

// number reads a number token and reports whether it is written as an
// integer (no fraction, no exponent).
func (r *reader) number() (tok []byte, isInt bool, err error) {
	r.skipWS()
	start := r.pos
	i := start
	d := r.data
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if digits() == 0 {
		r.pos = i
		return nil, false, r.syntaxError("invalid number")
	}
	isInt = true
	if i < len(d) && d[i] == '.' {
		i++
		isInt = false
		if digits() == 0 {
			r.pos = i
			return nil, false, r.syntaxError("invalid number: no digits after the decimal point")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		isInt = false
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			r.pos = i
			return nil, false, r.syntaxError("invalid number: no digits in the exponent")
		}
	}
	r.pos = i
	return d[start:i], isInt, nil
}

func isNumberStart(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

// float reads a number.
func (r *reader) float() (float64, error) {
	if !isNumberStart(r.peek()) {
		return 0, r.typeError("a number")
	}
	tok, _, err := r.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return 0, r.errorf("number %s out of range", tok)
	}
	return f, nil
}

// int64 reads an integer. Numbers written with a fraction or an exponent
// are accepted when their value is a whole number.
func (r *reader) int64() (int64, error) {
	if !isNumberStart(r.peek()) {
		return 0, r.typeError("an integer")
	}
	tok, isInt, err := r.number()
	if err != nil {
		return 0, err
	}
	if isInt {
		if v, ok := parseInt(tok); ok {
			return v, nil
		}
		return 0, r.errorf("integer %s out of range", tok)
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, r.errorf("expected an integer, got %s", tok)
	}
	if f < -(1<<63) || f >= 1<<63 {
		return 0, r.errorf("integer %s out of range", tok)
	}
	return int64(f), nil
}

// parseInt parses an optionally negative decimal integer without overflow.
func parseInt(tok []byte) (int64, bool) {
	neg := tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	var u uint64
	for _, c := range tok {
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// uint64 reads a non-negative integer such as an id.
func (r *reader) uint64() (uint64, error) {
	if !isNumberStart(r.peek()) {
		return 0, r.typeError("a non-negative integer")
	}
	start := r.pos
	tok, isInt, err := r.number()
	if err != nil {
		return 0, err
	}
	if isInt && tok[0] != '-' {
		var u uint64
		for _, c := range tok {
			d := uint64(c - '0')
			if u > (math.MaxUint64-d)/10 {
				return 0, r.errorf("integer %s out of range", tok)
			}
			u = u*10 + d
		}
		return u, nil
	}
	r.pos = start
	v, err := r.int64()
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return 0, r.errorf("expected a non-negative integer, got %d", v)
	}
	return uint64(v), nil
}

// int reads an integer that fits an int.
func (r *reader) int() (int, error) {
	v, err := r.int64()
	if err != nil {
		return 0, err
	}
	if v < math.MinInt || v > math.MaxInt {
		return 0, r.errorf("integer %d out of range", v)
	}
	return int(v), nil
}

// end checks that nothing but white space follows the top-level value.
func (r *reader) end() error {
	if r.peek() != 0 {
		return r.syntaxError("unexpected data after the top-level value")
	}
	return nil
}

// amount reads an array of integers.
func (r *reader) amount() (vrp.Amount, error) {
	a := vrp.Amount{}
	err := r.array(func(int) error {
		v, err := r.int64()
		a = append(a, v)
		return err
	})
	return a, err
}

// ints reads an array of integers into []int.
func (r *reader) ints() ([]int, error) {
	s := []int{}
	err := r.array(func(int) error {
		v, err := r.int()
		s = append(s, v)
		return err
	})
	return s, err
}

// pair reads [a, b] of integers.
func (r *reader) pair() (a, b int64, err error) {
	n := 0
	err = r.array(func(i int) error {
		if i >= 2 {
			r.pop()
			return r.errorf("expected [start, end], got more than 2 numbers")
		}
		v, err := r.int64()
		if i == 0 {
			a = v
		} else {
			b = v
		}
		n++
		return err
	})
	if err == nil && n != 2 {
		err = r.errorf("expected [start, end], got %d numbers", n)
	}
	return a, b, err
}

// timeWindows reads an array of [start, end] pairs.
func (r *reader) timeWindows() ([]vrp.TimeWindow, error) {
	tws := []vrp.TimeWindow{}
	err := r.array(func(int) error {
		a, b, err := r.pair()
		tws = append(tws, vrp.TimeWindow{Start: a, End: b})
		return err
	})
	return tws, err
}

// coords reads [lon, lat].
func (r *reader) coords() (lon, lat float64, err error) {
	n := 0
	err = r.array(func(i int) error {
		if i >= 2 {
			r.pop()
			return r.errorf("expected [lon, lat], got more than 2 numbers")
		}
		v, err := r.float()
		if i == 0 {
			lon = v
		} else {
			lat = v
		}
		n++
		return err
	})
	if err == nil && n != 2 {
		err = r.errorf("expected [lon, lat], got %d numbers", n)
	}
	return lon, lat, err
}

// matrix reads a square matrix of integers, with a fast path
// for the common case of plain decimal integers. It refuses more than
// MaxMatrixSize rows before allocating for them.
func (r *reader) matrix() ([][]int64, error) {
	if r.peek() != '[' {
		return nil, r.typeError("an array of rows")
	}
	r.pos++
	rows := [][]int64{}
	n := -1
	if r.peek() == ']' {
		r.pos++
		return rows, nil
	}
	for {
		if n >= 0 && len(rows) == n {
			return nil, r.errorf("more than %d rows while rows have %d entries: the matrix must be square", n, n)
		}
		r.pushIndex(len(rows))
		if r.peek() != '[' {
			return nil, r.typeError("an array of numbers")
		}
		r.pos++
		var row []int64
		if n >= 0 {
			row = make([]int64, 0, n)
		}
		if r.peek() == ']' {
			r.pos++
		} else {
			for {
				if n >= 0 && len(row) == n {
					return nil, r.errorf("more than %d entries, expected %d (the matrix must be square)", n, n)
				}
				if n < 0 && len(row) == MaxMatrixSize {
					return nil, r.errorf("more than %d entries: matrices are limited to %d rows", MaxMatrixSize, MaxMatrixSize)
				}
				v, ok := r.fastInt()
				if !ok {
					r.pushIndex(len(row))
					var err error
					if v, err = r.int64(); err != nil {
						return nil, err
					}
					r.pop()
				}
				row = append(row, v)
				c := r.peek()
				if c == ',' {
					r.pos++
					continue
				}
				if c == ']' {
					r.pos++
					break
				}
				if c == 0 {
					return nil, r.syntaxError("unexpected end of input")
				}
				return nil, r.syntaxError("expected ',' or ']' after array element")
			}
		}
		if n < 0 {
			n = len(row)
			row = append([]int64(nil), row...)
		} else if len(row) != n {
			return nil, r.errorf("%d entries, expected %d (the matrix must be square)", len(row), n)
		}
		r.pop()
		rows = append(rows, row)
		c := r.peek()
		if c == ',' {
			r.pos++
			continue
		}
		if c == ']' {
			r.pos++
			break
		}
		if c == 0 {
			return nil, r.syntaxError("unexpected end of input")
		}
		return nil, r.syntaxError("expected ',' or ']' after array element")
	}
	if len(rows) != n {
		return nil, r.errorf("%d rows of %d entries: the matrix must be square", len(rows), n)
	}
	return rows, nil
}

// fastInt reads a plain non-negative decimal integer of at most 18 digits
// directly followed by a delimiter. It reports false, consuming nothing,
// for anything else.
func (r *reader) fastInt() (int64, bool) {
	d := r.data
	i := r.pos
	for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\t' || d[i] == '\r') {
		i++
	}
	start := i
	var v int64
	for i < len(d) {
		c := d[i]
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int64(c-'0')
		i++
	}
	n := i - start
	if n == 0 || n > 18 || (n > 1 && d[start] == '0') {
		return 0, false
	}
	if i < len(d) {
		switch d[i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	r.pos = i
	return v, true
}
