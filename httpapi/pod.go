package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // photo and signature formats
	_ "image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/notify"
)

// Limits of a proof of delivery.
const (
	maxPhotos   = 5
	maxPODField = 1000
)

// upload is a validated image.
type upload struct {
	field, ext, contentType string
	data                    []byte
}

// readImage reads one part, at most limit bytes, and checks that it is a
// whole JPEG or PNG image.
func readImage(p *multipart.Part, field string, limit int64) (upload, error) {
	data, err := io.ReadAll(io.LimitReader(p, limit+1))
	if err != nil {
		return upload{}, uploadError(err, field)
	}
	if int64(len(data)) > limit {
		return upload{}, lastmile.Errorf(lastmile.ETooLarge, field, "file larger than %d bytes", limit)
	}
	ct := http.DetectContentType(data)
	var ext string
	switch ct {
	case "image/jpeg":
		ext = ".jpg"
	case "image/png":
		ext = ".png"
	default:
		return upload{}, lastmile.Errorf(lastmile.EUnsupported, field, "%s is not a JPEG or PNG image", ct)
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return upload{}, lastmile.Invalidf(field, "damaged or truncated image: %v", err)
	}
	return upload{field: field, ext: ext, contentType: ct, data: data}, nil
}

func uploadError(err error, field string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return lastmile.Errorf(lastmile.ETooLarge, field, "upload larger than %d bytes", mbe.Limit)
	}
	return lastmile.Invalidf(field, "malformed upload: %v", err)
}

