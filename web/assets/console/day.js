// The day of a station: its plan on the map (canvas) and in the routes
// table, live positions from the station's event stream, and the panels.
/* global L */
import { ApiError, esc } from '/assets/common/api.js';
import { routeColour } from '/assets/common/map.js';
import { PlanPanel, ImportPanel, FailedPanel, KpiPanel, DriversPanel } from '/console/panels.js';

const PAGE = 50; // stop rows per page of a route table

export const statusColour = {
  pending: '#6b7280', planned: '#6b7280', loaded: '#2563eb', out_for_delivery: '#d97706', arrived: '#b45309',
  delivered: '#15803d', failed: '#b91c1c', reattempt_scheduled: '#7c3aed', redirected: '#7c3aed', returned: '#7c3aed', cancelled: '#374151',
};

export function fmtTime(iso, tz) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return '';
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: tz || undefined });
}

export function fmtKm(m) { return `${((m || 0) / 1000).toFixed(1)} km`; }
export function fmtDur(s) {
  s = Math.round(s || 0);
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
}
export function fmtMoney(c) { return ((c || 0) / 100).toFixed(2); }

/** The late risk of a stop: 'late' (ETA after the window), 'risk' (within 15 min of its end) or ''. */
export function riskOf(eta, order, live) {
  if (live && live.risk) return live.risk === 'late' ? 'late' : 'risk';
  if (!eta || !order || !order.window || !order.window.end) return '';
  const end = new Date(order.window.end).getTime();
  const t = new Date((live && live.eta) || eta).getTime();
  if (t > end) return 'late';
  if (t > end - 15 * 60 * 1000) return 'risk';
  return '';
}

export class DayView {
  constructor({ api, map, mapCfg, ui, $ }) {
    this.api = api;
    this.map = map;
    this.mapCfg = mapCfg;
    this.ui = ui;
    this.$ = $;
    this.renderer = L.canvas({ padding: 0.3 });
    this.routeLayer = L.layerGroup().addTo(map);
    this.stopLayer = L.layerGroup().addTo(map);
    this.vehicleLayer = L.layerGroup().addTo(map);
    this.vehicleMarkers = new Map();
    this.live = new Map(); // order id → {eta, risk}
    this.selected = null; // order id of the selected stop
    this.pages = new Map(); // route id → page index
    this.open = new Set(); // route ids whose table is shown
    this.stopStream = null;
    this.seq = 0;
    this.roadPaths = new Map(); // route id + stop sequence → [[lat, lon], …] along the roads
    this.panels = {
      plan: new PlanPanel(this, $('panel-plan')),
      import: new ImportPanel(this, $('panel-import')),
      failed: new FailedPanel(this, $('panel-failed')),
      kpis: new KpiPanel(this, $('panel-kpis')),
      drivers: new DriversPanel(this, $('panel-drivers')),
    };
    this.current = 'routes';
    $('panel-routes').addEventListener('click', (e) => this.onRoutesClick(e));
    $('panel-routes').addEventListener('change', (e) => this.onRoutesChange(e));
    $('panel-routes').addEventListener('keydown', (e) => this.onRoutesKey(e));
    this.setupDrag($('panel-routes'));
    // The stream notices a lost network only at its next heartbeat: say so at
    // once, and reconnect as soon as the network is back.
    addEventListener('offline', () => {
      const live = $('live');
      live.classList.remove('on');
      live.textContent = 'live: offline';
    });
    addEventListener('online', () => {
      if (this.station && this.stopStream) {
        this.stop();
        this.startStream();
      }
    });
  }

  stop() {
    if (this.stopStream) this.stopStream();
    this.stopStream = null;
  }

