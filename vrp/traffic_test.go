package vrp

import "testing"

func TestTrafficTravel(t *testing.T) {
	rush := Traffic{{Start: 100, End: 200, Factor: 2}, {Start: 300, End: 400, Factor: 0.5}}
	for _, tc := range []struct {
		name               string
		depart, base, want int64
	}{
		{"free flow before", 0, 50, 50},
		{"into the band", 80, 50, 20 + 60},          // 20 s free, 30 s of work at factor 2
		{"inside the band", 120, 10, 20},            // doubled
		{"across the band", 90, 100, 10 + 100 + 40}, // 10 free, 50 work in the band, 40 free
		{"fast band", 300, 30, 15},
		{"after all bands", 500, 70, 70},
		{"zero", 150, 0, 0},
		// 100 s free (100 of work), band 1 does 50 in 100 s, 100 s free
		// (100), band 2 does the last 150 in 75 s.
		{"through both", 0, 400, 375},
	} {
		if got := rush.Travel(tc.depart, tc.base); got != tc.want {
			t.Errorf("%s: Travel(%d, %d) = %d, want %d", tc.name, tc.depart, tc.base, got, tc.want)
		}
	}
}

func TestTrafficFIFO(t *testing.T) {
	// Leaving later never means arriving earlier, whatever the bands.
	tr := Traffic{{Start: 1000, End: 1900, Factor: 3.7}, {Start: 2000, End: 2100, Factor: 0.35}, {Start: 2500, End: 9000, Factor: 1.333}}
	for _, base := range []int64{1, 7, 60, 599, 3600} {
		prev := int64(-1)
		for dep := int64(0); dep < 10000; dep += 3 {
			arr := dep + tr.Travel(dep, base)
			if arr < prev {
				t.Fatalf("base %d: leaving at %d arrives at %d, before %d when leaving 3 s earlier", base, dep, arr, prev)
			}
			prev = arr
		}
	}
}

func TestTrafficLatestDeparture(t *testing.T) {
	tr := Traffic{{Start: 1000, End: 1900, Factor: 3.7}, {Start: 2000, End: 2100, Factor: 0.35}, {Start: 2500, End: 9000, Factor: 1.333}}
	for _, base := range []int64{0, 1, 7, 60, 599, 3600} {
		for by := int64(-500); by < 12000; by += 7 {
			dep := tr.LatestDeparture(by, base)
			if dep+tr.Travel(dep, base) > by {
				t.Fatalf("base %d: leaving at %d arrives at %d, after %d", base, dep, dep+tr.Travel(dep, base), by)
			}
			if dep+1+tr.Travel(dep+1, base) <= by {
				t.Fatalf("base %d: leaving at %d is not the latest to arrive by %d", base, dep, by)
			}
		}
	}
	if got := (Traffic{}).LatestDeparture(100, 30); got != 70 {
		t.Errorf("without traffic: %d, want 70", got)
	}
}
