package bench

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/lastmile-dev/lastmile/vrp"
)

// Station-day parameters. Times are seconds since midnight; the town is a
// 20 km × 15 km rectangle whose south-west corner is at (townLon, townLat).
const (
	townLon, townLat = 5.02, 52.02
	townWidth        = 20000.0 // metres, west to east
	townHeight       = 15000.0 // metres, south to north
	detour           = 1.3     // road distance / great-circle distance
	speedMS          = 30 / 3.6
	shiftStart       = 8 * 3600
	shiftEnd         = 18 * 3600
	lunchStart       = 11*3600 + 30*60
	lunchEnd         = 14 * 3600
	lunchLength      = 30 * 60
	earthRadius      = 6371008.8 // metres
	// SkillTwoPerson is the skill of white-glove stops, carried by the crew
	// vehicle only.
	SkillTwoPerson = 1
)

// GenerateStationDay generates a realistic delivery day for a parcel station
// with n stops, reproducibly from seed (math/rand/v2 PCG): the station at the
// west edge of a town of about 20×15 km, stops in gaussian neighbourhoods,
// one third with a 1–2 h window between 08:00 and 18:00, service 2–5 min,
// amounts in two dimensions (parcels, kg), about 5% returns (pickups), a few
// white-glove stops (skill SkillTwoPerson, 15–20 min, a half-day window), and
// a mixed fleet of n/80+2 vehicles or more (vans; EVs with a max_distance; one
// two-person crew vehicle with the skill), each with a 08:00–18:00 shift and a
// 30-min lunch break between 11:30 and 14:00. Locations carry both
// coordinates and matrix indices (0 is the station), and the "car" profile
// has full durations and distances: great-circle × 1.3 at 30 km/h.
func GenerateStationDay(n int, seed int64) *vrp.Problem {
	n = max(n, 0)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed5eed5eed5eed))

	// Positions in metres from the south-west corner.
	type xy struct{ x, y float64 }
	pos := make([]xy, n+1)
	pos[0] = xy{300 + 900*rng.Float64(), townHeight/3 + townHeight/3*rng.Float64()}
	type hood struct {
		c             xy
		sigma, weight float64
	}
	hoods := make([]hood, min(5+n/50, 40))
	total := 0.0
	for i := range hoods {
		hoods[i] = hood{
			c:      xy{1500 + (townWidth-2500)*rng.Float64(), 1000 + (townHeight-2000)*rng.Float64()},
			sigma:  300 + 900*rng.Float64(),
			weight: 0.5 + 1.5*rng.Float64(),
		}
		total += hoods[i].weight
	}
	clamp := func(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }
	for i := 1; i <= n; i++ {
		if rng.Float64() < 0.1 { // scattered houses
			pos[i] = xy{townWidth * rng.Float64(), townHeight * rng.Float64()}
			continue
		}
		w := total * rng.Float64()
		h := hoods[len(hoods)-1]
		for _, c := range hoods {
			if w -= c.weight; w < 0 {
				h = c
				break
			}
		}
		pos[i] = xy{
			clamp(h.c.x+h.sigma*rng.NormFloat64(), 0, townWidth),
			clamp(h.c.y+h.sigma*rng.NormFloat64(), 0, townHeight),
		}
	}

	// Coordinates and matrices.
	metresPerLon := math.Pi / 180 * earthRadius * math.Cos(townLat*math.Pi/180)
	metresPerLat := math.Pi / 180 * earthRadius
	coords := make([]vrp.Coord, n+1)
	for i, p := range pos {
		// Six decimals (about 0.1 m), as a geocoder would give.
		coords[i] = vrp.Coord{
			Lon: math.Round((townLon+p.x/metresPerLon)*1e6) / 1e6,
			Lat: math.Round((townLat+p.y/metresPerLat)*1e6) / 1e6,
		}
	}
	m := &vrp.Matrix{Durations: make([][]int64, n+1), Distances: make([][]int64, n+1)}
	for i := range coords {
		m.Durations[i] = make([]int64, n+1)
		m.Distances[i] = make([]int64, n+1)
	}
	for i := range coords {
		for j := i + 1; j < len(coords); j++ {
			d := detour * haversine(coords[i], coords[j])
			dist, dur := int64(math.Round(d)), int64(math.Round(d/speedMS))
			m.Distances[i][j], m.Distances[j][i] = dist, dist
			m.Durations[i][j], m.Durations[j][i] = dur, dur
		}
	}
	loc := func(i int) vrp.Location {
		return vrp.Location{Index: i, HasIndex: true, Lon: coords[i].Lon, Lat: coords[i].Lat, HasCoord: true}
	}

	// Stops.
	p := &vrp.Problem{Matrices: map[string]*vrp.Matrix{profile: m}}
	whiteGlove := min(1+n/100, 10, n)
	var parcels, kg int64
	for i := 1; i <= n; i++ {
		j := vrp.Job{
			ID:          uint64(i),
			Description: fmt.Sprintf("stop %d", i),
			Location:    loc(i),
			Service:     120 + rng.Int64N(181),
			Delivery:    vrp.Amount{0, 0},
			Pickup:      vrp.Amount{0, 0},
		}
		var amount vrp.Amount
		if i <= whiteGlove {
			// Furniture or appliance delivered and installed by two people,
			// in a morning or afternoon slot.
			j.Description = fmt.Sprintf("stop %d (white glove)", i)
			j.Service = 15*60 + rng.Int64N(5*60+1)
			j.Skills = []int{SkillTwoPerson}
			amount = vrp.Amount{1, 30 + rng.Int64N(91)}
			if i%2 == 1 {
				j.TimeWindows = []vrp.TimeWindow{{Start: 8 * 3600, End: 12 * 3600}}
			} else {
				j.TimeWindows = []vrp.TimeWindow{{Start: 13 * 3600, End: 17 * 3600}}
			}
		} else {
			k := int64(1)
			switch r := rng.Float64(); {
			case r < 0.1:
				k = 3 + rng.Int64N(2)
			case r < 0.3:
				k = 2
			}
			w := int64(0)
			for range k {
				w += 1 + int64(7*rng.Float64())
			}
			amount = vrp.Amount{k, w}
			if rng.Float64() < 1.0/3 {
				j.TimeWindows = []vrp.TimeWindow{stopWindow(rng, m.Durations[0][i], m.Durations[i][0], j.Service)}
			}
		}
		if i > whiteGlove && rng.Float64() < 0.05 {
			j.Description = fmt.Sprintf("stop %d (return)", i)
			j.Pickup = amount
		} else {
			j.Delivery = amount
		}
		parcels += amount[0]
		kg += amount[1]
		p.Jobs = append(p.Jobs, j)
	}
	// Shuffle ids so that white-glove stops are not the first ones.
	rng.Shuffle(len(p.Jobs), func(a, b int) {
		p.Jobs[a].ID, p.Jobs[b].ID = p.Jobs[b].ID, p.Jobs[a].ID
	})
	for i := range p.Jobs {
		p.Jobs[i].Description = fmt.Sprintf("stop %d%s", p.Jobs[i].ID, descSuffix(p.Jobs[i]))
	}

	// Fleet: a crew vehicle, then vans and EVs alternating 2:1, enough for
	// the day's volume with a wide margin.
	count := n/80 + 2
	var capParcels, capKg int64
	for k := 0; k < count || 4*parcels > 3*capParcels || 4*kg > 3*capKg; k++ {
		v := vehicleKind(k)
		v.ID = uint64(k + 1)
		v.Description = fmt.Sprintf("%s %d", v.Description, k+1)
		start, end := loc(0), loc(0)
		v.Start, v.End = &start, &end
		v.TimeWindow = &vrp.TimeWindow{Start: shiftStart, End: shiftEnd}
		v.Breaks = []vrp.Break{{ID: uint64(k + 1), Description: "lunch",
			TimeWindows: []vrp.TimeWindow{{Start: lunchStart, End: lunchEnd}}, Service: lunchLength}}
		p.Vehicles = append(p.Vehicles, v)
		capParcels += v.Capacity[0]
		capKg += v.Capacity[1]
	}
	return p
}