  /** Loads a station's day and renders everything. */
  async load(station, date, stations) {
    const seq = ++this.seq;
    this.stop();
    this.stations = stations;
    this.date = date;
    this.live.clear();
    this.open.clear();
    this.pages.clear();
    this.selected = null;
    this.ui.error(null);
    try {
      const id = station.id;
      const [st, vehicles, drivers, plans, orders] = await Promise.all([
        this.api.get(`/v1/stations/${encodeURIComponent(id)}`),
        this.api.all(`/v1/vehicles?station_id=${encodeURIComponent(id)}`),
        this.api.all(`/v1/drivers?station_id=${encodeURIComponent(id)}`),
        this.api.all(`/v1/plans?station_id=${encodeURIComponent(id)}&date=${date}`),
        this.api.all(`/v1/orders?station_id=${encodeURIComponent(id)}&date=${date}`),
      ]);
      if (seq !== this.seq) return;
      this.station = st;
      this.vehicles = new Map(vehicles.map((v) => [v.id, v]));
      this.drivers = new Map(drivers.map((d) => [d.id, d]));
      this.orders = new Map(orders.map((o) => [o.id, o]));
      this.setPlans(plans);
      await this.fillMissingOrders();
      if (seq !== this.seq) return;
      this.render(true);
      this.startStream();
    } catch (err) {
      if (seq === this.seq && !(err instanceof ApiError && err.status === 401)) this.ui.error(err);
    }
  }

