package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/travel/osrm"
	"github.com/lastmile-dev/lastmile/travel/osrmhttp"
	"github.com/lastmile-dev/lastmile/travel/roads"
	"github.com/lastmile-dev/lastmile/vrp"
)

const roadsUsage = `usage:
  lastmile roads import FILE.osm.pbf -o FILE.graph
  lastmile roads route  --graph FILE.graph --from LON,LAT --to LON,LAT
  lastmile roads matrix --graph FILE.graph --points POINTS.csv
  lastmile roads serve  --graph FILE.graph [--addr 127.0.0.1:5000]

Imports OpenStreetMap car roads into a preprocessed graph and answers
routes and travel time matrices on it (OSRM-compatible JSON).
Map data © OpenStreetMap contributors (ODbL).
`

// runRoads implements `lastmile roads`.
func runRoads(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, roadsUsage)
		return usagef("missing subcommand (import, route, matrix or serve)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, roadsUsage)
		return nil
	case "import":
		return roadsImport(ctx, args[1:], stderr)
	case "route":
		return roadsRoute(ctx, args[1:], stdout, stderr)
	case "matrix":
		return roadsMatrix(ctx, args[1:], stdout, stderr)
	case "serve":
		return roadsServe(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, roadsUsage)
	return usagef("unknown subcommand %q (want import, route, matrix or serve)", args[0])
}

// parseInterleaved parses flags that may come before or after positional
// arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return usagef("%v", err)
}

func roadsImport(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("roads import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the graph to `FILE`")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 || *out == "" {
		return usagef("usage: lastmile roads import FILE.osm.pbf -o FILE.graph")
	}
	t0 := time.Now()
	g, err := roads.ImportFile(ctx, pos[0], roads.ImportOptions{})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return &vrp.InputError{Field: pos[0], Msg: err.Error()}
	}
	if err := g.WriteFile(*out); err != nil {
		return err
	}
	st := g.Stats()
	fmt.Fprintf(stderr, "imported %s in %.2fs: %d drivable ways, %d nodes, %d roads, %d turns, %d of %d turn restrictions applied\n",
		pos[0], time.Since(t0).Seconds(), st.Ways, st.Nodes, st.Roads, st.Turns, st.RestrictionsUse, st.Restrictions)
	fmt.Fprintf(stderr, "dropped: %d directed roads not connected to the largest strongly connected component, %d way nodes missing from the file\n",
		st.DroppedRoads, st.MissingNodes)
	fmt.Fprintf(stderr, "wrote %s: %d graph nodes, %d edges (%d shortcuts). Map data © OpenStreetMap contributors (ODbL).\n",
		*out, g.NumNodes(), g.NumEdges(), st.Shortcuts)
	return nil
}

// loadGraph reads a graph file; problems with the file are input errors.
func loadGraph(path string) (*roads.Graph, error) {
	if path == "" {
		return nil, usagef("--graph FILE is required")
	}
	g, err := roads.ReadGraphFile(path)
	if err != nil {
		return nil, &vrp.InputError{Field: "--graph", Msg: err.Error()}
	}
	return g, nil
}

func parseLonLat(field, s string) (lon, lat float64, err error) {
	a, b, ok := strings.Cut(s, ",")
	if ok {
		lon, err = strconv.ParseFloat(strings.TrimSpace(a), 64)
		if err == nil {
			lat, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
		}
	}
	if !ok || err != nil || !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
		return 0, 0, &vrp.InputError{Field: field, Msg: fmt.Sprintf("%q is not LON,LAT in degrees", s)}
	}
	return lon, lat, nil
}

func roadsRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("roads route", flag.ContinueOnError)
	fs.SetOutput(stderr)
	graph := fs.String("graph", "", "road graph `FILE` written by roads import")
	from := fs.String("from", "", "start `LON,LAT`")
	to := fs.String("to", "", "destination `LON,LAT`")
	maxSnap := fs.Float64("max-snap", 1000, "largest distance in `METRES` from a coordinate to its road")
	precision := fs.Int("precision", 5, "polyline `DIGITS`: 5 or 6")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *precision != 5 && *precision != 6 {
		return usagef("--precision: %d, want 5 or 6", *precision)
	}
	lon1, lat1, err := parseLonLat("--from", *from)
	if err != nil {
		return err
	}
	lon2, lat2, err := parseLonLat("--to", *to)
	if err != nil {
		return err
	}
	g, err := loadGraph(*graph)
	if err != nil {
		return err
	}
	a, err := g.Snap(0, lon1, lat1, *maxSnap)
	if err != nil {
		return &vrp.InputError{Field: "--from", Msg: err.Error()}
	}
	b, err := g.Snap(1, lon2, lat2, *maxSnap)
	if err != nil {
		return &vrp.InputError{Field: "--to", Msg: err.Error()}
	}
	rt, err := g.Route(a, b)
	if err != nil {
		return &vrp.InputError{Field: "--to", Msg: err.Error()}
	}
	type waypoint struct {
		Location [2]float64 `json:"location"`
		Name     string     `json:"name"`
		Distance float64    `json:"distance"`
	}
	wp := func(p roads.Phantom) waypoint {
		return waypoint{[2]float64{round6(p.Lon), round6(p.Lat)}, p.Name, round1(p.Distance)}
	}
	out := map[string]any{
		"code": "Ok",
		"routes": []map[string]any{{
			"duration":    round1(rt.Seconds()),
			"distance":    round1(rt.Metres()),
			"weight":      round1(float64(rt.Weight) / 10),
			"weight_name": "routability",
			"geometry":    roads.EncodePolyline(rt.Points(), *precision),
		}},
		"waypoints": []waypoint{wp(a), wp(b)},
	}
	enc := json.NewEncoder(stdout)
	return enc.Encode(out)
}

func round1(x float64) float64 { return float64(int64(x*10+0.5*sign(x))) / 10 }
func round6(x float64) float64 { return float64(int64(x*1e6+0.5*sign(x))) / 1e6 }

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

func roadsMatrix(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("roads matrix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	graph := fs.String("graph", "", "road graph `FILE` written by roads import")
	points := fs.String("points", "", "`CSV` file whose header names lon and lat columns")
	maxSnap := fs.Float64("max-snap", 1000, "largest distance in `METRES` from a coordinate to its road")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *points == "" {
		return usagef("--points CSV is required")
	}
	coords, err := readPointsCSV(*points)
	if err != nil {
		return err
	}
	if n := len(coords); n*n > roads.MaxTableCells {
		return &vrp.InputError{Field: "--points", Msg: fmt.Sprintf("%d points make a matrix of more than %d cells", n, roads.MaxTableCells)}
	}
	g, err := loadGraph(*graph)
	if err != nil {
		return err
	}
	ph := make([]roads.Phantom, len(coords))
	for i, c := range coords {
		if ph[i], err = g.Snap(i, c[0], c[1], *maxSnap); err != nil {
			return &vrp.InputError{Field: fmt.Sprintf("%s: point %d (line %d)", *points, i, i+2), Msg: err.Error()}
		}
	}
	t, err := g.Table(ctx, ph, ph)
	if err != nil {
		return err
	}
	buf := osrmhttp.EncodeTable(nil, t, ph, ph)
	if _, err := stdout.Write(buf); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// readPointsCSV reads the lon and lat columns of a CSV file with a header.
func readPointsCSV(path string) ([][2]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &vrp.InputError{Field: "--points", Msg: err.Error()}
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, &vrp.InputError{Field: path, Msg: "no header line: " + err.Error()}
	}
	lonCol, latCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "lon", "lng", "longitude":
			lonCol = i
		case "lat", "latitude":
			latCol = i
		}
	}
	if lonCol < 0 || latCol < 0 {
		return nil, &vrp.InputError{Field: path, Msg: "the header names no lon and lat columns"}
	}
	var out [][2]float64
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &vrp.InputError{Field: path, Msg: err.Error()}
		}
		if len(rec) <= max(lonCol, latCol) {
			return nil, &vrp.InputError{Field: fmt.Sprintf("%s: line %d", path, line), Msg: "missing lon or lat"}
		}
		lon, err1 := strconv.ParseFloat(strings.TrimSpace(rec[lonCol]), 64)
		lat, err2 := strconv.ParseFloat(strings.TrimSpace(rec[latCol]), 64)
		if err1 != nil || err2 != nil || !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
			return nil, &vrp.InputError{Field: fmt.Sprintf("%s: line %d", path, line), Msg: fmt.Sprintf("%q,%q is not a longitude and latitude", rec[lonCol], rec[latCol])}
		}
		out = append(out, [2]float64{lon, lat})
		if len(out) > maxMatrixPoints {
			return nil, &vrp.InputError{Field: path, Msg: fmt.Sprintf("more than %d points", maxMatrixPoints)}
		}
	}
	if len(out) == 0 {
		return nil, &vrp.InputError{Field: path, Msg: "no points"}
	}
	return out, nil
}

