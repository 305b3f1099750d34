package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Skill of white-glove stops: two people carry and install.
const skillTwoPerson = "two_person"

// DefaultCenter is where great-circle days are generated when no centre
// is given: Andorra la Vella.
var DefaultCenter = lastmile.Point{Lat: 42.5078, Lon: 1.5211}

// genOrder is one generated order, with what will happen at the door
// drawn in advance, so that two strategies meet the same recipients.
type genOrder struct {
	ext        string
	kind       string
	loc        lastmile.Point
	window     [2]int64 // seconds after local midnight; zero: none
	known      int64    // seconds after midnight the order comes in; 0: before the day
	service    int64    // planned seconds at the door
	parcels    []lastmile.Parcel
	whiteGlove bool
	otp        bool
}

// fate is what happens at a stop, drawn per order from the seed.
type fate struct {
	notHome, wrongAddress bool
	serviceFactor         float64 // actual / planned time at the door
	photo                 bool
}

// genVehicle is one vehicle with its driver.
type genVehicle struct {
	name, typ, energy string
	rangeKM           int64
	capacity          lastmile.Capacity
	costs             lastmile.Costs
	skills            []string
	driver            string
	shiftStart        string
	shiftEnd          string
	afternoon         bool
}

// day is a generated station day.
type day struct {
	station lastmile.Point
	orders  []genOrder
	fleet   []genVehicle
}

// rng returns a random source for one purpose of a seed: independent
// streams, so that adding draws to one purpose changes no other.
func rng(seed int64, purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), purpose*0x9e3779b97f4a7c15+1))
}

// normal draws a standard normal variate.
func normal(r *rand.Rand) float64 { return r.NormFloat64() }

// pointNear returns a point at a normally distributed offset of sigma
// metres from c.
func pointNear(r *rand.Rand, c lastmile.Point, sigmaM float64) lastmile.Point {
	dy := normal(r) * sigmaM
	dx := normal(r) * sigmaM
	return lastmile.Point{Lat: c.Lat + dy/111195, Lon: c.Lon + dx/(111195*math.Cos(c.Lat*math.Pi/180))}
}