  /** Keeps the newest draft and the newest published plan of the day. */
  setPlans(plans) {
    const newest = (st) => plans.filter((p) => p.status === st).sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0] || null;
    this.published = newest('published');
    this.draft = newest('draft');
    if (this.draft && this.published && this.draft.created_at < this.published.created_at) this.draft = null;
    this.plan = this.draft || this.published;
  }

  /** Orders on the plan but of another date (e.g. reattempts) are fetched one by one. */
  async fillMissingOrders() {
    if (!this.plan) return;
    const missing = [];
    for (const r of this.plan.routes || []) for (const s of r.stops || []) if (s.order_id && !this.orders.has(s.order_id)) missing.push(s.order_id);
    for (const u of this.plan.unassigned || []) if (!this.orders.has(u.order_id)) missing.push(u.order_id);
    for (const id of missing.slice(0, 200)) {
      try {
        this.orders.set(id, await this.api.get(`/v1/orders/${encodeURIComponent(id)}`));
      } catch (err) {
        if (err.status === 401) throw err;
      }
    }
  }

  /** Replaces the shown plan (after plan, replan, move, lock, publish). */
  async showPlan(plan) {
    if (plan.status === 'published') {
      this.published = plan;
      if (this.draft && this.draft.id === plan.id) this.draft = null;
    } else if (plan.status === 'draft') {
      this.draft = plan;
    }
    this.plan = this.draft || this.published;
    await this.fillMissingOrders();
    this.render(false);
  }

  async refreshOrders() {
    const orders = await this.api.all(`/v1/orders?station_id=${encodeURIComponent(this.station.id)}&date=${this.date}`);
    for (const o of orders) this.orders.set(o.id, o);
  }

  tz() { return (this.station && this.station.time_zone) || undefined; }

  routeIndex(routeId) {
    return this.plan ? this.plan.routes.findIndex((r) => r.id === routeId) : -1;
  }

  vehicleName(id) { const v = this.vehicles.get(id); return v ? v.name || v.id : id || '—'; }
  driverName(id) { const d = this.drivers.get(id); return d ? d.name || d.id : id || '—'; }

  render(fit) {
    this.renderMap(fit);
    this.renderRoutes();
    this.renderAlerts();
    for (const [name, p] of Object.entries(this.panels)) if (name === this.current) p.render();
    if (!this.painted) {
      this.painted = true;
      requestAnimationFrame(() => {
        performance.mark('lm-first-paint');
        window.lmFirstPaint = performance.now();
      });
    }
  }

  shown(name) {
    this.current = name;
    if (this.panels[name]) this.panels[name].render();
    if (name === 'routes') this.renderRoutes();
  }

  // ---- map -------------------------------------------------------------

  renderMap(fit) {
    this.routeLayer.clearLayers();
    this.stopLayer.clearLayers();
    const bounds = [];
    const st = this.station;
    if (st && st.location) {
      L.circleMarker([st.location.lat, st.location.lon], { renderer: this.renderer, radius: 8, color: '#111', weight: 3, fillColor: '#fff', fillOpacity: 1 })
        .bindTooltip(`Station ${esc(st.name)}`).addTo(this.stopLayer);
      bounds.push([st.location.lat, st.location.lon]);
    }
    const legend = [];
    const plan = this.plan;
    const drawn = new Set();
    if (plan) {
      plan.routes.forEach((r, i) => {
        const colour = routeColour(i);
        const pts = [];
        if (st && st.location) pts.push([st.location.lat, st.location.lon]);
        for (const s of r.stops || []) if (s.location) pts.push([s.location.lat, s.location.lon]);
        if (st && st.location) pts.push([st.location.lat, st.location.lon]);
        if (pts.length > 2) {
          const line = L.polyline(this.roadPaths.get(pathKey(r)) || pts, { renderer: this.renderer, color: colour, weight: 3, opacity: 0.85, interactive: false }).addTo(this.routeLayer);
          if (!this.roadPaths.has(pathKey(r))) this.followRoads(r, pts, line);
          legend.push(`<span><span class="sw" style="background:${colour}"></span>${esc(this.vehicleName(r.vehicle_id))}</span>`);
        }
        for (const s of r.stops || []) {
          if (!s.order_id || !s.location) continue;
          drawn.add(s.order_id);
          this.stopMarker(s.order_id, s.location, colour, r, s).addTo(this.stopLayer);
          bounds.push([s.location.lat, s.location.lon]);
        }
      });
    }
    // Orders of the day not on the plan: grey.
    for (const o of this.orders.values()) {
      if (drawn.has(o.id) || !o.address || !o.address.location) continue;
      const loc = o.address.location;
      this.stopMarker(o.id, loc, '#4b5563', null, null).addTo(this.stopLayer);
      bounds.push([loc.lat, loc.lon]);
    }
    this.$('map-legend').innerHTML = legend.join(' ');
    if (fit && bounds.length > 1) this.map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
    else if (fit && bounds.length === 1) this.map.setView(bounds[0], 15);
  }

  /**
   * Replaces a route's straight line by its path on the roads, from the
   * server's OSRM-compatible /route/v1 (served when a road graph is
   * loaded). Runs after the first paint; on any failure the straight
   * line stays.
   */
  followRoads(route, pts, line) {
    if (!this.mapCfg.roads || pts.length > 500) return;
    const key = pathKey(route);
    this.roadPaths.set(key, null);
    const coords = pts.map(([lat, lon]) => `${lon.toFixed(6)},${lat.toFixed(6)}`).join(';');
    fetch(`/route/v1/driving/${coords}?overview=full&geometries=geojson`)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`route: ${r.status}`))))
      .then((data) => {
        const g = data.routes && data.routes[0] && data.routes[0].geometry;
        if (!g || !g.coordinates || g.coordinates.length < 2) return;
        const path = g.coordinates.map(([lon, lat]) => [lat, lon]);
        this.roadPaths.set(key, path);
        if (this.routeLayer.hasLayer(line)) line.setLatLngs(path);
      })
      .catch(() => this.roadPaths.set(key, false));
  }

  stopMarker(orderId, loc, colour, route, stop) {
    const o = this.orders.get(orderId);
    const status = (o && o.status) || 'planned';
    const m = L.circleMarker([loc.lat, loc.lon], {
      renderer: this.renderer, radius: orderId === this.selected ? 8 : 5, color: colour, weight: 2,
      fillColor: statusColour[status] || '#6b7280', fillOpacity: 0.95,
    });
    m.on('click', () => this.select(orderId, true));
    m.bindTooltip(() => {
      const ord = this.orders.get(orderId);
      const name = ord ? esc(ord.external_id || ord.id) : esc(orderId);
      const st = ord ? esc(ord.status) : '';
      const eta = stop ? ` · ETA ${fmtTime(stop.eta, this.tz())}` : '';
      return `${name} · ${st}${eta}${route ? ' · ' + esc(this.vehicleName(route.vehicle_id)) : ''}`;
    });
    return m;
  }

  select(orderId, fromMap) {
    this.selected = this.selected === orderId ? null : orderId;
    if (fromMap && this.plan && this.selected) {
      const r = this.plan.routes.find((rt) => rt.stops.some((s) => s.order_id === orderId));
      if (r) {
        this.open.add(r.id);
        const k = r.stops.filter((s) => s.order_id).findIndex((s) => s.order_id === orderId);
        this.pages.set(r.id, Math.floor(k / PAGE));
      }
    }
    this.renderMap(false);
    this.renderRoutes();
    if (fromMap) {
      const row = document.querySelector(`tr[data-order="${CSS.escape(orderId)}"]`);
      if (row) row.scrollIntoView({ block: 'nearest' });
    }
  }

  updateVehicle(ev) {
    const p = ev.position;
    if (!p) return;
    const idx = this.routeIndex(ev.route_id);
    const colour = idx >= 0 ? routeColour(idx) : '#111';
    let m = this.vehicleMarkers.get(ev.vehicle_id);
    const icon = L.divIcon({
      className: 'lm-vehicle',
      html: `<span style="display:block;width:18px;height:18px;border-radius:50%;background:${colour};border:3px solid #fff;box-shadow:0 0 0 2px ${colour}"></span>`,
      iconSize: [18, 18],
    });
    const label = `${this.vehicleName(ev.vehicle_id)} at ${fmtTime(p.at, this.tz())}`;
    if (!m) {
      m = L.marker([p.lat, p.lon], { icon, keyboard: true, title: label, alt: label }).addTo(this.vehicleLayer);
      this.vehicleMarkers.set(ev.vehicle_id, m);
    } else {
      m.setLatLng([p.lat, p.lon]);
      m.setIcon(icon);
      if (m.getElement()) m.getElement().title = label;
    }
  }

  // ---- live stream -----------------------------------------------------

  startStream() {
    const live = this.$('live');
    this.stopStream = this.api.stream(`/v1/stations/${encodeURIComponent(this.station.id)}/stream`, (type, data) => this.onEvent(type, data), (state, err) => {
      live.classList.toggle('on', state === 'open');
      live.textContent = state === 'open' ? 'live: connected' : state === 'retry' ? `live: reconnecting (${(err && err.message) || 'connection lost'})` : 'live: off';
    });
  }

  onEvent(type, data) {
    if (!data || typeof data !== 'object') return;
    if (type === 'position') {
      this.updateVehicle(data);
      if (data.progress && data.progress.etas) {
        for (const e of data.progress.etas) if (e.order_id) this.live.set(e.order_id, { eta: e.eta, risk: e.risk || '' });
        this.scheduleRender();
      }
    } else if (type === 'stop') {
      const o = this.orders.get(data.order_id);
      if (o) {
        o.status = data.status;
        this.scheduleRender();
      }
    } else if (type === 'alert') {
      this.alert(describeAlert(data, this));
    }
  }

  scheduleRender() {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.renderMap(false);
      this.renderRoutes();
      this.renderAlerts();
    }, 250);
  }

  alert(text) {
    if (!text) return;
    this.liveAlerts = [text, ...(this.liveAlerts || [])].slice(0, 20);
    this.renderAlerts();
  }

  renderAlerts() {
    const el = this.$('alerts');
    const lines = [...(this.liveAlerts || [])];
    if (this.plan) {
      let late = 0;
      let risk = 0;
      for (const r of this.plan.routes) {
        for (const s of r.stops || []) {
          if (!s.order_id) continue;
          const o = this.orders.get(s.order_id);
          if (o && ['delivered', 'failed', 'returned', 'redirected', 'cancelled', 'reattempt_scheduled'].includes(o.status)) continue;
          const k = riskOf(s.eta, o, this.live.get(s.order_id));
          if (k === 'late') late++;
          if (k === 'risk') risk++;
        }
      }
      if (late) lines.push(`${late} stop${late > 1 ? 's' : ''} expected after the end of the delivery window.`);
      if (risk) lines.push(`${risk} stop${risk > 1 ? 's' : ''} at risk: ETA within 15 minutes of the window's end.`);
      const un = (this.plan.unassigned || []).length;
      if (un) lines.push(`${un} order${un > 1 ? 's' : ''} not assigned to any route (see Plan).`);
    }
    const html = lines.map((l) => `<p>${esc(l)}</p>`).join('');
    if (el.innerHTML !== html) el.innerHTML = html;
  }

  // ---- routes panel ----------------------------------------------------

  renderRoutes() {
    const el = this.$('panel-routes');
    if (this.current !== 'routes') return;
    const plan = this.plan;
    if (!plan) {
      const n = this.orders ? this.orders.size : 0;
      el.innerHTML = `<p>No plan for ${esc(this.date)} yet: ${n} order${n === 1 ? '' : 's'} of the day.</p>
        <p><button type="button" data-act="goto-plan">Plan the day</button></p>`;
      return;
    }
    const draft = plan.status === 'draft';
    const parts = [];
    parts.push(`<p class="muted">${draft ? 'Draft plan' : 'Published plan'} <code>${esc(plan.id)}</code> · ${plan.summary.routes} routes · ${plan.summary.stops} stops · ${fmtKm(plan.summary.distance_m)} · cost ${fmtMoney(plan.summary.cost)}${draft ? ' · drag a stop onto another route, or select it and choose a route below' : ''}</p>`);
    if (draft) parts.push(this.moveForm());
    plan.routes.forEach((r, i) => parts.push(this.routeCard(r, i, draft)));
    // Live updates redraw the panel: keep the keyboard focus where it was.
    const active = document.activeElement && el.contains(document.activeElement) ? document.activeElement : null;
    let again = '';
    if (active && active.dataset.order) again = `tr[data-order="${CSS.escape(active.dataset.order)}"]`;
    else if (active && active.dataset.act && active.dataset.route) again = `[data-act="${CSS.escape(active.dataset.act)}"][data-route="${CSS.escape(active.dataset.route)}"]`;
    else if (active && active.name) again = `form[data-form=move] [name="${CSS.escape(active.name)}"]`;
    const keep = active && active.closest('form[data-form=move]') ? new FormData(active.closest('form')) : null;
    const top = el.scrollTop;
    el.innerHTML = parts.join('');
    if (keep) {
      const f = el.querySelector('form[data-form=move]');
      if (f) for (const [k, v] of keep) if (f.elements[k]) f.elements[k].value = v;
    }
    el.scrollTop = top;
    const target = again && el.querySelector(again);
    if (target) target.focus({ preventScroll: true });
  }

  moveForm() {
    const o = this.selected && this.orders.get(this.selected);
    const opts = this.plan.routes.map((r, i) => `<option value="${esc(r.id)}">${i + 1}. ${esc(this.vehicleName(r.vehicle_id))}</option>`).join('');
    return `<form class="card" data-form="move" aria-label="Move the selected stop">
      <div class="row">
        <span>Selected: <strong>${o ? esc(o.external_id || o.id) : 'none (click a stop row or a stop on the map)'}</strong></span>
      </div>
      <div class="row">
        <label>To route <select name="route_id">${opts}<option value="">(off the plan)</option></select></label>
        <label>Position (1 = first, empty = last) <input name="position" type="number" min="1" step="1" style="width:6em"></label>
        <button type="submit" ${o ? '' : 'disabled'}>Move stop</button>
      </div>
      <div id="move-verdict" role="status" aria-live="polite">${this.verdict || ''}</div>
    </form>`;
  }

  routeCard(r, i, draft) {
    const colour = routeColour(i);
    const stops = (r.stops || []).filter((s) => s.order_id);
    const open = this.open.has(r.id);
    const dispatched = !!r.dispatched_at;
    const page = Math.min(this.pages.get(r.id) || 0, Math.max(0, Math.ceil(stops.length / PAGE) - 1));
    let late = 0;
    for (const s of stops) if (riskOf(s.eta, this.orders.get(s.order_id), this.live.get(s.order_id)) === 'late') late++;
    const actions = [];
    if (draft) {
      actions.push(`<label class="inline"><input type="checkbox" data-act="lock" data-route="${esc(r.id)}" ${r.locked ? 'checked' : ''}> locked</label>`);
    } else if (this.plan.status === 'published') {
      actions.push(dispatched
        ? `<span class="status out_for_delivery">dispatched ${fmtTime(r.dispatched_at, this.tz())}</span>`
        : `<button type="button" data-act="dispatch" data-route="${esc(r.id)}">Dispatch</button>`);
    }
    const head = `<div class="route-head" data-route-drop="${esc(r.id)}">
      <span class="sw" style="background:${colour}" aria-hidden="true"></span>
      <h3>${i + 1}. ${esc(this.vehicleName(r.vehicle_id))}</h3>
      <span>${esc(this.driverName(r.driver_id))}</span>
      <span>${stops.length} stops · ${fmtKm(r.distance_m)} · ${fmtDur(r.duration_s)} · ${fmtTime(r.start, this.tz())}–${fmtTime(r.end, this.tz())}</span>
      ${r.feasible === false ? `<span class="status failed">infeasible: ${esc((r.violations || []).join(', '))}</span>` : ''}
      ${late ? `<span class="status failed">${late} late</span>` : ''}
      ${actions.join(' ')}
      <button type="button" class="secondary" data-act="toggle" data-route="${esc(r.id)}" aria-expanded="${open}">${open ? 'Hide stops' : 'Show stops'}</button>
    </div>`;
    if (!open) return `<section class="card route" data-route="${esc(r.id)}">${head}<div data-route-drop="${esc(r.id)}" class="drop-zone"></div></section>`;
    const rows = stops.slice(page * PAGE, (page + 1) * PAGE).map((s, k) => this.stopRow(r, s, page * PAGE + k, draft)).join('');
    const pages = Math.ceil(stops.length / PAGE);
    const pager = pages > 1
      ? `<div class="pager"><button type="button" class="secondary" data-act="page" data-route="${esc(r.id)}" data-page="${page - 1}" ${page === 0 ? 'disabled' : ''}>Previous</button>
         <span>page ${page + 1} of ${pages}</span>
         <button type="button" class="secondary" data-act="page" data-route="${esc(r.id)}" data-page="${page + 1}" ${page + 1 >= pages ? 'disabled' : ''}>Next</button></div>`
      : '';
    return `<section class="card route" data-route="${esc(r.id)}">${head}
      <table class="stops" data-route-drop="${esc(r.id)}">
        <caption class="visually-hidden">Stops of route ${i + 1}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Order</th><th scope="col">Status</th><th scope="col">ETA</th><th scope="col">Window</th><th scope="col">Alert</th></tr></thead>
        <tbody>${rows || '<tr><td colspan="6">No stops.</td></tr>'}</tbody>
      </table>${pager}</section>`;
  }

  stopRow(r, s, k, draft) {
    const o = this.orders.get(s.order_id) || { id: s.order_id, status: 'planned' };
    const live = this.live.get(s.order_id);
    const risk = riskOf(s.eta, o, live);
    const tz = this.tz();
    const win = o.window ? `${fmtTime(o.window.start, tz)}–${fmtTime(o.window.end, tz)}` : 'day';
    const eta = live && live.eta ? `${fmtTime(live.eta, tz)} <span class="muted">(live; plan ${fmtTime(s.eta, tz)})</span>` : fmtTime(s.eta, tz);
    const sel = this.selected === s.order_id;
    return `<tr data-order="${esc(s.order_id)}" data-route="${esc(r.id)}" data-pos="${k}" class="${risk} ${sel ? 'selected' : ''}" tabindex="0" aria-selected="${sel}" ${draft ? 'draggable="true"' : ''}>
      <td class="num">${k + 1}</td>
      <td>${esc(o.external_id || o.id)}<br><span class="muted">${esc((o.address && o.address.line1) || '')}</span></td>
      <td><span class="status ${esc(o.status)}">${esc(String(o.status).replace(/_/g, ' '))}</span></td>
      <td>${eta}</td><td>${win}</td>
      <td>${risk === 'late' ? '<strong style="color:var(--bad)">late</strong>' : risk === 'risk' ? '<strong style="color:var(--warn)">at risk</strong>' : ''}</td>
    </tr>`;
  }

  async onRoutesClick(e) {
    const t = e.target.closest('[data-act], tr[data-order]');
    if (!t) return;
    if (t.matches('tr[data-order]')) {
      this.select(t.dataset.order, false);
      const row = document.querySelector(`tr[data-order="${CSS.escape(t.dataset.order)}"]`);
      if (row) row.focus();
      return;
    }
    const act = t.dataset.act;
    if (act === 'toggle') {
      const id = t.dataset.route;
      if (this.open.has(id)) this.open.delete(id);
      else this.open.add(id);
      this.renderRoutes();
      const b = document.querySelector(`[data-act=toggle][data-route="${CSS.escape(id)}"]`);
      if (b) b.focus();
    } else if (act === 'page') {
      this.pages.set(t.dataset.route, Number(t.dataset.page));
      this.renderRoutes();
    } else if (act === 'dispatch') {
      await this.dispatch(t.dataset.route, false);
    } else if (act === 'force-dispatch') {
      await this.dispatch(t.dataset.route, true);
    } else if (act === 'goto-plan') {
      window.lmSelectTab('plan');
    }
  }

  async onRoutesChange(e) {
    const t = e.target;
    if (t.dataset.act === 'lock') {
      try {
        const p = await this.api.post(`/v1/plans/${encodeURIComponent(this.plan.id)}/routes/${encodeURIComponent(t.dataset.route)}/lock`, { locked: t.checked });
        await this.showPlan(p);
      } catch (err) {
        t.checked = !t.checked;
        this.ui.error(err);
      }
    }
  }

  onRoutesKey(e) {
    const row = e.target.closest && e.target.closest('tr[data-order]');
    if (row && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      this.select(row.dataset.order, false);
      const again = document.querySelector(`tr[data-order="${CSS.escape(row.dataset.order)}"]`);
      if (again) again.focus();
    }
  }

  setupDrag(el) {
    el.addEventListener('dragstart', (e) => {
      const row = e.target.closest('tr[data-order]');
      if (!row) return;
      e.dataTransfer.setData('text/plain', row.dataset.order);
      e.dataTransfer.effectAllowed = 'move';
    });
    el.addEventListener('dragover', (e) => {
      if (e.target.closest('[data-route-drop]')) e.preventDefault();
      for (const r of el.querySelectorAll('.drop-target')) r.classList.remove('drop-target');
      const row = e.target.closest('tr[data-order]');
      if (row) row.classList.add('drop-target');
    });
    el.addEventListener('drop', (e) => {
      const zone = e.target.closest('[data-route-drop]');
      if (!zone) return;
      e.preventDefault();
      const orderId = e.dataTransfer.getData('text/plain');
      const row = e.target.closest('tr[data-order]');
      const routeId = zone.dataset.routeDrop;
      const route = this.plan.routes.find((r) => r.id === routeId);
      // Dropped on a row: before that stop (positions count from 1 over all
      // the route's stops, once the moved one is taken out); on the card: last.
      let pos = 0;
      if (row && route && row.dataset.order !== orderId) {
        const at = route.stops.findIndex((s) => s.order_id === row.dataset.order);
        const from = route.stops.findIndex((s) => s.order_id === orderId);
        pos = at + 1 - (from >= 0 && from < at ? 1 : 0);
      }
      for (const r of el.querySelectorAll('.drop-target')) r.classList.remove('drop-target');
      this.move(orderId, routeId, pos);
    });
    el.addEventListener('submit', (e) => {
      const f = e.target;
      if (f.dataset.form !== 'move') return;
      e.preventDefault();
      this.move(this.selected, f.route_id.value, Math.max(0, Math.floor(Number(f.position.value) || 0)));
    });
  }

  /**
   * Moves a stop (POST /v1/plans/{id}/moves) and shows the verdict.
   * position counts from 1 over the route's stops; 0 puts it last.
   */
  async move(orderId, routeId, position) {
    if (!orderId || !this.plan) return;
    const o = this.orders.get(orderId);
    const name = o ? o.external_id || o.id : orderId;
    const target = routeId ? `route ${this.routeIndex(routeId) + 1} (${this.vehicleName((this.plan.routes.find((r) => r.id === routeId) || {}).vehicle_id)})` : 'off the plan';
    try {
      const body = { order_id: orderId, position };
      if (routeId) body.route_id = routeId;
      const p = await this.api.post(`/v1/plans/${encodeURIComponent(this.plan.id)}/moves`, body);
      this.verdict = `<p class="verdict ok">Feasible: ${esc(name)} moved to ${esc(target)}${routeId ? (position ? `, position ${position}` : ', last') : ''}. Routes re-timed.</p>`;
      await this.showPlan(p);
    } catch (err) {
      if (err.status === 401) return;
      this.verdict = `<p class="verdict bad">Refused: ${esc(err instanceof ApiError ? err.describe() : String(err))}</p>`;
      this.renderRoutes();
    }
  }

  async dispatch(routeId, force) {
    try {
      const res = await this.api.post(`/v1/routes/${encodeURIComponent(routeId)}/dispatch`, force ? { force: true } : {});
      const otps = Object.keys(res.otps || {}).length;
      this.alert(`Route ${this.routeIndex(routeId) + 1} dispatched: ${res.dispatched} stops out for delivery${res.released && res.released.length ? `, ${res.released.length} not loaded went back to pending` : ''}${otps ? `, ${otps} OTPs issued` : ''}.`);
      this.published = await this.api.get(`/v1/plans/${encodeURIComponent(this.plan.id)}`);
      this.plan = this.draft || this.published;
      await this.refreshOrders();
      this.render(false);
    } catch (err) {
      if (err.status === 401) return;
      if (err.status === 409 && /not fully loaded/.test(err.message) && !force) {
        const card = document.querySelector(`section.route[data-route="${CSS.escape(routeId)}"] .route-head`);
        if (card && !card.querySelector('[data-act=force-dispatch]')) {
          card.insertAdjacentHTML('beforeend', `<span class="verdict bad" role="alert">${esc(err.describe())}</span>
            <button type="button" class="danger" data-act="force-dispatch" data-route="${esc(routeId)}">Dispatch anyway (unloaded orders go back to pending)</button>`);
        }
        return;
      }
      this.ui.error(err);
    }
  }
}

/** A route's identity for its road path: the route and its stop sequence. */
function pathKey(r) {
  return r.id + ':' + (r.stops || []).map((s) => s.order_id || s.type).join(',');
}

function describeAlert(e, view) {
  const o = e.order_id && view.orders.get(e.order_id);
  const who = e.vehicle_id ? view.vehicleName(e.vehicle_id) : '';
  const what = o ? ` ${o.external_id || o.id}` : '';
  const at = e.at ? fmtTime(e.at, view.tz()) + ' ' : '';
  return `${at}${who}: ${String(e.type || 'event').replace(/[._]/g, ' ')}${what}`.trim();
}