// maxMatrixPoints bounds the points of roads matrix (a square matrix of
// roads.MaxTableCells cells).
const maxMatrixPoints = 5000

func roadsServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("roads serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	graph := fs.String("graph", "", "road graph `FILE` written by roads import")
	addr := fs.String("addr", "127.0.0.1:5000", "listen `ADDRESS`")
	maxTable := fs.Int("max-table-size", 5000, "largest number of `COORDINATES` of a table request")
	maxSnap := fs.Float64("max-snap", 1000, "default largest distance in `METRES` from a coordinate to its road")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	g, err := loadGraph(*graph)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("--addr: %v", err)
	}
	srv := &http.Server{
		Handler:           osrmhttp.NewHandler(g, osrmhttp.Options{MaxTableCoordinates: *maxTable, MaxSnapDistance: *maxSnap}),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    4 << 20,
	}
	fmt.Fprintf(stderr, "serving OSRM-compatible /route/v1 and /table/v1 on http://%s (map data © OpenStreetMap contributors)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		return nil
	}
}

// roadFlags are the road travel flags of commands that fill travel
// matrices (lastmile solve): an OpenStreetMap extract imported on the
// fly, a graph file, or an OSRM server. At most one may be given.
type roadFlags struct {
	osm, graph, osrm string
	osrmMaxTable     int
	maxSnap          float64
}

// register adds --osm, --graph, --osrm, --osrm-max-table and --max-snap
// to fs.
func (f *roadFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.osm, "osm", "", "compute travel on the roads of an OpenStreetMap `FILE.osm.pbf` (imported on start)")
	fs.StringVar(&f.graph, "graph", "", "compute travel on a road graph `FILE` written by lastmile roads import")
	fs.StringVar(&f.osrm, "osrm", "", "ask an OSRM server at `URL` (e.g. http://127.0.0.1:5000) for travel matrices")
	fs.IntVar(&f.osrmMaxTable, "osrm-max-table", 100, "the OSRM server's --max-table-size: `COORDINATES` per table request")
	fs.Float64Var(&f.maxSnap, "max-snap", 1000, "largest distance in `METRES` from a location to its road (--osm, --graph)")
}

// source returns the travel source the flags choose, or fallback when none
// of --osm, --graph and --osrm is given. Problems with the files or flags
// are input errors.
func (f *roadFlags) source(ctx context.Context, stderr io.Writer, fallback vrp.TravelSource) (vrp.TravelSource, error) {
	given := 0
	for _, v := range []string{f.osm, f.graph, f.osrm} {
		if v != "" {
			given++
		}
	}
	switch {
	case given == 0:
		return fallback, nil
	case given > 1:
		return nil, usagef("--osm, --graph and --osrm exclude each other")
	case !(f.maxSnap > 0):
		return nil, usagef("--max-snap: %g, want a positive distance", f.maxSnap)
	}
	switch {
	case f.osm != "":
		t0 := time.Now()
		g, err := roads.ImportFile(ctx, f.osm, roads.ImportOptions{})
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, &vrp.InputError{Field: "--osm", Msg: err.Error()}
		}
		fmt.Fprintf(stderr, "imported %s in %.1fs (map data © OpenStreetMap contributors)\n", f.osm, time.Since(t0).Seconds())
		return &roads.Source{Graph: g, MaxSnapDistance: f.maxSnap}, nil
	case f.graph != "":
		g, err := loadGraph(f.graph)
		if err != nil {
			return nil, err
		}
		return &roads.Source{Graph: g, MaxSnapDistance: f.maxSnap}, nil
	default:
		u, err := url.Parse(f.osrm)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--osrm: %q is not an http(s) URL", f.osrm)
		}
		if f.osrmMaxTable < 2 {
			return nil, usagef("--osrm-max-table: %d, want at least 2", f.osrmMaxTable)
		}
		return &osrm.Client{BaseURL: f.osrm, MaxTableSize: f.osrmMaxTable}, nil
	}
}
