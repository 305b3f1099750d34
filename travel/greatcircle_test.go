package travel

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

var (
	paris  = vrp.Coord{Lon: 2.3522, Lat: 48.8566}
	london = vrp.Coord{Lon: -0.1276, Lat: 51.5072}
)

func TestHaversine(t *testing.T) {
	tests := []struct {
		name   string
		a, b   vrp.Coord
		wantKM float64
		tolKM  float64
	}{
		{"same point", paris, paris, 0, 1e-9},
		{"Paris to London", paris, london, 343.5, 0.5},
		{"quarter meridian", vrp.Coord{Lon: 0, Lat: 0}, vrp.Coord{Lon: 0, Lat: 90}, EarthRadius * math.Pi / 2 / 1000, 1e-6},
		{"antipodes", vrp.Coord{Lon: 0, Lat: 0}, vrp.Coord{Lon: 180, Lat: 0}, EarthRadius * math.Pi / 1000, 1e-6},
		{"one degree of longitude at the equator", vrp.Coord{Lon: 10, Lat: 0}, vrp.Coord{Lon: 11, Lat: 0}, 111.195, 0.001},
		{"across the antimeridian", vrp.Coord{Lon: 179.5, Lat: 0}, vrp.Coord{Lon: -179.5, Lat: 0}, 111.195, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Haversine(tt.a, tt.b) / 1000
			if math.Abs(got-tt.wantKM) > tt.tolKM {
				t.Errorf("Haversine = %.4f km, want %.4f ± %g", got, tt.wantKM, tt.tolKM)
			}
			if back := Haversine(tt.b, tt.a) / 1000; math.Abs(back-got) > 1e-9 {
				t.Errorf("not symmetric: %v vs %v", got, back)
			}
		})
	}
}

func TestGreatCircleBetween(t *testing.T) {
	tests := []struct {
		name             string
		g                GreatCircle
		wantDist, wantDu int64
	}{
		// 1 degree at the equator is 111,195.1 m; ×1.3 = 144,553.6 m; at 30 km/h
		// (8.333 m/s) that is 17,346 s.
		{"defaults", GreatCircle{}, 144554, 17346},
		{"no detour, 60 km/h", GreatCircle{SpeedKMH: 60, DetourFactor: 1}, 111195, 6672},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dist, dur, err := tt.g.Between(vrp.Coord{Lon: 10}, vrp.Coord{Lon: 11})
			if err != nil {
				t.Fatal(err)
			}
			if dist != tt.wantDist || dur != tt.wantDu {
				t.Errorf("Between = %d m, %d s; want %d m, %d s", dist, dur, tt.wantDist, tt.wantDu)
			}
		})
	}
}

func TestGreatCircleMatrix(t *testing.T) {
	pts := []vrp.Coord{paris, london, {Lon: 2.35, Lat: 48.86}, paris}
	g := GreatCircle{SpeedKMH: 50, DetourFactor: 1.2}
	dur, dist, err := g.Matrix(context.Background(), "car", pts)
	if err != nil {
		t.Fatal(err)
	}
	if len(dur) != 4 || len(dist) != 4 {
		t.Fatalf("got %d and %d rows", len(dur), len(dist))
	}
	for i := range pts {
		for j := range pts {
			wd, wt, _ := g.Between(pts[i], pts[j])
			if dist[i][j] != wd || dur[i][j] != wt {
				t.Errorf("[%d][%d] = %d m %d s, want %d m %d s", i, j, dist[i][j], dur[i][j], wd, wt)
			}
			if dist[i][j] != dist[j][i] || dur[i][j] != dur[j][i] {
				t.Errorf("[%d][%d] not symmetric", i, j)
			}
		}
	}
	if dist[0][3] != 0 || dur[0][3] != 0 {
		t.Errorf("identical points are %d m, %d s apart", dist[0][3], dur[0][3])
	}
	if km := float64(dist[0][1]) / 1000 / 1.2; math.Abs(km-343.5) > 0.5 {
		t.Errorf("Paris-London = %.1f km before detour, want about 343.5", km)
	}
	// Growing a row must not spill into the next one.
	dur[0] = append(dur[0], 99)
	if dur[1][0] == 99 {
		t.Error("rows share capacity")
	}
}

func TestGreatCircleErrors(t *testing.T) {
	tests := []struct {
		name string
		g    GreatCircle
		pts  []vrp.Coord
	}{
		{"negative speed", GreatCircle{SpeedKMH: -1}, []vrp.Coord{paris}},
		{"NaN speed", GreatCircle{SpeedKMH: math.NaN()}, []vrp.Coord{paris}},
		{"negative detour", GreatCircle{DetourFactor: -2}, []vrp.Coord{paris}},
		{"NaN coordinate", GreatCircle{}, []vrp.Coord{{Lon: math.NaN(), Lat: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := tt.g.Matrix(context.Background(), "car", tt.pts); err == nil {
				t.Error("Matrix succeeded, want an error")
			}
		})
	}
}

func TestGreatCircleCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pts := make([]vrp.Coord, 200)
	if _, _, err := (GreatCircle{}).Matrix(ctx, "car", pts); !errors.Is(err, context.Canceled) {
		t.Errorf("Matrix with a cancelled context = %v", err)
	}
}

func TestGreatCircleEmpty(t *testing.T) {
	dur, dist, err := GreatCircle{}.Matrix(context.Background(), "car", nil)
	if err != nil || len(dur) != 0 || len(dist) != 0 {
		t.Errorf("Matrix(nil) = %v, %v, %v", dur, dist, err)
	}
}

func BenchmarkGreatCircle2000(b *testing.B) {
	pts := make([]vrp.Coord, 2000)
	for i := range pts {
		pts[i] = vrp.Coord{Lon: 2 + float64(i%50)/100, Lat: 48 + float64(i/50)/100}
	}
	for b.Loop() {
		if _, _, err := (GreatCircle{}).Matrix(context.Background(), "car", pts); err != nil {
			b.Fatal(err)
		}
	}
}
