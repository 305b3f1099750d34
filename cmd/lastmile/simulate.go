package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/sim"
	"github.com/lastmile-dev/lastmile/travel/roads"
)

// runSimulate is lastmile simulate: a delivery day end to end through
// the API, its KPIs, strategy comparisons, and load mode.
func runSimulate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := sim.Defaults()
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random `SEED`: the same seed and flags give the same day and KPIs")
	fs.IntVar(&cfg.Stops, "stops", cfg.Stops, "orders of the day, same-day ones included")
	fs.IntVar(&cfg.Vehicles, "vehicles", cfg.Vehicles, "vehicles, each with a driver")
	fs.StringVar(&cfg.Date, "date", cfg.Date, "the day, `YYYY-MM-DD` local to the station")
	fs.StringVar(&cfg.TimeZone, "tz", cfg.TimeZone, "the station's time `ZONE`")
	osm := fs.String("osm", "", "drive on the roads of an OpenStreetMap `FILE.osm.pbf` (imported on start)")
	graph := fs.String("graph", "", "drive on a road graph `FILE` written by lastmile roads import")
	center := fs.String("center", "", "great-circle days: the station at `LON,LAT` (default Andorra la Vella)")
	fs.Float64Var(&cfg.RadiusM, "radius", cfg.RadiusM, "neighbourhoods lie within this many `METRES` of the station")
	orders := fs.String("orders", "", "replay an order `FILE` in the import format (CSV with a header, or a JSON array)")
	fs.Float64Var(&cfg.WindowShare, "windows", cfg.WindowShare, "share of orders with a time window")
	windowHours := fs.String("window-hours", "1-2", "window length range in hours, `MIN-MAX`")
	fs.Float64Var(&cfg.SameDayShare, "same-day", cfg.SameDayShare, "share of orders coming in during the morning (re-planned at the cut-off)")
	fs.Float64Var(&cfg.WhiteGloveShare, "white-glove", cfg.WhiteGloveShare, "share of white-glove stops (long service, two-person crew)")
	fs.Float64Var(&cfg.ReturnShare, "returns", cfg.ReturnShare, "share of returns to collect")
	fs.Float64Var(&cfg.EVShare, "ev-share", cfg.EVShare, "share of the vans that are electric")
	fs.Float64Var(&cfg.NotHomeRate, "not-home", cfg.NotHomeRate, "rate of recipients not at home")
	fs.Float64Var(&cfg.WrongAddressRate, "wrong-address", cfg.WrongAddressRate, "rate of wrong addresses")
	fs.Float64Var(&cfg.Traffic, "traffic", cfg.Traffic, "scale of the time-of-day traffic slow-down (0: none)")
	fs.StringVar(&cfg.Strategy, "strategy", cfg.Strategy, "routing: optimizer or nearest (greedy nearest neighbour)")
	fs.StringVar(&cfg.TrackerService, "tracker-service", cfg.TrackerService, "the simulated server's time at the door for ETAs: learned (the server's default) or planned")
	fs.Int64Var(&cfg.PlanIterations, "iterations", cfg.PlanIterations, "optimizer iterations per plan (0: until --plan-time-limit)")
	fs.DurationVar(&cfg.PlanTimeLimit, "plan-time-limit", cfg.PlanTimeLimit, "bound of one plan's optimizer time")
	fs.DurationVar(&cfg.GPSEvery, "gps-every", cfg.GPSEvery, "simulated time between two GPS positions")
	fs.Float64Var(&cfg.CO2.DieselLPer100KM, "diesel-l-per-100km", cfg.CO2.DieselLPer100KM, "diesel vans' consumption, litres per 100 km")
	fs.Float64Var(&cfg.CO2.TruckLPer100KM, "truck-l-per-100km", cfg.CO2.TruckLPer100KM, "the two-person truck's consumption, litres per 100 km")
	fs.Float64Var(&cfg.CO2.EVKWhPer100KM, "ev-kwh-per-100km", cfg.CO2.EVKWhPer100KM, "electric vans' consumption from the grid, kWh per 100 km")
	fs.Float64Var(&cfg.CO2.GridGPerKWh, "grid-g-per-kwh", cfg.CO2.GridGPerKWh, "CO2 intensity of the grid, grams per kWh")
	jsonOut := fs.String("json", "", "write the results as JSON to `FILE` (- for standard output)")
	report := fs.String("report", "", "write an HTML report with charts and a map to `FILE.html`")
	progress := fs.Bool("progress", false, "show a progress bar on standard error even when it is not a terminal")
	compare := fs.String("compare", "", "compare on the same day: strategy (optimizer vs nearest), ev (0/50/100 % electric) or windows (tight vs loose)")
	server := fs.String("server", "", "load mode: the `URL` of a running lastmile server")
	adminKey := fs.String("admin-key", "", "load mode: an admin API `KEY` of that server")
	stations := fs.Int("stations", 1, "load mode: station days driven at once")
	load := fs.Bool("load", false, "load mode: drive station days against --server and report request rates and latencies")
	duration := fs.Duration("duration", time.Minute, "load mode: stop after this long")
	speed := fs.Float64("speed", 60, "load mode: simulated seconds per real second")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	mn, mx, ok := strings.Cut(*windowHours, "-")
	if a, err1 := strconv.ParseFloat(mn, 64); ok && err1 == nil {
		if b, err2 := strconv.ParseFloat(mx, 64); err2 == nil {
			cfg.WindowMinH, cfg.WindowMaxH = a, b
		} else {
			ok = false
		}
	} else {
		ok = false
	}
	if !ok {
		return usagef("--window-hours: %q is not MIN-MAX hours", *windowHours)
	}
	if *center != "" {
		lon, lat, err := parseLonLat("--center", *center)
		if err != nil {
			return usagef("%v", err)
		}
		cfg.Center = lastmile.Point{Lat: lat, Lon: lon}
	}
	switch *compare {
	case "", "strategy", "ev", "windows":
	default:
		return usagef("--compare: %q is not strategy, ev or windows", *compare)
	}
	if *load {
		return runLoad(ctx, cfg, *server, *adminKey, *stations, *duration, *speed, *jsonOut, stdout, stderr)
	}
	if *server != "" || *adminKey != "" {
		return usagef("--server and --admin-key go with --load")
	}
	if *osm != "" && *graph != "" {
		return usagef("--osm and --graph exclude each other")
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	if *orders != "" {
		f, err := readOrderFile(*orders)
		if err != nil {
			return err
		}
		cfg.Orders = f
	}
	switch {
	case *osm != "":
		t0 := time.Now()
		g, err := roads.ImportFile(ctx, *osm, roads.ImportOptions{})
		if err != nil {
			return usagef("--osm: %v", err)
		}
		fmt.Fprintf(stderr, "imported %s in %.1fs (map data © OpenStreetMap contributors)\n", *osm, time.Since(t0).Seconds())
		cfg.Graph = g
	case *graph != "":
		g, err := loadGraph(*graph)
		if err != nil {
			return err
		}
		cfg.Graph = g
	}
	if *progress || isTerminal(stderr) {
		cfg.Progress = progressBar(stderr)
	}
	if *compare != "" {
		cmp, err := sim.Compare(ctx, cfg, *compare)
		if err != nil {
			return err
		}
		if cfg.Progress != nil {
			fmt.Fprintln(stderr)
		}
		if err := cmp.WriteTable(stdout); err != nil {
			return err
		}
		if *jsonOut != "" {
			if err := writeJSONFile(*jsonOut, stdout, cmp); err != nil {
				return err
			}
		}
		if *report != "" {
			return writeFile(*report, func(w io.Writer) error { return cmp.WriteHTML(w) })
		}
		return nil
	}
	res, err := sim.Run(ctx, cfg)
	if cfg.Progress != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	if *jsonOut != "-" {
		if err := res.WriteSummary(stdout); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		if err := writeJSONFile(*jsonOut, stdout, res); err != nil {
			return err
		}
	}
	if *report != "" {
		return writeFile(*report, res.WriteHTML)
	}
	return nil
}

