package vroomjson

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/lastmile-dev/lastmile/vrp"
)

// bigProblem builds n jobs with time windows and amounts, two vehicles and
// a full (n+1)×(n+1) durations matrix.
func bigProblem(n int) *vrp.Problem {
	rng := rand.New(rand.NewPCG(1, 2))
	p := &vrp.Problem{Jobs: make([]vrp.Job, n)}
	for i := range p.Jobs {
		start := rng.Int64N(30000)
		p.Jobs[i] = vrp.Job{
			ID:          uint64(i + 1),
			Location:    vrp.Location{Index: i + 1, HasIndex: true},
			Service:     300,
			Delivery:    vrp.Amount{1 + rng.Int64N(9)},
			TimeWindows: []vrp.TimeWindow{{Start: start, End: start + 3600}},
		}
	}
	for v := range 2 {
		p.Vehicles = append(p.Vehicles, vrp.Vehicle{
			ID: uint64(v + 1), Profile: "car",
			Start: &vrp.Location{Index: 0, HasIndex: true}, End: &vrp.Location{Index: 0, HasIndex: true},
			Capacity: vrp.Amount{1000}, TimeWindow: &vrp.TimeWindow{Start: 0, End: 86400},
			Costs: vrp.Costs{PerHour: 3600}, SpeedFactor: 1, MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1,
		})
	}
	m := make([][]int64, n+1)
	for i := range m {
		m[i] = make([]int64, n+1)
		for j := range m[i] {
			if i != j {
				m[i][j] = 60 + rng.Int64N(7200)
			}
		}
	}
	p.Matrices = map[string]*vrp.Matrix{"car": {Durations: m}}
	return p
}

// BenchmarkReadWrite2000 decodes and re-encodes a 2,000-task problem with a
// full 2,001×2,001 durations matrix; the target is well under a second.
func BenchmarkReadWrite2000(b *testing.B) {
	p := bigProblem(2000)
	var in bytes.Buffer
	if err := EncodeProblem(&in, p); err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(in.Len()))
		for b.Loop() {
			if _, err := Decode(bytes.NewReader(in.Bytes())); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(in.Len()))
		for b.Loop() {
			if err := EncodeProblem(io.Discard, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("both", func(b *testing.B) {
		for b.Loop() {
			q, err := Decode(bytes.NewReader(in.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			if err := EncodeProblem(io.Discard, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestBigRoundTrip(t *testing.T) {
	p := bigProblem(300)
	var b bytes.Buffer
	if err := EncodeProblem(&b, p); err != nil {
		t.Fatal(err)
	}
	q, err := Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	var b2 bytes.Buffer
	if err := EncodeProblem(&b2, q); err != nil {
		t.Fatal(err)
	}
	var b1 bytes.Buffer
	_ = EncodeProblem(&b1, p)
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("EncodeProblem(Decode(EncodeProblem(p))) differs from EncodeProblem(p)")
	}
}
