package sim

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// dumpDay writes a generated day as text: the golden of the generator.
func dumpDay(cfg *Config, d *day) string {
	var b strings.Builder
	fmt.Fprintf(&b, "station %.6f,%.6f\n", d.station.Lon, d.station.Lat)
	for _, v := range d.fleet {
		fmt.Fprintf(&b, "vehicle %q %s %s range=%d cap=%d/%d/%d costs=%d/%d/%d skills=%v shift=%s-%s\n", v.name, v.typ, v.energy, v.rangeKM,
			v.capacity.Parcels, v.capacity.WeightG, v.capacity.VolumeCM3, v.costs.Fixed, v.costs.PerHour, v.costs.PerKM, v.skills, v.shiftStart, v.shiftEnd)
	}
	var exts []string
	for _, o := range d.orders {
		exts = append(exts, o.ext)
	}
	fs := fates(cfg, exts)
	for _, o := range d.orders {
		f := fs[o.ext]
		fmt.Fprintf(&b, "order %s %s %.6f,%.6f window=%s-%s known=%s service=%d parcels=%d white_glove=%v otp=%v not_home=%v wrong=%v factor=%.3f\n",
			o.ext, o.kind, o.loc.Lon, o.loc.Lat, clock(o.window[0]), clock(o.window[1]), clock(o.known), o.service, len(o.parcels),
			o.whiteGlove, o.otp, f.notHome, f.wrongAddress, f.serviceFactor)
	}
	return b.String()
}

func TestGenerateGolden(t *testing.T) {
	tests := []struct {
		name  string
		graph string
	}{
		{"great_circle", ""},
		{"monaco", "monaco"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallDay()
			if tc.graph != "" {
				cfg.Graph = sharedGraph(t, tc.graph)
			}
			d, err := generate(&cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := dumpDay(&cfg, d)
			path := filepath.Join("testdata", "day_"+tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Fatalf("generated day differs from %s (run with -update if intended):\n%s", path, got)
			}
			// Shape of the day.
			var win, same, wg, ret int
			for _, o := range d.orders {
				if o.window[1] > 0 {
					win++
					if l := o.window[1] - o.window[0]; l < 3600 || l > 2*3600 {
						t.Errorf("%s window of %d s", o.ext, l)
					}
				}
				if o.known > 0 {
					same++
					if o.known >= cfg.CutOff {
						t.Errorf("%s comes in after the cut-off", o.ext)
					}
				}
				if o.whiteGlove {
					wg++
					if o.service < 900 {
						t.Errorf("white-glove %s has %d s of service", o.ext, o.service)
					}
				}
				if o.kind == "return" {
					ret++
				}
			}
			if len(d.orders) != cfg.Stops || win == 0 || same == 0 || wg == 0 || ret == 0 || len(d.fleet) != cfg.Vehicles {
				t.Errorf("day: %d orders, %d windows, %d same-day, %d white-glove, %d returns, %d vehicles", len(d.orders), win, same, wg, ret, len(d.fleet))
			}
		})
	}
}