func descSuffix(j vrp.Job) string {
	switch {
	case len(j.Skills) > 0:
		return " (white glove)"
	case j.Pickup[0] > 0:
		return " (return)"
	}
	return ""
}

// vehicleKind returns the k-th vehicle's type: a two-person crew vehicle
// first, then two vans for each EV.
func vehicleKind(k int) vrp.Vehicle {
	v := vrp.Vehicle{Profile: profile, MaxTasks: -1, MaxTravelTime: -1, MaxDistance: -1}
	switch {
	case k == 0:
		v.Description = "crew"
		v.Capacity = vrp.Amount{80, 1200}
		v.Skills = []int{SkillTwoPerson}
		v.Costs = vrp.Costs{Fixed: 6000, PerHour: 5500, PerKm: 30}
	case k%3 == 0:
		v.Description = "ev"
		v.Capacity = vrp.Amount{160, 650}
		v.Costs = vrp.Costs{Fixed: 4500, PerHour: 3000, PerKm: 8}
		v.MaxDistance = 120000
	default:
		v.Description = "van"
		v.Capacity = vrp.Amount{220, 1000}
		v.Costs = vrp.Costs{Fixed: 4000, PerHour: 3000, PerKm: 25}
	}
	return v
}

// stopWindow draws a 1, 1.5 or 2 h window on a quarter-hour grid that a
// vehicle can reach from the station and leave in time to be back by the end
// of the shift.
func stopWindow(rng *rand.Rand, from, back, service int64) vrp.TimeWindow {
	const q = 15 * 60
	length := int64(3600 + 1800*rng.IntN(3))
	lo := (shiftStart + from + q - 1) / q * q
	hi := (shiftEnd - back - service - length) / q * q
	if hi < lo {
		hi = lo
	}
	start := lo + q*rng.Int64N((hi-lo)/q+1)
	end := min(start+length, shiftEnd-back-service)
	return vrp.TimeWindow{Start: start, End: end}
}

// haversine is the great-circle distance in metres.
func haversine(a, b vrp.Coord) float64 {
	const rad = math.Pi / 180
	la1, la2 := a.Lat*rad, b.Lat*rad
	dla := la2 - la1
	dlo := (b.Lon - a.Lon) * rad
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}
