package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// apiError is an error answer of the API.
type apiError struct {
	Method, Path string
	Status       int
	Code         string
	Field        string
	Message      string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s (%s) %s", e.Method, e.Path, e.Status, e.Code, e.Field, e.Message)
}

// isCode reports whether err is an API answer with that error code.
func isCode(err error, code string) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Code == code
}

// client speaks the operations API and records the latency of each
// request by route group.
type client struct {
	base string
	hc   *http.Client
	// wall measures latencies; it is the real clock even when the
	// simulation's is virtual.
	mu    sync.Mutex
	stats map[string]*latency
}

type latency struct {
	n, errors int
	d         []time.Duration
}

func newClient(base string, hc *http.Client) *client {
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	return &client{base: strings.TrimRight(base, "/"), hc: hc, stats: map[string]*latency{}}
}

// group names a request for the statistics: method and path with ids
// replaced.
func group(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if i >= 3 && p != "" && (strings.Contains(p, "_") || len(p) > 20) {
			parts[i] = "{id}"
		}
	}
	return method + " " + strings.Join(parts, "/")
}

func (c *client) record(g string, d time.Duration, failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.stats[g]
	if l == nil {
		l = &latency{}
		c.stats[g] = l
	}
	l.n++
	l.d = append(l.d, d)
	if failed {
		l.errors++
	}
}

// do sends a request with a JSON body (nil: none) and decodes a JSON
// answer into out (nil: discarded).
func (c *client) do(ctx context.Context, method, path, key string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	return c.raw(ctx, method, path, key, "application/json", rd, out)
}

func (c *client) raw(ctx context.Context, method, path, key, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	t0 := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			// Not our own deadline (load mode's --duration): a failure.
			c.record(group(method, path), time.Since(t0), true)
		}
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || ctx.Err() == nil {
		c.record(group(method, path), time.Since(t0), err != nil || resp.StatusCode >= 500)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		ae := &apiError{Method: method, Path: path, Status: resp.StatusCode}
		var e struct {
			Error struct{ Code, Field, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil {
			ae.Code, ae.Field, ae.Message = e.Error.Code, e.Error.Field, e.Error.Message
		} else {
			ae.Message = string(data)
		}
		return ae
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// multipart posts form fields and files.
func (c *client) multipart(ctx context.Context, path, key string, fields map[string]string, files map[string][]byte, out any) error {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := mw.WriteField(k, fields[k]); err != nil {
			return err
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile(name, name+".png")
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	return c.raw(ctx, http.MethodPost, path, key, mw.FormDataContentType(), &b, out)
}

// LatencyStats are the request figures of one route group.
type LatencyStats struct {
	Route    string  `json:"route"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50MS    float64 `json:"p50_ms"`
	P90MS    float64 `json:"p90_ms"`
	P99MS    float64 `json:"p99_ms"`
	MaxMS    float64 `json:"max_ms"`
}

// latencies returns the figures per route group and over all requests.
func (c *client) latencies() (all LatencyStats, per []LatencyStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var every []time.Duration
	for g, l := range c.stats {
		per = append(per, summarize(g, l.n, l.errors, l.d))
		every = append(every, l.d...)
		all.Errors += l.errors
	}
	sort.Slice(per, func(i, j int) bool { return per[i].Route < per[j].Route })
	all = summarize("all", len(every), all.Errors, every)
	return all, per
}

func summarize(name string, n, errs int, d []time.Duration) LatencyStats {
	s := LatencyStats{Route: name, Requests: n, Errors: errs}
	if len(d) == 0 {
		return s
	}
	ms := make([]float64, len(d))
	for i, x := range d {
		ms[i] = float64(x) / float64(time.Millisecond)
	}
	sort.Float64s(ms)
	s.P50MS, s.P90MS, s.P99MS, s.MaxMS = round3(quantile(ms, 0.5)), round3(quantile(ms, 0.9)), round3(quantile(ms, 0.99)), round3(ms[len(ms)-1])
	return s
}
