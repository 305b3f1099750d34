package roads

import (
	"math"
	"strings"
)

// Points returns the route's geometry as [lon, lat] pairs, from the
// snapped start to the snapped destination; at least two.
func (r *Route) Points() [][2]float64 {
	g := r.g
	var pts [][2]float64
	add := func(lon, lat float64) {
		if n := len(pts); n > 0 && pts[n-1][0] == lon && pts[n-1][1] == lat {
			return
		}
		pts = append(pts, [2]float64{lon, lat})
	}
	addK := func(k uint32) { add(float64(g.lon[k])/1e7, float64(g.lat[k])/1e7) }
	// span adds the points of directed road e strictly after position
	// (ka, ta) up to position (kb, tb) (ka, kb segment starts; nil ends).
	span := func(e uint32, from, to *Phantom) {
		rd := int(e / 2)
		lo, hi := g.geomOff[rd], g.geomOff[rd+1]-1 // first and last point
		if e%2 == 0 {
			start, end := lo, hi
			if from != nil {
				start = from.seg + 1
			}
			if to != nil {
				end = to.seg
			}
			for k := start; k <= end && k <= hi; k++ {
				addK(k)
			}
		} else {
			start, end := int64(hi), int64(lo)
			if from != nil {
				start = int64(from.seg)
			}
			if to != nil {
				end = int64(to.seg) + 1
			}
			for k := start; k >= end && k >= int64(lo); k-- {
				addK(uint32(k))
			}
		}
		if to != nil {
			add(to.Lon, to.Lat)
		}
	}
	add(r.from.Lon, r.from.Lat)
	if len(r.roads) == 1 {
		span(g.nodeEB[r.roads[0]], &r.from, &r.to)
		if len(pts) == 1 {
			// A route of length zero is still a line, as in OSRM.
			pts = append(pts, pts[0])
		}
		return pts
	}
	for i, x := range r.roads {
		var from, to *Phantom
		if i == 0 {
			from = &r.from
		}
		if i == len(r.roads)-1 {
			to = &r.to
		}
		span(g.nodeEB[x], from, to)
	}
	return pts
}

// EncodePolyline encodes [lon, lat] points in Google's encoded polyline
// format with the given precision (5 or 6 decimal digits).
func EncodePolyline(pts [][2]float64, precision int) string {
	factor := math.Pow10(precision)
	var b strings.Builder
	var plat, plon int64
	enc := func(v int64) {
		u := uint64(v << 1)
		if v < 0 {
			u = ^u
		}
		for u >= 0x20 {
			b.WriteByte(byte((0x20 | (u & 0x1f)) + 63))
			u >>= 5
		}
		b.WriteByte(byte(u + 63))
	}
	for _, p := range pts {
		lat := int64(math.Round(p[1] * factor))
		lon := int64(math.Round(p[0] * factor))
		enc(lat - plat)
		enc(lon - plon)
		plat, plon = lat, lon
	}
	return b.String()
}

// DecodePolyline decodes an encoded polyline into [lon, lat] points.
func DecodePolyline(s string, precision int) ([][2]float64, bool) {
	factor := math.Pow10(precision)
	var pts [][2]float64
	var lat, lon int64
	i := 0
	next := func() (int64, bool) {
		var res uint64
		shift := uint(0)
		for {
			if i >= len(s) || shift > 60 {
				return 0, false
			}
			c := uint64(s[i]) - 63
			i++
			if c > 0x3f {
				return 0, false
			}
			res |= (c & 0x1f) << shift
			shift += 5
			if c < 0x20 {
				break
			}
		}
		v := int64(res >> 1)
		if res&1 != 0 {
			v = ^v
		}
		return v, true
	}
	for i < len(s) {
		dlat, ok1 := next()
		dlon, ok2 := next()
		if !ok1 || !ok2 {
			return nil, false
		}
		lat += dlat
		lon += dlon
		pts = append(pts, [2]float64{float64(lon) / factor, float64(lat) / factor})
	}
	return pts, true
}
