// Package web serves lastmile's browser apps from assets embedded in the
// binary: the dispatcher console (/console/), the driver app (/driver/) and
// the recipient tracking page (/t/{token}), their shared scripts and the
// vendored Leaflet (/assets/…), and the base map for stations without
// internet access: /map/config.json and the vector roads of a viewport
// (/map/roads), drawn from the loaded OpenStreetMap graph.
//
// The apps talk to the REST API under /v1 with an API key; nothing here
// needs one. Requests outside these paths go to Config.Next (the API).
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

//go:embed assets
var assets embed.FS

// RoadLines gives the roads of a viewport; *roads.Graph implements it.
type RoadLines interface {
	Lines(minLon, minLat, maxLon, maxLat float64, zoom, maxPoints int) roads.Lines
	Bounds() (minLon, minLat, maxLon, maxLat float64)
}

// Config is what the web apps need; zero values get defaults.
type Config struct {
	// Roads draws the base map from the server's road graph (nil: the
	// server has none, and maps show only their own layers).
	Roads RoadLines
	// TileURL is an XYZ tile URL template ("https://tiles.example/{z}/{x}/{y}.png");
	// when set, maps use it instead of the server-drawn roads.
	TileURL string
	// TileAttribution is shown on maps using TileURL (default: © OpenStreetMap contributors).
	TileAttribution string
	// MaxRoadPoints caps the points of one /map/roads answer (default 60,000).
	MaxRoadPoints int
	// Next serves every request outside the web paths, e.g. the API
	// (nil: 404).
	Next   http.Handler
	Logger *slog.Logger // default: discard
}

// asset is one embedded file, ready to serve.
type asset struct {
	data, gz []byte
	etag     string
	ctype    string
}

type handler struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	files  map[string]*asset // by path under assets/, e.g. "console/index.html"
	csp    string
	config []byte // /map/config.json
}

// New returns the handler of the web apps.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRoadPoints <= 0 {
		cfg.MaxRoadPoints = 60000
	}
	if cfg.TileAttribution == "" {
		cfg.TileAttribution = "© OpenStreetMap contributors"
	}
	h := &handler{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), files: map[string]*asset{}}
	h.load()
	h.csp = contentSecurityPolicy(cfg.TileURL)
	h.config = mapConfig(cfg)

	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusFound)
	})
	for _, app := range []string{"console", "driver"} {
		h.mux.HandleFunc("GET /"+app, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/"+app+"/", http.StatusMovedPermanently)
		})
		h.mux.HandleFunc("GET /"+app+"/", func(w http.ResponseWriter, r *http.Request) {
			name := strings.TrimPrefix(r.URL.Path, "/")
			if strings.HasSuffix(name, "/") {
				name += "index.html"
			}
			h.serveFile(w, r, name)
		})
	}
	h.mux.HandleFunc("GET /t/{token}", func(w http.ResponseWriter, r *http.Request) {
		// The page reads the token from the address; the API checks it.
		h.serveFile(w, r, "track/index.html")
	})
	h.mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		h.serveFile(w, r, strings.TrimPrefix(r.URL.Path, "/assets/"))
	})
	h.mux.HandleFunc("GET /map/config.json", h.mapConfig)
	h.mux.HandleFunc("GET /map/roads", h.roads)
	return h
}

// paths served here; everything else goes to Next untouched.
func ours(p string) bool {
	if p == "/" || p == "/console" || p == "/driver" {
		return true
	}
	for _, pre := range []string{"/console/", "/driver/", "/t/", "/assets/", "/map/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !ours(r.URL.Path) {
		if h.cfg.Next == nil {
			http.NotFound(w, r)
			return
		}
		h.cfg.Next.ServeHTTP(w, r)
		return
	}
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", h.csp)
	h.mux.ServeHTTP(w, r)
}

// load reads the embedded files and compresses the text ones.
func (h *handler) load() {
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		a := &asset{data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: contentType(p)}
		if compressible(a.ctype) && len(data) > 1024 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(data)
			zw.Close()
			if buf.Len() < len(data) {
				a.gz = buf.Bytes()
			}
		}
		h.files[strings.TrimPrefix(p, "assets/")] = a
		return nil
	})
	if err != nil {
		// The embedded tree is part of the binary: this cannot fail at run time.
		h.log.Error("reading embedded web assets", slog.Any("err", err))
	}
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".json": "application/json", ".webmanifest": "application/manifest+json",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".ico": "image/x-icon",
	".txt": "text/plain; charset=utf-8", ".woff2": "font/woff2", ".map": "application/json",
}

func contentType(p string) string {
	if base := path.Base(p); base == "LICENSE" {
		return "text/plain; charset=utf-8"
	}
	if ct, ok := contentTypes[path.Ext(p)]; ok {
		return ct
	}
	return "application/octet-stream"
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "svg")
}

func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if name != path.Clean(name) || strings.HasPrefix(name, "../") {
		http.NotFound(w, r)
		return
	}
	a, ok := h.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.ctype)
	hd.Set("ETag", a.etag)
	// Always revalidate: a new binary serves new files under the same names.
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Vary", "Accept-Encoding")
	if name == "driver/sw.js" {
		hd.Set("Service-Worker-Allowed", "/driver/")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.data
	if a.gz != nil && acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if enc, _, _ := strings.Cut(strings.TrimSpace(part), ";"); enc == "gzip" {
			return true
		}
	}
	return false
}

// contentSecurityPolicy allows only this server, plus the tile server's
// origin for images when one is configured.
func contentSecurityPolicy(tileURL string) string {
	img := "'self' data: blob:"
	if o := tileOrigin(tileURL); o != "" {
		img += " " + o
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src " + img +
		"; connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}

// tileOrigin returns the origin of a tile URL template for the CSP: a
// subdomain placeholder ({s}) becomes a wildcard.
func tileOrigin(tmpl string) string {
	if tmpl == "" {
		return ""
	}
	u, err := url.Parse(strings.ReplaceAll(tmpl, "{s}", "s-placeholder"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := u.Host
	if strings.Contains(host, "s-placeholder") {
		host = strings.Replace(host, "s-placeholder", "*", 1)
	}
	if strings.ContainsAny(host, "{}") {
		return u.Scheme + ":"
	}
	return u.Scheme + "://" + host
}
