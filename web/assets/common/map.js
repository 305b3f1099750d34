// Shared map helper: a Leaflet map whose base layer is either the
// configured XYZ tiles (/map/config.json tile_url) or the server's own
// roads (/map/roads), drawn on canvas tiles, so that maps work on stations
// without internet access. Needs /assets/vendor/leaflet/leaflet.js loaded
// (global L).

/* global L */

// Road styles by class (major, primary, secondary, minor, service): width in
// pixels at zoom 16 and colour; widths scale with zoom.
const roadStyle = [
  { w: 8, casing: '#a35f00', fill: '#f6b04a' },
  { w: 7, casing: '#93783a', fill: '#fbe08e' },
  { w: 6, casing: '#8f8a80', fill: '#fdf1c4' },
  { w: 5, casing: '#a29c90', fill: '#ffffff' },
  { w: 3, casing: '#b3ada1', fill: '#fbfaf7' },
];

let configPromise = null;

/** Fetches /map/config.json once. */
export function mapConfig() {
  if (!configPromise) {
    configPromise = fetch('/map/config.json', { cache: 'no-cache' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`map config: ${r.status}`))))
      .catch(() => ({ roads: false, attribution: '', classes: [] }));
  }
  return configPromise;
}

/** Decodes one /map/roads line [class, x0, y0, dx, dy, …] to [class, [[lat, lon], …]]. */
export function decodeLine(line, scale) {
  const pts = [];
  let x = 0;
  let y = 0;
  for (let i = 1; i + 1 < line.length; i += 2) {
    x += line[i];
    y += line[i + 1];
    pts.push([y / scale, x / scale]);
  }
  return [line[0], pts];
}

/** A canvas tile layer drawing the server's roads. */
export function roadLayer(cfg) {
  const Layer = L.GridLayer.extend({
    createTile(coords, done) {
      const tile = L.DomUtil.create('canvas', 'lm-road-tile');
      const size = this.getTileSize();
      const ratio = window.devicePixelRatio || 1;
      tile.width = size.x * ratio;
      tile.height = size.y * ratio;
      tile.setAttribute('aria-hidden', 'true');
      const nw = this._map.unproject(coords.scaleBy(size), coords.z);
      const se = this._map.unproject(coords.add([1, 1]).scaleBy(size), coords.z);
      // A margin so that wide lines crossing the tile edge are drawn whole.
      const mx = (se.lng - nw.lng) * 0.05;
      const my = (nw.lat - se.lat) * 0.05;
      const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
      const bbox = [clamp(nw.lng - mx, -180, 180), clamp(se.lat - my, -90, 90), clamp(se.lng + mx, -180, 180), clamp(nw.lat + my, -90, 90)]
        .map((v) => v.toFixed(6)).join(',');
      if (cfg.bounds) {
        const [a, b, c, d] = cfg.bounds;
        if (se.lng < a || nw.lng > c || nw.lat < b || se.lat > d) {
          setTimeout(() => done(null, tile), 0);
          return tile;
        }
      }
      fetch(`/map/roads?bbox=${bbox}&zoom=${coords.z}`)
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`roads: ${r.status}`))))
        .then((data) => {
          const ctx = tile.getContext('2d');
          ctx.scale(ratio, ratio);
          ctx.lineCap = 'round';
          ctx.lineJoin = 'round';
          const origin = coords.scaleBy(size);
          const lines = data.lines.map((l) => decodeLine(l, data.scale));
          const zf = Math.pow(2, (coords.z - 16) * 0.6);
          const paths = lines.map(([c, pts]) => {
            const p = new Path2D();
            pts.forEach((ll, i) => {
              const pt = this._map.project(ll, coords.z).subtract(origin);
              if (i === 0) p.moveTo(pt.x, pt.y);
              else p.lineTo(pt.x, pt.y);
            });
            return [c, p];
          });
          // Casings first, least important below, then fills.
          for (const pass of ['casing', 'fill']) {
            for (let i = paths.length - 1; i >= 0; i--) {
              const [c, p] = paths[i];
              const s = roadStyle[c] || roadStyle[roadStyle.length - 1];
              const w = Math.max(1.2, s.w * zf);
              ctx.strokeStyle = s[pass];
              ctx.lineWidth = pass === 'casing' ? w + 2 : w;
              ctx.stroke(p);
            }
          }
          done(null, tile);
        })
        .catch((err) => done(err, tile));
      return tile;
    },
  });
  return new Layer({ attribution: cfg.attribution, maxZoom: cfg.max_zoom || 20, className: 'lm-roads' });
}

/**
 * Creates a map in el with the configured base layer. Options: center
 * [lat, lon], zoom. Answers {map, cfg, base} where base is null when the
 * server has neither tiles nor roads.
 */
export async function createMap(el, { center = null, zoom = 13 } = {}) {
  const cfg = await mapConfig();
  const map = L.map(el, { preferCanvas: true, zoomControl: true, maxZoom: cfg.max_zoom || 20, keyboard: true });
  let base = null;
  if (cfg.tile_url) {
    base = L.tileLayer(cfg.tile_url, { attribution: cfg.attribution, maxZoom: cfg.max_zoom || 19 });
  } else if (cfg.roads) {
    base = roadLayer(cfg);
  }
  if (base) base.addTo(map);
  if (center) {
    map.setView(center, zoom);
  } else if (cfg.bounds) {
    const [a, b, c, d] = cfg.bounds;
    map.fitBounds([[b, a], [d, c]]);
  } else {
    map.setView([0, 0], 2);
  }
  map.attributionControl.setPrefix(false);
  return { map, cfg, base };
}

/** Distinct route colours with enough contrast on the light base map. */
export const routeColours = [
  '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#e377c2', '#8c564b', '#17becf', '#bcbd22',
  '#ff7f0e', '#393b79', '#637939', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354',
];

export function routeColour(i) {
  if (i < routeColours.length) return routeColours[i];
  const h = (i * 137.508) % 360;
  return `hsl(${h.toFixed(0)} 65% 40%)`;
}