// generate builds the day of cfg: addresses clustered like a town's
// (neighbourhoods of different sizes, on roads when there is a graph), a
// mix of open and 1–2 h windows, same-day orders arriving in the morning,
// white-glove stops and returns, and a mixed fleet.
func generate(cfg *Config) (*day, error) {
	d := &day{}
	geo := rng(cfg.Seed, 1)
	// Neighbourhoods: centres and weights.
	nClusters := max(3, min(60, cfg.Stops/25))
	type cluster struct {
		c      lastmile.Point
		weight float64
	}
	var clusters []cluster
	const clusterSigma = 250.0 // metres
	if g := cfg.Graph; g != nil {
		minLon, minLat, maxLon, maxLat := g.Bounds()
		probe, err := g.SamplePoints(geo, 200, (minLon+maxLon)/2, (minLat+maxLat)/2, 0)
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		// The station is where roads are densest: the probe with most
		// probes within 1.5 km.
		best, bestN := 0, -1
		for i, p := range probe {
			n := 0
			for _, q := range probe {
				if (lastmile.Point{Lat: p[1], Lon: p[0]}).DistanceM(lastmile.Point{Lat: q[1], Lon: q[0]}) < 1500 {
					n++
				}
			}
			if n > bestN {
				best, bestN = i, n
			}
		}
		d.station = lastmile.Point{Lat: probe[best][1], Lon: probe[best][0]}
		centres, err := g.SamplePoints(geo, nClusters, d.station.Lon, d.station.Lat, cfg.RadiusM)
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		for _, c := range centres {
			clusters = append(clusters, cluster{lastmile.Point{Lat: c[1], Lon: c[0]}, 0.2 + geo.ExpFloat64()})
		}
	} else {
		d.station = cfg.Center
		for range nClusters {
			// Uniform in a disc of the radius.
			rr := cfg.RadiusM * math.Sqrt(geo.Float64())
			th := 2 * math.Pi * geo.Float64()
			c := lastmile.Point{Lat: d.station.Lat + rr*math.Sin(th)/111195,
				Lon: d.station.Lon + rr*math.Cos(th)/(111195*math.Cos(d.station.Lat*math.Pi/180))}
			clusters = append(clusters, cluster{c, 0.2 + geo.ExpFloat64()})
		}
	}
	total := 0.0
	for _, c := range clusters {
		total += c.weight
	}
	// Which neighbourhood each order is in.
	counts := make([]int, len(clusters))
	pick := make([]int, cfg.Stops)
	for i := range pick {
		u := geo.Float64() * total
		k := 0
		for ; k < len(clusters)-1 && u > clusters[k].weight; k++ {
			u -= clusters[k].weight
		}
		pick[i] = k
		counts[k]++
	}
	locs := make([][]lastmile.Point, len(clusters))
	for k, c := range clusters {
		if counts[k] == 0 {
			continue
		}
		if g := cfg.Graph; g != nil {
			pts, err := g.SamplePoints(geo, counts[k], c.c.Lon, c.c.Lat, 2*clusterSigma)
			if err != nil {
				return nil, fmt.Errorf("generate: neighbourhood %d: %w", k, err)
			}
			for _, p := range pts {
				locs[k] = append(locs[k], lastmile.Point{Lat: p[1], Lon: p[0]})
			}
		} else {
			for range counts[k] {
				locs[k] = append(locs[k], pointNear(geo, c.c, clusterSigma))
			}
		}
	}
	// Orders.
	o := rng(cfg.Seed, 2)
	off := cfg.DayStart - 8*3600
	open, closeT := cfg.DayStart, min(int64(17*3600)+off, 24*3600)
	windowShare := cfg.WindowShare
	if closeT-open < int64(cfg.WindowMaxH*3600)+3600 {
		windowShare = 0 // a day too short for windows
	}
	next := make([]int, len(clusters))
	for i := range cfg.Stops {
		k := pick[i]
		g := genOrder{ext: fmt.Sprintf("SIM-%05d", i+1), kind: lastmile.KindDelivery, loc: locs[k][next[k]]}
		next[k]++
		u := o.Float64()
		switch {
		case u < cfg.ReturnShare:
			g.kind = lastmile.KindReturn
		case u < cfg.ReturnShare+cfg.WhiteGloveShare:
			g.whiteGlove = true
		}
		nParcels := 1 + int(o.ExpFloat64()*0.6)
		nParcels = min(nParcels, 6)
		for p := range nParcels {
			w := int64(200 + o.ExpFloat64()*2500)
			vol := w * int64(2+o.IntN(4))
			if g.whiteGlove {
				w, vol = 25000+int64(o.IntN(40000)), 150000+int64(o.IntN(300000))
			}
			g.parcels = append(g.parcels, lastmile.Parcel{Barcode: fmt.Sprintf("%s-%d", g.ext, p+1), WeightG: w, VolumeCM3: vol})
		}
		g.service = 90 + 30*int64(nParcels) + int64(o.IntN(60))
		if g.whiteGlove {
			g.service = 900 + int64(o.IntN(4))*300
		}
		if o.Float64() < windowShare {
			length := int64(cfg.WindowMinH*3600) + int64(o.Float64()*(cfg.WindowMaxH-cfg.WindowMinH)*3600)
			length = length / 900 * 900
			startMax := closeT - length
			ws := open + 1800 + o.Int64N(max(1, startMax-open-1800))
			ws = ws / 900 * 900
			g.window = [2]int64{ws, ws + length}
		}
		if o.Float64() < cfg.SameDayShare && g.window[1] == 0 && cfg.CutOff > open+1800 {
			// Comes in during the morning, before the cut-off.
			g.known = open + 1800 + o.Int64N(max(1, cfg.CutOff-open-1800))
		}
		g.otp = o.Float64() < 0.03
		d.orders = append(d.orders, g)
	}
	// Fleet: vans, EVs, one two-person crew; the last vans work afternoons
	// and take the same-day orders.
	f := rng(cfg.Seed, 3)
	// Two-person crews: one per 16 white-glove stops (about a day's work),
	// at least one, at most half the fleet.
	crews := max(1, min(cfg.Vehicles/2, int(math.Ceil(float64(cfg.Stops)*cfg.WhiteGloveShare/16))))
	nEV := int(math.Round(cfg.EVShare * float64(cfg.Vehicles-crews)))
	afternoon := 0
	if cfg.SameDayShare > 0 && cfg.Vehicles >= 3 && 12*3600+off < 22*3600 {
		afternoon = max(1, cfg.Vehicles/6)
	}
	for i := range cfg.Vehicles {
		v := genVehicle{name: fmt.Sprintf("Van %02d", i+1), typ: "van", energy: lastmile.EnergyFuel,
			capacity: lastmile.Capacity{Parcels: 160, WeightG: 900_000, VolumeCM3: 6_000_000},
			costs:    lastmile.Costs{Fixed: 6000, PerHour: 2600, PerKM: 22},
			driver:   fmt.Sprintf("Driver %02d", i+1), shiftStart: clock(8*3600 + off), shiftEnd: clock(17*3600 + 1800 + off)}
		switch {
		case i < crews:
			v.name, v.typ = fmt.Sprintf("Crew %02d (two-person)", i+1), "truck"
			v.capacity = lastmile.Capacity{Parcels: 120, WeightG: 1_500_000, VolumeCM3: 12_000_000}
			v.costs = lastmile.Costs{Fixed: 9000, PerHour: 5000, PerKM: 30}
			v.skills = []string{skillTwoPerson}
		case i < crews+nEV:
			v.name, v.energy, v.rangeKM = fmt.Sprintf("EV %02d", i+1), lastmile.EnergyElectric, 150+int64(f.IntN(4))*25
			v.costs = lastmile.Costs{Fixed: 7000, PerHour: 2600, PerKM: 7}
		}
		if i >= cfg.Vehicles-afternoon && i >= crews {
			v.afternoon, v.shiftStart, v.shiftEnd = true, clock(12*3600+off), clock(20*3600+off)
		}
		d.fleet = append(d.fleet, v)
	}
	return d, nil
}

