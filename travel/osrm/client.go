// Package osrm is a client of an OSRM server's HTTP API (v1): its /table
// service fills travel matrices for the optimizer (Client implements
// vrp.TravelSource) and its /route service answers single routes. It talks
// to any server of that API, including `lastmile roads serve`.
package osrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/vrp"
)

// DefaultMaxTableSize is OSRM's default limit on the coordinates of a
// table request (osrm-routed --max-table-size).
const DefaultMaxTableSize = 100

// MaxMatrixCells bounds the cells of one Matrix call (5000 points), as the
// matrices are held in memory.
const MaxMatrixCells = 25_000_000

// maxResponseBytes bounds the size of one response body.
const maxResponseBytes = 256 << 20

// Client queries an OSRM server.
type Client struct {
	// BaseURL is the server's address, e.g. "http://127.0.0.1:5000".
	BaseURL string
	// Profile is the profile in request paths; empty means the vehicle
	// profile given to Matrix, or "driving" when that is empty too.
	Profile string
	// MaxTableSize is the server's limit on coordinates per table request;
	// larger matrices are requested in blocks. 0 means DefaultMaxTableSize.
	MaxTableSize int
	// HTTPClient sends the requests; nil means a client with a 60 s
	// timeout.
	HTTPClient *http.Client
}

var _ vrp.TravelSource = (*Client)(nil)

var defaultHTTP = &http.Client{Timeout: 60 * time.Second}

// Error is an error answered by the server.
type Error struct {
	Status  int    // HTTP status
	Code    string // OSRM code, e.g. NoSegment
	Message string
}

func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (c *Client) http() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return defaultHTTP
}

func (c *Client) profile(p string) string {
	switch {
	case c.Profile != "":
		return c.Profile
	case p != "":
		return p
	}
	return "driving"
}

func coordPath(pts []vrp.Coord) string {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(strconv.FormatFloat(p.Lon, 'f', 6, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p.Lat, 'f', 6, 64))
	}
	return b.String()
}

