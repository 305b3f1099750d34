package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// decodeJSON decodes data into v strictly (known fields only, one value)
// and turns a failure into an EInvalid error whose field is the JSON path of
// the offending value (`orders[3].window.start`). encoding/json reports the
// path of a wrong JSON type without array indices, and none at all for a
// value refused by its own decoder (a time that is not RFC 3339); the path
// is then found again by walking the body along v's type.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return locateError(data, reflect.TypeOf(v), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return lastmile.Invalidf("", "the body holds more than one JSON value")
	}
	return nil
}

// locateError maps a decoding error of data into a value of type t.
func locateError(data []byte, t reflect.Type, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return jsonError(err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return jsonError(err)
	case errors.As(err, &typ):
		p, raw, _ := locate(data, t, "", 0)
		if p == "" {
			return jsonError(err)
		}
		return lastmile.Invalidf(p, "expected %s, got JSON %s", typeName(typ.Type), jsonKind(raw))
	}
	p, raw, verr := locate(data, t, "", 0)
	if verr == nil {
		verr = err
	}
	if isTimeType(t, p) || errors.As(verr, new(*time.ParseError)) {
		return lastmile.Invalidf(p, "%s is not an RFC 3339 time such as \"2026-11-30T09:00:00Z\" or \"2026-11-30T10:00:00+01:00\"", shorten(raw))
	}
	return lastmile.Invalidf(p, "invalid value %s: %v", shorten(raw), verr)
}

// maxLocateDepth bounds the walk (encoding/json itself stops at 10,000).
const maxLocateDepth = 200

// locate finds the innermost value of raw that does not decode into its
// Go type along t: its path, its JSON text and the decoder's error. It
// returns a nil error when raw decodes; an empty path with an error is
// the body itself.
func locate(raw []byte, t reflect.Type, path string, depth int) (string, []byte, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return "", nil, nil
	}
	err := json.Unmarshal(raw, reflect.New(t).Interface())
	if err == nil {
		return "", nil, nil
	}
	if depth < maxLocateDepth && !customDecoder(t) {
		switch t.Kind() {
		case reflect.Struct:
			for _, kv := range objectMembers(raw) {
				f, ok := fieldByJSONName(t, kv.key)
				if !ok {
					continue
				}
				if p, r, e := locate(kv.val, f.Type, joinPath(path, kv.key), depth+1); e != nil {
					return p, r, e
				}
			}
		case reflect.Map:
			for _, kv := range objectMembers(raw) {
				if p, r, e := locate(kv.val, t.Elem(), joinPath(path, kv.key), depth+1); e != nil {
					return p, r, e
				}
			}
		case reflect.Slice, reflect.Array:
			var items []json.RawMessage
			if json.Unmarshal(raw, &items) == nil {
				for i, it := range items {
					if p, r, e := locate(it, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1); e != nil {
						return p, r, e
					}
				}
			}
		}
	}
	return path, raw, err
}

type member struct {
	key string
	val json.RawMessage
}

// objectMembers returns an object's members in document order (nil when
// raw is not an object).
func objectMembers(raw []byte) []member {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make([]member, 0, len(m))
	for k, v := range m {
		out = append(out, member{k, v})
	}
	// Document order: the position of each value's first byte in raw is
	// not kept by encoding/json, so order by the key's first quoted
	// occurrence, which is exact for the keys of this object unless a key
	// also appears as text earlier in a sibling; sorting by it is still
	// deterministic.
	slices.SortFunc(out, func(a, b member) int {
		return bytes.Index(raw, quoted(a.key)) - bytes.Index(raw, quoted(b.key))
	})
	return out
}

func quoted(s string) []byte { b, _ := json.Marshal(s); return b }

// fieldByJSONName finds the struct field that encoding/json decodes the key
// into: the exact name first, then a case-insensitive match, looking into
// embedded structs.
func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold reflect.StructField
	found := false
	var visit func(t reflect.Type, index []int) (reflect.StructField, bool)
	visit = func(t reflect.Type, index []int) (reflect.StructField, bool) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				if sf, ok := visit(ft, append(index, i)); ok {
					return sf, true
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if name == key {
				return f, true
			}
			if !found && strings.EqualFold(name, key) {
				fold, found = f, true
			}
		}
		return reflect.StructField{}, false
	}
	if f, ok := visit(t, nil); ok {
		return f, true
	}
	return fold, found
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
)

// customDecoder reports whether values of t decode themselves.
func customDecoder(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || pt.Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || pt.Implements(textUnmarshaler)
}

// isTimeType reports whether the value at path (found along t) is a time.
func isTimeType(t reflect.Type, path string) bool {
	t = typeAt(t, path)
	return t == timeType
}

// typeAt follows path (as built by locate) from t; nil when lost.
func typeAt(t reflect.Type, path string) reflect.Type {
	for path != "" && t != nil {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) {
				return nil
			}
			t, path = t.Elem(), strings.TrimPrefix(path[end+1:], ".")
		default:
			end := strings.IndexAny(path, ".[")
			key := path
			if end >= 0 {
				key, path = path[:end], strings.TrimPrefix(path[end:], ".")
			} else {
				path = ""
			}
			switch t.Kind() {
			case reflect.Struct:
				f, ok := fieldByJSONName(t, key)
				if !ok {
					return nil
				}
				t = f.Type
			case reflect.Map:
				t = t.Elem()
			default:
				return nil
			}
		}
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// typeName names a Go type in JSON terms for messages.
func typeName(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	if t == timeType {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// jsonKind names the JSON type of raw.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "value"
	}
	switch raw[0] {
	case '"':
		return "string " + shorten(raw)
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number " + shorten(raw)
}

// shorten quotes at most 60 bytes of a JSON value for a message.
func shorten(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 60 {
		return string(raw[:57]) + "…"
	}
	if len(raw) == 0 {
		return "(empty)"
	}
	return string(raw)
}
