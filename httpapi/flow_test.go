package httpapi_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

func pngImage(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pod posts a multipart proof of delivery.
func (e *env) pod(orderID, key string, fields map[string]string, files map[string][]byte) resp {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile(strings.TrimSuffix(name, "2"), name+".png")
		fw.Write(data)
	}
	mw.Close()
	return e.do("POST", "/v1/orders/"+orderID+"/pod", key, b.String(), "Content-Type", mw.FormDataContentType())
}

// TestDay walks a station's day: import, plan, publish, load, dispatch,
// deliver with proof, fail and reattempt, KPIs.
func TestDay(t *testing.T) {
	e := newEnv(t)
	st, _, drv := e.seed("Monaco")
	// Import: CSV, per-row mode, with one bad row.
	var csv strings.Builder
	csv.WriteString("external_id,recipient_name,recipient_phone,address_line1,lat,lon,service_level,barcodes,weight_g,otp_required\n")
	for i := range 12 {
		fmt.Fprintf(&csv, "D-%02d,Client %d,+377 600 000 %02d,%d rue Grimaldi,%f,%f,same_day,P-%02d-1|P-%02d-2,1200|800,%v\n",
			i, i, i, i, 43.728+float64(i)*0.0006, 7.412+float64(i%5)*0.001, i, i, i == 0)
	}
	csv.WriteString("D-99,No Coordinates,,nowhere,abc,7.4,same_day,P-99,100,false\n")
	rep := e.do("POST", "/v1/orders/import?mode=row&station_id="+st, e.admin, csv.String(), "Content-Type", "text/csv").must(t, 200)
	if rep["created"].(float64) != 12 || rep["failed"].(float64) != 1 {
		t.Fatalf("import report %v", rep)
	}
	bad := rep["errors"].([]any)[0].(map[string]any)
	if str(bad, "field") != "lat" || bad["line"].(float64) != 14 {
		t.Fatalf("row error %v", bad)
	}

	// Plan, re-plan, compare, publish.
	plan := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.3}).must(t, 201)
	sum := plan["summary"].(map[string]any)
	if sum["stops"].(float64) != 12 || sum["unassigned"].(float64) != 0 || sum["routes"].(float64) != 1 {
		t.Fatalf("plan summary %v", sum)
	}
	planID := str(plan, "id")
	re := e.do("POST", "/v1/plans/"+planID+"/replan", e.admin, nil).must(t, 201)
	e.do("GET", "/v1/plans/"+planID+"/compare?with="+str(re, "id"), e.admin, nil).must(t, 200)
	e.do("POST", "/v1/plans/"+planID+"/publish", e.admin, nil).must(t, 200)
	e.do("POST", "/v1/plans/"+planID+"/publish", e.admin, nil).must(t, 409) // not a draft any more
	route := plan["routes"].([]any)[0].(map[string]any)
	routeID := str(route, "id")
	stops := route["stops"].([]any)
	if str(route, "driver_id") != drv {
		t.Fatalf("route driver %s, want %s", str(route, "driver_id"), drv)
	}
	var hasBreak bool
	for _, s := range stops {
		hasBreak = hasBreak || str(s.(map[string]any), "type") == "break"
	}
	if !hasBreak {
		t.Errorf("the driver's break is not in the route")
	}

	// Drivers see their own manifest only.
	driverKey := e.key("driver", nil, drv)
	m := e.do("GET", "/v1/routes/"+routeID+"/manifest", driverKey, nil).must(t, 200)
	if m["parcels"].(float64) != 24 || len(m["missing"].([]any)) != 24 {
		t.Fatalf("manifest %v", m)
	}
	e.do("GET", "/v1/stations/"+st, driverKey, nil).must(t, 403)
	e.do("POST", "/v1/routes/"+routeID+"/dispatch", driverKey, nil).must(t, 403)

	// Scan and load; unknown barcodes and duplicates are flagged.
	for i := range 12 {
		for _, p := range []string{"1", "2"} {
			res := e.do("POST", "/v1/routes/"+routeID+"/scans", driverKey, map[string]any{"barcode": fmt.Sprintf("P-%02d-%s", i, p)}).must(t, 200)
			if str(res, "result") != "loaded" {
				t.Fatalf("scan %v", res)
			}
		}
	}
	if r := e.do("POST", "/v1/routes/"+routeID+"/scans", driverKey, map[string]any{"barcode": "P-00-1"}).must(t, 200); str(r, "result") != "duplicate" {
		t.Fatalf("rescan %v", r)
	}
	if r := e.do("POST", "/v1/routes/"+routeID+"/scans", driverKey, map[string]any{"barcode": "NOPE"}).must(t, 200); str(r, "result") != "unknown" {
		t.Fatalf("unknown scan %v", r)
	}
	m = e.do("GET", "/v1/routes/"+routeID+"/manifest", driverKey, nil).must(t, 200)
	if m["loaded"].(float64) != 24 || len(m["missing"].([]any)) != 0 {
		t.Fatalf("manifest after loading %v", m)
	}

	// Dispatch issues the OTP.
	d := e.do("POST", "/v1/routes/"+routeID+"/dispatch", e.admin, nil).must(t, 200)
	otps := d["otps"].(map[string]any)
	if d["dispatched"].(float64) != 12 || len(otps) != 1 {
		t.Fatalf("dispatch %v", d)
	}
	e.do("POST", "/v1/routes/"+routeID+"/dispatch", e.admin, nil).must(t, 409)

	// A late order: the only crew is on the road, so a second plan of the
	// day leaves it unassigned, and publishing it keeps the first wave.
	e.do("POST", "/v1/orders", e.admin, orderBody(st, "LATE-1", 3)).must(t, 201)
	wave := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-02", "time_limit_s": 0.2}).must(t, 201)
	un := wave["unassigned"].([]any)
	if len(wave["routes"].([]any)) != 0 || len(un) != 1 || !strings.Contains(str(un[0].(map[string]any), "reason"), "no vehicle") {
		t.Fatalf("second wave %v", wave)
	}
	e.do("POST", "/v1/plans/"+str(wave, "id")+"/publish", e.admin, nil).must(t, 200)
	if p := e.do("GET", "/v1/plans/"+planID, e.admin, nil).must(t, 200); str(p, "status") != "published" {
		t.Fatalf("first wave became %s", str(p, "status"))
	}

	// Deliver the OTP order with a photo and a signature.
	var otpOrder, otp string
	for k, v := range otps {
		otpOrder, otp = k, v.(string)
	}
	e.now = testNow.Add(3 * time.Hour)
	e.do("POST", "/v1/orders/"+otpOrder+"/status", driverKey, map[string]any{"status": "delivered"}).must(t, 422)
	early := e.pod(otpOrder, driverKey, map[string]string{"recipient_name": "Client 0", "otp": otp}, map[string][]byte{"photo": pngImage(t, 8, 8)})
	if c, _ := early.err(); early.status != 409 || c != "illegal_transition" {
		t.Fatalf("POD before arrival: %d %s", early.status, early.raw)
	}
	e.do("POST", "/v1/orders/"+otpOrder+"/status", driverKey, map[string]any{"status": "arrived", "position": map[string]any{"lat": 43.728, "lon": 7.412}}).must(t, 200)
	wrong := e.pod(otpOrder, driverKey, map[string]string{"recipient_name": "Client 0", "otp": "000000x"}, map[string][]byte{"photo": pngImage(t, 8, 8)})
	if _, f := wrong.err(); wrong.status != 422 || f != "otp" {
		t.Fatalf("wrong OTP: %d %s", wrong.status, wrong.raw)
	}
	trunc := pngImage(t, 64, 64)
	badImg := e.pod(otpOrder, driverKey, map[string]string{"otp": otp}, map[string][]byte{"photo": trunc[:len(trunc)/2]})
	if _, f := badImg.err(); badImg.status != 422 || f != "photo" {
		t.Fatalf("truncated image: %d %s", badImg.status, badImg.raw)
	}
	notImg := e.pod(otpOrder, driverKey, map[string]string{"otp": otp}, map[string][]byte{"photo": []byte("%PDF-1.4 not an image")})
	if notImg.status != 415 {
		t.Fatalf("PDF as photo: %d %s", notImg.status, notImg.raw)
	}
	big := e.pod(otpOrder, driverKey, map[string]string{"otp": otp}, map[string][]byte{"photo": bytes.Repeat([]byte{0xff}, 2<<20)})
	if big.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("large photo: %d %s", big.status, big.raw)
	}
	ok := e.pod(otpOrder, driverKey, map[string]string{"recipient_name": "Client 0", "otp": otp, "lat": "43.7281", "lon": "7.4121"},
		map[string][]byte{"photo": pngImage(t, 8, 8), "signature": pngImage(t, 16, 4)}).must(t, 200)
	pod := ok["pod"].(map[string]any)
	if str(ok, "status") != "delivered" || pod["otp_verified"] != true || pod["far_from_address"] != false || len(pod["photos"].([]any)) != 1 {
		t.Fatalf("delivered %v", ok)
	}
	photo := strings.TrimPrefix(pod["photos"].([]any)[0].(string), "pod/"+otpOrder+"/")
	if f := e.do("GET", "/v1/orders/"+otpOrder+"/pod/"+photo, e.admin, nil); f.status != 200 || f.header.Get("Content-Type") != "image/png" {
		t.Fatalf("photo download: %d %s", f.status, f.header)
	}

	// Fail another stop: the station's policy schedules a reattempt.
	var failID string
	for _, s := range stops {
		if id := str(s.(map[string]any), "order_id"); id != "" && id != otpOrder {
			failID = id
			break
		}
	}
	e.do("POST", "/v1/orders/"+failID+"/status", driverKey, map[string]any{"status": "failed", "reason": "not_home"}).must(t, 409)
	e.do("POST", "/v1/orders/"+failID+"/status", driverKey, map[string]any{"status": "arrived"}).must(t, 200)
	e.do("POST", "/v1/orders/"+failID+"/status", driverKey, map[string]any{"status": "failed", "reason": "bored"}).must(t, 422)
	f := e.do("POST", "/v1/orders/"+failID+"/status", driverKey, map[string]any{"status": "failed", "reason": "not_home"}).must(t, 200)
	if str(f, "outcome") != "reattempt_scheduled" || str(f, "service_date") != "2026-03-03" || f["attempts"].(float64) != 1 {
		t.Fatalf("failed %v", f)
	}
	// The reattempt is planned the next day.
	next := e.do("POST", "/v1/plans", e.admin, map[string]any{"station_id": st, "date": "2026-03-03", "time_limit_s": 0.2}).must(t, 201)
	if next["summary"].(map[string]any)["stops"].(float64) != 1 {
		t.Fatalf("next day plan %v", next["summary"])
	}

	// History and KPIs.
	evs := e.do("GET", "/v1/orders/"+failID+"/events", e.admin, nil).must(t, 200)
	var types []string
	for _, ev := range items(evs) {
		types = append(types, str(ev.(map[string]any), "type"))
	}
	if got := strings.Join(types, " "); !strings.Contains(got, "order.imported") || !strings.Contains(got, "order.failed") || !strings.Contains(got, "order.scanned") {
		t.Fatalf("history %s", got)
	}
	k := e.do("GET", "/v1/stations/"+st+"/kpis?date=2026-03-02", e.admin, nil).must(t, 200)
	if k["delivered"].(float64) != 1 || k["failed"].(float64) != 1 || k["first_attempt_rate"].(float64) != 0.5 ||
		k["failure_reasons"].(map[string]any)["not_home"].(float64) != 1 || k["planned_stops"].(float64) != 12 || k["on_time_rate"].(float64) != 1 {
		t.Fatalf("kpis %v", k)
	}
	// Other stations' dispatchers see nothing of it.
	other, _, _ := e.seed("Elsewhere")
	dispOther := e.key("dispatcher", []string{other}, "")
	e.do("GET", "/v1/routes/"+routeID+"/manifest", dispOther, nil).must(t, 404)
	e.do("GET", "/v1/plans/"+planID, dispOther, nil).must(t, 404)
	e.do("GET", "/v1/stations/"+st+"/kpis?date=2026-03-02", dispOther, nil).must(t, 404)
	e.do("GET", "/v1/orders/"+failID+"/events", dispOther, nil).must(t, 404)
	// Erasure keeps the record, drops personal data and photos.
	er := e.do("POST", "/v1/orders/"+otpOrder+"/erase", e.admin, nil).must(t, 200)
	if str(er["recipient"].(map[string]any), "name") != "(erased)" || er["pod"].(map[string]any)["photos"] != nil {
		t.Fatalf("erased %v", er)
	}
	if f := e.do("GET", "/v1/orders/"+otpOrder+"/pod/"+photo, e.admin, nil); f.status != 404 {
		t.Fatalf("photo after erasure: %d", f.status)
	}
}