// proofOfDelivery completes an arrived stop with its proof: multipart
// fields recipient_name, otp, lat, lon, version, and files photo (up to
// five) and signature, JPEG or PNG. Nothing is stored unless everything is
// valid; files are stored durably before the order changes.
func (s *Server) proofOfDelivery(w http.ResponseWriter, r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return lastmile.Errorf(lastmile.EUnsupported, "Content-Type", "a proof of delivery is multipart/form-data")
	}
	if s.cfg.Blobs == nil {
		return lastmile.Errorf(lastmile.EUnavailable, "", "no blob store configured")
	}
	body := http.MaxBytesReader(w, r.Body, (maxPhotos+1)*s.cfg.MaxUpload+1<<20)
	mr := multipart.NewReader(body, params["boundary"])
	fields := map[string]string{}
	var files []upload
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return uploadError(err, "")
		}
		name := p.FormName()
		switch {
		case name == "photo" || name == "signature":
			if name == "photo" && countField(files, "photo") == maxPhotos {
				return lastmile.Invalidf("photo", "at most %d photos", maxPhotos)
			}
			if name == "signature" && countField(files, "signature") == 1 {
				return lastmile.Invalidf("signature", "one signature")
			}
			u, err := readImage(p, name, s.cfg.MaxUpload)
			if err != nil {
				return err
			}
			files = append(files, u)
		case name == "recipient_name" || name == "otp" || name == "lat" || name == "lon" || name == "version":
			v, err := io.ReadAll(io.LimitReader(p, maxPODField+1))
			if err != nil {
				return uploadError(err, name)
			}
			if len(v) > maxPODField {
				return lastmile.Invalidf(name, "longer than %d bytes", maxPODField)
			}
			fields[name] = strings.TrimSpace(string(v))
		default:
			return lastmile.Invalidf(name, "unknown form field %q", name)
		}
		p.Close()
	}
	var pos *lastmile.Point
	if fields["lat"] != "" || fields["lon"] != "" {
		lat, err1 := strconv.ParseFloat(fields["lat"], 64)
		lon, err2 := strconv.ParseFloat(fields["lon"], 64)
		if err1 != nil || err2 != nil {
			return lastmile.Invalidf("lat", "lat and lon must both be numbers")
		}
		pos = &lastmile.Point{Lat: lat, Lon: lon}
		if err := pos.Validate(); err != nil {
			return lastmile.Invalidf("lat", "%s", lastmile.ErrorMessage(err))
		}
	}
	var ver int64
	if v := fields["version"]; v != "" {
		if ver, err = strconv.ParseInt(v, 10, 64); err != nil || ver <= 0 {
			return lastmile.Invalidf("version", "%q is not a version", v)
		}
	}
	if fields["recipient_name"] == "" && countField(files, "signature") == 0 && countField(files, "photo") == 0 {
		return lastmile.Invalidf("photo", "a proof of delivery needs a photo, a signature or the recipient's name")
	}
	id := pathID(r, "id")
	// Check the order before storing files.
	o, err := s.order(r, id)
	if err != nil {
		return err
	}
	rid := requestID(r)
	if rid != "" && o.Status == lastmile.StatusDelivered && o.POD != nil && o.POD.Request == rid {
		// This very upload was stored, but its answer was lost (the
		// server stopped before it was sent): answer it now.
		return writeJSON(w, http.StatusOK, orderView(o))
	}
	if o.Status != lastmile.StatusArrived && o.Status != lastmile.StatusRedirected {
		return lastmile.Errorf(lastmile.ETransition, "status", "order %s is %s; a proof of delivery is taken on arrival, or on collection at a pickup point", o.ID, o.Status)
	}
	if o.OTPRequired {
		if fields["otp"] == "" {
			return lastmile.Invalidf("otp", "this order needs the recipient's one-time password")
		}
		if lastmile.HashSecret(o.ID+":"+fields["otp"]) != o.OTPHash {
			return lastmile.Invalidf("otp", "wrong one-time password")
		}
	}
	var keys []string
	pod := &lastmile.POD{RecipientName: fields["recipient_name"], OTPVerified: o.OTPRequired, Position: pos, Request: rid}
	// A retry of an upload (same Idempotency-Key) writes the same names,
	// so the files of an attempt cut short by a crash are overwritten,
	// not left behind.
	suffix := lastmile.NewToken()[:8]
	if rid != "" {
		suffix = rid[:12]
	}
	for i, f := range files {
		key := path.Join("pod", o.ID, fmt.Sprintf("%s-%d-%s%s", f.field, i, suffix, f.ext))
		if _, err := s.cfg.Blobs.Put(r.Context(), key, f.contentType, bytes.NewReader(f.data)); err != nil {
			s.deleteBlobs(r, keys)
			return err
		}
		keys = append(keys, key)
		if f.field == "photo" {
			pod.Photos = append(pod.Photos, key)
		} else {
			pod.Signature = key
		}
	}
	o, err = s.updateOrder(r, id, ver, func(o *lastmile.Order, st *lastmile.Station) (lastmile.Change, error) {
		now := s.now().UTC()
		if err := o.Transition(lastmile.StatusDelivered, "", now); err != nil {
			return lastmile.Change{}, err
		}
		pod.At = now
		if pos != nil {
			pod.DistanceM = pos.DistanceM(o.Address.Location)
			pod.FarFromAddress = pod.DistanceM > float64(st.PODMaxDistanceM)
		}
		o.POD = pod
		onTime := o.ServiceDate == now.In(st.Loc()).Format(lastmile.DateLayout)
		if o.Window != nil {
			onTime = !now.After(o.Window.End)
		}
		c := change(r, "order.delivered", map[string]any{"attempt": o.Attempts, "on_time": onTime, "photos": len(pod.Photos), "signature": pod.Signature != "",
			"otp_verified": pod.OTPVerified, "far_from_address": pod.FarFromAddress, "distance_m": int64(pod.DistanceM)})
		c.Position = pos
		c.Outbox = s.lifecycleOutbox(r.Context(), o, notify.TopicDelivered)
		return c, nil
	})
	if err != nil {
		if rid != "" {
			// The same upload, retried on another server at the same time,
			// may have stored the same files with its proof: keep them.
			if cur, cerr := s.order(r, id); cerr == nil && cur.POD != nil && cur.POD.Request == rid {
				return writeJSON(w, http.StatusOK, orderView(cur))
			}
		}
		s.deleteBlobs(r, keys)
		return err
	}
	s.stopChanged(o)
	return writeJSON(w, http.StatusOK, orderView(o))
}

func countField(fs []upload, name string) int {
	n := 0
	for _, f := range fs {
		if f.field == name {
			n++
		}
	}
	return n
}

func (s *Server) deleteBlobs(r *http.Request, keys []string) {
	for _, k := range keys {
		if err := s.cfg.Blobs.Delete(r.Context(), k); err != nil {
			s.log.Warn("blob not deleted", "key", k, "err", err)
		}
	}
}

// podFile serves a proof-of-delivery file by its name.
func (s *Server) podFile(w http.ResponseWriter, r *http.Request) error {
	o, err := s.order(r, pathID(r, "id"))
	if err != nil {
		return err
	}
	name := pathID(r, "file")
	key := path.Join("pod", o.ID, name)
	ok := false
	if o.POD != nil {
		for _, k := range append(append([]string(nil), o.POD.Photos...), o.POD.Signature) {
			ok = ok || k == key
		}
	}
	if !ok || s.cfg.Blobs == nil {
		return lastmile.Errorf(lastmile.ENotFound, "", "no file %q for order %s", name, o.ID)
	}
	rc, ct, err := s.cfg.Blobs.Get(r.Context(), key)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = io.Copy(w, rc)
	return err
}