// fates draws what happens at each order's door.
func fates(cfg *Config, exts []string) map[string]fate {
	sorted := append([]string(nil), exts...)
	sort.Strings(sorted)
	r := rng(cfg.Seed, 4)
	out := make(map[string]fate, len(sorted))
	for _, e := range sorted {
		f := fate{serviceFactor: math.Exp(0.35*normal(r) - 0.35*0.35/2), photo: r.Float64() < 0.5}
		u := r.Float64()
		switch {
		case u < cfg.WrongAddressRate:
			f.wrongAddress = true
		case u < cfg.WrongAddressRate+cfg.NotHomeRate:
			f.notHome = true
		}
		out[e] = f
	}
	return out
}

// legNoise is the lognormal factor of one driven leg, a function of the
// seed and the leg's ends only.
func legNoise(seed int64, from, to string) float64 {
	h := uint64(14695981039346656037)
	for _, s := range []string{from, "→", to} {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	r := rand.New(rand.NewPCG(uint64(seed), h))
	return math.Exp(0.12*r.NormFloat64() - 0.12*0.12/2)
}

// trafficFactor is the time-of-day factor on driving at local second of
// day sec: morning and evening peaks, a lunch bump; scale 0 disables it.
func trafficFactor(sec int64, scale float64) float64 {
	h := float64(sec) / 3600
	bump := func(centre, width, height float64) float64 {
		x := (h - centre) / width
		return height * math.Exp(-x*x/2)
	}
	f := bump(8.3, 0.8, 0.35) + bump(12.5, 0.7, 0.12) + bump(17.6, 1.0, 0.4)
	return 1 + scale*f
}

// localSec returns seconds after local midnight of base (a local midnight).
func localSec(base, t time.Time) int64 { return int64(t.Sub(base) / time.Second) }