// get sends a request and decodes an Ok response into v.
func (c *Client) get(ctx context.Context, path string, q url.Values, v any) error {
	u := strings.TrimSuffix(c.BaseURL, "/") + path
	if len(q) > 0 {
		// OSRM's lists are separated by ';', which must stay unescaped.
		var parts []string
		for k, vs := range q {
			parts = append(parts, k+"="+vs[0])
		}
		u += "?" + strings.Join(parts, "&")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	if len(body) > maxResponseBytes {
		return fmt.Errorf("response larger than %d bytes", maxResponseBytes)
	}
	var status struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	jerr := json.Unmarshal(body, &status)
	if resp.StatusCode != http.StatusOK || jerr == nil && status.Code != "Ok" {
		e := &Error{Status: resp.StatusCode, Code: status.Code, Message: status.Message}
		if jerr != nil || e.Message == "" && e.Code == "" {
			e.Message = strings.TrimSpace(string(body[:min(len(body), 200)]))
		}
		return e
	}
	if jerr != nil {
		return fmt.Errorf("response is not OSRM JSON: %w", jerr)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("response is not OSRM JSON: %w", err)
	}
	return nil
}

var coordinateRef = regexp.MustCompile(`coordinate (\d+)`)

// Matrix returns the travel time (seconds) and distance (metres) matrices
// between points from the server's /table service, rounding to integers.
// Matrices larger than MaxTableSize coordinates are assembled from blocks.
// A cell the server leaves null is an error naming the pair.
func (c *Client) Matrix(ctx context.Context, profile string, points []vrp.Coord) (durations, distances [][]int64, err error) {
	n := len(points)
	if n > MaxMatrixCells/max(n, 1) {
		return nil, nil, fmt.Errorf("osrm table: %d points make a matrix of more than %d cells", n, MaxMatrixCells)
	}
	for i, p := range points {
		if !(p.Lon >= -180 && p.Lon <= 180 && p.Lat >= -90 && p.Lat <= 90) {
			return nil, nil, fmt.Errorf("osrm table: point %d has coordinates [%g, %g]", i, p.Lon, p.Lat)
		}
	}
	durFlat := make([]int64, n*n)
	distFlat := make([]int64, n*n)
	durations = make([][]int64, n)
	distances = make([][]int64, n)
	for i := range n {
		durations[i] = durFlat[i*n : (i+1)*n : (i+1)*n]
		distances[i] = distFlat[i*n : (i+1)*n : (i+1)*n]
	}
	if n == 0 {
		return durations, distances, nil
	}
	limit := c.MaxTableSize
	if limit <= 0 {
		limit = DefaultMaxTableSize
	}
	if n <= limit {
		err = c.block(ctx, profile, points, 0, n, 0, n, durations, distances)
	} else {
		b := max(limit/2, 1)
		for i0 := 0; i0 < n && err == nil; i0 += b {
			for j0 := 0; j0 < n && err == nil; j0 += b {
				err = c.block(ctx, profile, points, i0, min(i0+b, n), j0, min(j0+b, n), durations, distances)
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return durations, distances, nil
}

// block fills rows [i0,i1) × columns [j0,j1) with one table request.
func (c *Client) block(ctx context.Context, profile string, points []vrp.Coord, i0, i1, j0, j1 int, dur, dist [][]int64) error {
	var coords []vrp.Coord
	var global []int
	q := url.Values{"annotations": {"duration,distance"}}
	if i0 == j0 && i1 == j1 {
		coords = points[i0:i1]
		for k := i0; k < i1; k++ {
			global = append(global, k)
		}
	} else {
		coords = append(append(coords, points[i0:i1]...), points[j0:j1]...)
		var src, dst []string
		for k := i0; k < i1; k++ {
			src = append(src, strconv.Itoa(k-i0))
			global = append(global, k)
		}
		for k := j0; k < j1; k++ {
			dst = append(dst, strconv.Itoa(i1-i0+k-j0))
			global = append(global, k)
		}
		q.Set("sources", strings.Join(src, ";"))
		q.Set("destinations", strings.Join(dst, ";"))
	}
	var resp struct {
		Durations [][]*float64 `json:"durations"`
		Distances [][]*float64 `json:"distances"`
	}
	path := "/table/v1/" + url.PathEscape(c.profile(profile)) + "/" + coordPath(coords)
	if err := c.get(ctx, path, q, &resp); err != nil {
		var e *Error
		if errors.As(err, &e) {
			// Name coordinates by their index in the caller's list.
			e.Message = coordinateRef.ReplaceAllStringFunc(e.Message, func(m string) string {
				k, _ := strconv.Atoi(m[len("coordinate "):])
				if k >= 0 && k < len(global) {
					return fmt.Sprintf("coordinate %d", global[k])
				}
				return m
			})
		}
		return fmt.Errorf("osrm table: %w", err)
	}
	rows, cols := i1-i0, j1-j0
	if len(resp.Durations) != rows || len(resp.Distances) != rows {
		return fmt.Errorf("osrm table: the response has %d duration and %d distance rows, want %d (is annotations=duration,distance supported?)",
			len(resp.Durations), len(resp.Distances), rows)
	}
	for r := range rows {
		if len(resp.Durations[r]) != cols || len(resp.Distances[r]) != cols {
			return fmt.Errorf("osrm table: row %d of the response has the wrong length", r)
		}
		for k := range cols {
			i, j := i0+r, j0+k
			d, m := resp.Durations[r][k], resp.Distances[r][k]
			if d == nil || m == nil {
				return fmt.Errorf("osrm table: no route from point %d [%g,%g] to point %d [%g,%g]",
					i, points[i].Lon, points[i].Lat, j, points[j].Lon, points[j].Lat)
			}
			if !(*d >= 0 && *d < 1e12) || !(*m >= 0 && *m < 1e12) {
				return fmt.Errorf("osrm table: invalid value from point %d to point %d", i, j)
			}
			dur[i][j] = int64(math.Round(*d))
			dist[i][j] = int64(math.Round(*m))
		}
	}
	return nil
}

// Route is a route answered by the /route service.
type Route struct {
	Duration float64 // seconds
	Distance float64 // metres
	Geometry string  // encoded polyline, precision 5
}

// Route asks the server for the route through the points in order.
func (c *Client) Route(ctx context.Context, profile string, points []vrp.Coord) (*Route, error) {
	if len(points) < 2 {
		return nil, fmt.Errorf("osrm route: %d points, want at least 2", len(points))
	}
	var resp struct {
		Routes []struct {
			Duration float64 `json:"duration"`
			Distance float64 `json:"distance"`
			Geometry string  `json:"geometry"`
		} `json:"routes"`
	}
	path := "/route/v1/" + url.PathEscape(c.profile(profile)) + "/" + coordPath(points)
	q := url.Values{"overview": {"full"}, "steps": {"false"}, "alternatives": {"false"}}
	if err := c.get(ctx, path, q, &resp); err != nil {
		return nil, fmt.Errorf("osrm route: %w", err)
	}
	if len(resp.Routes) == 0 {
		return nil, fmt.Errorf("osrm route: the response has no route")
	}
	r := resp.Routes[0]
	return &Route{Duration: r.Duration, Distance: r.Distance, Geometry: r.Geometry}, nil
}