// readOrderFile reads an order file: JSON (an array, or {"orders": [...]})
// or CSV.
func readOrderFile(path string) (*sim.OrderFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--orders: %v", err)
	}
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "[") || strings.HasPrefix(trimmed, "{") {
		var rows []json.RawMessage
		if err := json.Unmarshal(data, &rows); err != nil {
			var wrapped struct {
				Orders []json.RawMessage `json:"orders"`
			}
			if err2 := json.Unmarshal(data, &wrapped); err2 != nil || wrapped.Orders == nil {
				return nil, usagef("--orders: %s is not a JSON array of orders: %v", path, err)
			}
			rows = wrapped.Orders
		}
		if len(rows) == 0 {
			return nil, usagef("--orders: %s has no orders", path)
		}
		return &sim.OrderFile{JSON: rows}, nil
	}
	if !strings.Contains(trimmed, "\n") {
		return nil, usagef("--orders: %s has a header and no rows", path)
	}
	return &sim.OrderFile{CSV: data}, nil
}

func writeJSONFile(path string, stdout io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return writeFile(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// writeFile writes a file whole or not at all.
func writeFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lastmile-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws the stops completed on w, at most every 100 ms.
func progressBar(w io.Writer) func(done, total int) {
	var last time.Time
	return func(done, total int) {
		if total <= 0 || (time.Since(last) < 100*time.Millisecond && done < total) {
			return
		}
		last = time.Now()
		const width = 40
		n := width * min(done, total) / total
		fmt.Fprintf(w, "\r[%s%s] %d/%d stops", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
	}
}

// runLoad is lastmile simulate --load.
func runLoad(ctx context.Context, day sim.Config, server, adminKey string, stations int, duration time.Duration, speed float64, jsonOut string, stdout, stderr io.Writer) error {
	if server == "" {
		return usagef("--server: required with --load")
	}
	res, err := sim.Load(ctx, sim.LoadConfig{BaseURL: server, AdminKey: adminKey, Stations: stations, Duration: duration, Speed: speed, Day: day})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return usagef("%v", err)
	}
	fmt.Fprintf(stdout, "Load: %d station days at %g× for %.1f s against %s\n", res.Stations, res.Speed, res.DurationS, server)
	fmt.Fprintf(stdout, "  requests %d (%.1f/s), errors %d, latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		res.Requests, res.RatePerS, res.Errors, res.Latency.P50MS, res.Latency.P90MS, res.Latency.P99MS, res.Latency.MaxMS)
	fmt.Fprintf(stdout, "  stops completed %d, positions sent %d (accepted %d)\n", res.StopsDone, res.Positions.Sent, res.Positions.Accepted)
	for _, r := range res.Routes {
		fmt.Fprintf(stdout, "  %-40s %6d  p50 %7.1f ms  p99 %7.1f ms  errors %d\n", r.Route, r.Requests, r.P50MS, r.P99MS, r.Errors)
	}
	if jsonOut != "" {
		if err := writeJSONFile(jsonOut, stdout, res); err != nil {
			return err
		}
	}
	for _, e := range res.StationErrs {
		fmt.Fprintf(stderr, "  %s\n", e)
	}
	if len(res.StationErrs) > 0 {
		return fmt.Errorf("%d of %d station days stopped on an error", len(res.StationErrs), res.Stations)
	}
	return nil
}
