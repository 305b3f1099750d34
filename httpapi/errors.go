package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/lastmile-dev/lastmile"
)

// statusOf is the single table from error codes to HTTP statuses.
var statusOf = map[string]int{
	lastmile.EInvalid:      http.StatusUnprocessableEntity,
	lastmile.ENotFound:     http.StatusNotFound,
	lastmile.EConflict:     http.StatusConflict,
	lastmile.ETransition:   http.StatusConflict,
	lastmile.EUnauthorized: http.StatusUnauthorized,
	lastmile.EForbidden:    http.StatusForbidden,
	lastmile.ETooLarge:     http.StatusRequestEntityTooLarge,
	lastmile.EUnsupported:  http.StatusUnsupportedMediaType,
	lastmile.EUnavailable:  http.StatusServiceUnavailable,
	lastmile.ERateLimited:  http.StatusTooManyRequests,
	lastmile.EInternal:     http.StatusInternalServerError,
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := lastmile.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if code == lastmile.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lastmile"`)
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: lastmile.ErrorMessage(err), Field: lastmile.ErrorField(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

// decode reads a JSON body into v strictly: one value, known fields only,
// at most limit bytes. Mistakes are EInvalid errors naming the field.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return jsonError(err)
	}
	return decodeJSON(data, v)
}

func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return lastmile.Errorf(lastmile.EUnsupported, "Content-Type", "%q: this endpoint takes application/json", ct)
	}
	return nil
}

// jsonError turns a decoding error into a domain error with the field.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return lastmile.Errorf(lastmile.ETooLarge, "", "body larger than %d bytes", tooBig.Limit)
	case errors.As(err, &syn):
		return lastmile.Invalidf("", "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return lastmile.Invalidf(typ.Field, "expected %s, got JSON %s", typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return lastmile.Invalidf("", "empty body: a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return lastmile.Invalidf("", "truncated JSON")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return lastmile.Invalidf(strings.Trim(f, `"`), "unknown field")
	}
	// Other errors come from values' own decoders, such as a time that is
	// not RFC 3339.
	return lastmile.Invalidf("", "invalid value: %v", err)
}

// pathID returns a path value.
func pathID(r *http.Request, name string) string { return r.PathValue(name) }

// intParam parses an optional integer query parameter.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, lastmile.Invalidf(name, "%q is not an integer in [%d, %d]", v, lo, hi)
	}
	return n, nil
}

// page reads cursor and limit.
func page(r *http.Request) (lastmile.Page, error) {
	n, err := intParam(r, "limit", lastmile.DefaultLimit, 1, lastmile.MaxLimit)
	if err != nil {
		return lastmile.Page{}, err
	}
	c := r.URL.Query().Get("cursor")
	if len(c) > 100 {
		return lastmile.Page{}, lastmile.Invalidf("cursor", "not a cursor")
	}
	return lastmile.Page{Cursor: c, Limit: n}, nil
}

// list is the shape of every list response.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func writeList[T any](w http.ResponseWriter, items []T, next string) error {
	if items == nil {
		items = []T{}
	}
	return writeJSON(w, http.StatusOK, list[T]{Items: items, NextCursor: next})
}

// etag writes the version as an ETag.
func etag(w http.ResponseWriter, version int64) {
	w.Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
}

// ifMatch returns the version named by an If-Match header, or fallback.
func ifMatch(r *http.Request, fallback int64) (int64, error) {
	h := r.Header.Get("If-Match")
	if h == "" {
		return fallback, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil {
		return 0, lastmile.Invalidf("If-Match", "%q is not a version ETag", h)
	}
	return v, nil
}
