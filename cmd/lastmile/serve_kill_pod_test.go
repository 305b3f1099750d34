package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startChild starts `lastmile serve` in a child process (TestServeChild)
// on the SQLite file db, its proof-of-delivery files beside it.
func startChild(t *testing.T, db, key string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LASTMILE_KILL_TEST_DB="+db, "LASTMILE_KILL_TEST_KEY="+key)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, out)
			return cmd, m[1]
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatal("child server did not start")
	return nil, ""
}

// noisyPNG is an image that does not compress, so that uploading and
// writing it takes a while.
func noisyPNG(t *testing.T, seed uint64, w, h int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(r.IntN(256))
	}
	img.Set(0, 0, color.RGBA{A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// podUpload is one proof-of-delivery request, built once so that its
// retries send the very same body.
type podUpload struct {
	order, key, ctype string
	body              []byte
	photo, signature  []byte
}

func newPODUpload(t *testing.T, orderID string, seed uint64) *podUpload {
	u := &podUpload{order: orderID, key: "pod-" + orderID, photo: noisyPNG(t, seed, 320, 320), signature: noisyPNG(t, seed+1000, 200, 80)}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("recipient_name", "Recipient "+orderID)
	fw, _ := mw.CreateFormFile("photo", "door.png")
	fw.Write(u.photo)
	fw, _ = mw.CreateFormFile("signature", "sig.png")
	fw.Write(u.signature)
	mw.Close()
	u.body, u.ctype = b.Bytes(), mw.FormDataContentType()
	return u
}

func (u *podUpload) send(base, apiKey string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("POST", base+"/v1/orders/"+u.order+"/pod", bytes.NewReader(u.body))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", u.ctype)
	req.Header.Set("Idempotency-Key", u.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res, raw, err
}

// blobFiles lists the files under the blob directory (relative, slashed).
func blobFiles(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// TestKillNinePOD kills the server with SIGKILL while proofs of delivery
// are being uploaded — once while a body is still arriving, once while many
// uploads are written at the same time — and restarts it on the same
// SQLite file and blob directory. No half-written proof may show: an order
// is either delivered with every file of its proof served whole, or still
// arrived with no proof and none of its files served; temporary files are
// swept; a retry with the same Idempotency-Key then delivers each order
// exactly once (one order.delivered event), and no file is left that no
// proof refers to.
func TestKillNinePOD(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "pod.db")
	blobs := filepath.Join(dir, "lastmile-blobs")
	key := "lmk_" + strings.Repeat("p", 30)
	cmd, base := startChild(t, db, key)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	c := func(method, p string, body any, ct ...string) (int, map[string]any) {
		return call(t, base, method, p, key, body, ct...)
	}

	// A dispatched route whose stops are all arrived.
	code, st := c("POST", "/v1/stations", map[string]any{"name": "Kill", "location": map[string]any{"lat": 43.7325, "lon": 7.4189}, "time_zone": "UTC"})
	sid := want(t, code, 201, st)["id"].(string)
	code, v := c("POST", "/v1/vehicles", map[string]any{"station_id": sid, "name": "Van", "active": true})
	want(t, code, 201, v)
	code, d := c("POST", "/v1/drivers", map[string]any{"station_id": sid, "name": "Dana", "active": true, "shifts": []map[string]any{{"start": "00:00", "end": "24:00"}}})
	want(t, code, 201, d)
	var csv strings.Builder
	csv.WriteString("external_id,recipient_name,address_line1,lat,lon,service_level,barcodes,service_seconds\n")
	const n = 25
	for i := range n {
		fmt.Fprintf(&csv, "K-%d,R %d,%d quai,%f,7.42,same_day,BK-%d,10\n", i, i, i, 43.730+float64(i)*0.0002, i)
	}
	code, rep := c("POST", "/v1/orders/import?station_id="+sid, csv.String(), "text/csv")
	want(t, code, 201, rep)
	code, plan := c("POST", "/v1/plans", map[string]any{"station_id": sid, "date": time.Now().UTC().Format("2006-01-02"), "time_limit_s": 0.3})
	want(t, code, 201, plan)
	code, pub := c("POST", "/v1/plans/"+plan["id"].(string)+"/publish", nil)
	want(t, code, 200, pub)
	route := plan["routes"].([]any)[0].(map[string]any)
	rid := route["id"].(string)
	var orders []string
	for _, s := range route["stops"].([]any) {
		if id, _ := s.(map[string]any)["order_id"].(string); id != "" {
			orders = append(orders, id)
		}
	}
	if len(orders) < 10 {
		t.Fatalf("only %d orders planned", len(orders))
	}
	for _, id := range orders {
		code, o := c("GET", "/v1/orders/"+id, nil)
		bc := want(t, code, 200, o)["parcels"].([]any)[0].(map[string]any)["barcode"]
		code, sc := c("POST", "/v1/routes/"+rid+"/scans", map[string]any{"barcode": bc})
		want(t, code, 200, sc)
	}
	code, disp := c("POST", "/v1/routes/"+rid+"/dispatch", nil)
	want(t, code, 200, disp)
	for _, id := range orders {
		code, a := c("POST", "/v1/orders/"+id+"/status", map[string]any{"status": "arrived"})
		want(t, code, 200, a)
	}
	uploads := map[string]*podUpload{}
	for i, id := range orders {
		uploads[id] = newPODUpload(t, id, uint64(i))
	}
	kill := func() {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}

	// 1. Killed while the body is arriving.
	first := uploads[orders[0]]
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/orders/%s/pod HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nIdempotency-Key: %s\r\nContent-Length: %d\r\n\r\n",
		first.order, u.Host, key, first.ctype, first.key, len(first.body))
	conn.Write(first.body[:len(first.body)*2/3])
	time.Sleep(300 * time.Millisecond)
	kill()
	conn.Close()
	cmd, base = startChild(t, db, key)
	if code, o := c("GET", "/v1/orders/"+first.order, nil); code != 200 || o["status"] != "arrived" || o["pod"] != nil {
		t.Fatalf("after a kill during the body: %d %v", code, o)
	}

	// 2. Killed while many uploads are being written.
	acked := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	queue := make(chan *podUpload, len(orders))
	for _, id := range orders {
		queue <- uploads[id]
	}
	close(queue)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for up := range queue {
				res, _, err := up.send(base, key)
				if err != nil {
					return // the server is gone
				}
				if res.StatusCode == 200 {
					mu.Lock()
					acked[up.order] = true
					mu.Unlock()
				}
			}
		}()
	}
	// Let a few uploads finish, then kill at a random moment.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		k := len(acked)
		mu.Unlock()
		if k >= 3 {
			break
		}
	}
	time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
	kill()
	wg.Wait()
	if len(acked) == 0 || len(acked) == len(orders) {
		t.Fatalf("%d of %d uploads acknowledged before the kill: the kill did not land mid-upload", len(acked), len(orders))
	}
	// The restart comes later than the temporary files' grace period:
	// age them as the clock would have.
	past := time.Now().Add(-2 * time.Minute)
	temps := 0
	for _, f := range blobFiles(t, blobs) {
		if strings.HasPrefix(path.Base(f), ".tmp-") {
			temps++
			os.Chtimes(filepath.Join(blobs, filepath.FromSlash(f)), past, past)
		}
	}
	cmd, base = startChild(t, db, key)
	for _, f := range blobFiles(t, blobs) {
		if strings.HasPrefix(path.Base(f), ".tmp-") {
			t.Errorf("temporary file %s left after restart", f)
		}
	}

	get := func(p string) (int, []byte) {
		req, _ := http.NewRequest("GET", base+p, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	onDisk := map[string][]string{} // order → its files in the blob directory
	for _, f := range blobFiles(t, blobs) {
		parts := strings.Split(f, "/")
		if len(parts) == 3 && parts[0] == "pod" && !strings.HasSuffix(f, ".type") {
			onDisk[parts[1]] = append(onDisk[parts[1]], parts[2])
		}
	}
	delivered := 0
	for _, id := range orders {
		up := uploads[id]
		code, o := c("GET", "/v1/orders/"+id, nil)
		want(t, code, 200, o)
		switch o["status"] {
		case "delivered":
			delivered++
			pod, _ := o["pod"].(map[string]any)
			photos, _ := pod["photos"].([]any)
			if len(photos) != 1 || pod["signature"] == nil {
				t.Fatalf("order %s delivered with a partial proof: %v", id, pod)
			}
			for k, wantData := range map[string][]byte{photos[0].(string): up.photo, pod["signature"].(string): up.signature} {
				code, data := get("/v1/orders/" + id + "/pod/" + path.Base(k))
				if code != 200 || !bytes.Equal(data, wantData) {
					t.Fatalf("order %s: file %s answers %d with %d bytes, want the %d bytes uploaded", id, k, code, len(data), len(wantData))
				}
			}
		case "arrived":
			if acked[id] {
				t.Fatalf("order %s: acknowledged proof lost after kill -9", id)
			}
			if o["pod"] != nil {
				t.Fatalf("order %s: arrived with a proof %v", id, o["pod"])
			}
			for _, f := range onDisk[id] {
				if code, _ := get("/v1/orders/" + id + "/pod/" + f); code != 404 {
					t.Fatalf("order %s: file %s of an unstored proof answers %d", id, f, code)
				}
			}
		default:
			t.Fatalf("order %s is %v", id, o["status"])
		}
	}
	t.Logf("%d orders, %d acknowledged, %d delivered after kill -9, %d temporary files swept", len(orders), len(acked), delivered, temps)

	// Every upload retried with its key: each order delivered exactly once.
	for _, id := range orders {
		up := uploads[id]
		for try := range 2 {
			res, raw, err := up.send(base, key)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 200 || !strings.Contains(string(raw), `"status":"delivered"`) {
				t.Fatalf("order %s retry %d: %d %s", id, try, res.StatusCode, raw)
			}
			if try == 1 && res.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("order %s: second retry not replayed", id)
			}
		}
		code, ev := c("GET", "/v1/orders/"+id+"/events", nil)
		want(t, code, 200, ev)
		deliveries := 0
		for _, e := range ev["items"].([]any) {
			if e.(map[string]any)["type"] == "order.delivered" {
				deliveries++
			}
		}
		if deliveries != 1 {
			t.Fatalf("order %s: %d order.delivered events, want 1", id, deliveries)
		}
	}
	// No file is left that no proof refers to.
	referenced := map[string]bool{}
	for _, id := range orders {
		_, o := c("GET", "/v1/orders/"+id, nil)
		pod := o["pod"].(map[string]any)
		for _, p := range pod["photos"].([]any) {
			referenced[p.(string)] = true
		}
		referenced[pod["signature"].(string)] = true
	}
	for _, f := range blobFiles(t, blobs) {
		if !referenced[strings.TrimSuffix(f, ".type")] {
			t.Errorf("file %s belongs to no proof", f)
		}
	}
}
