// The console's side panels: plan/compare/publish, order import, failed
// stops, KPIs and drivers' sign-in links.
import { ApiError, esc } from '/assets/common/api.js';
import { fmtKm, fmtDur, fmtMoney, fmtTime } from '/console/day.js';

const describe = (err) => (err instanceof ApiError ? err.describe() : String((err && err.message) || err));

/** Runs an action with its button disabled and a status line; errors go to the status line. */
async function busy(button, status, label, fn) {
  if (button) button.disabled = true;
  if (status) status.textContent = label;
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    if (status) {
      status.innerHTML = `<span class="verdict bad">${esc(describe(err))}</span>`;
    }
  } finally {
    if (button) button.disabled = false;
  }
}

// ---- plan ---------------------------------------------------------------

export class PlanPanel {
  constructor(view, el) {
    this.view = view;
    this.el = el;
    el.addEventListener('click', (e) => this.onClick(e));
  }

  render() {
    const v = this.view;
    if (!v.station) return;
    const draft = v.draft;
    const pub = v.published;
    const summary = (p) => (p ? `<table><tbody>
      <tr><th scope="row">Routes</th><td class="num">${p.summary.routes}</td></tr>
      <tr><th scope="row">Stops</th><td class="num">${p.summary.stops}</td></tr>
      <tr><th scope="row">Unassigned</th><td class="num">${p.summary.unassigned}</td></tr>
      <tr><th scope="row">Distance</th><td class="num">${fmtKm(p.summary.distance_m)}</td></tr>
      <tr><th scope="row">Driving time</th><td class="num">${fmtDur(p.summary.duration_s)}</td></tr>
      <tr><th scope="row">Cost</th><td class="num">${fmtMoney(p.summary.cost)}</td></tr>
      <tr><th scope="row">Feasible</th><td class="num">${p.summary.feasible ? 'yes' : 'no'}</td></tr>
    </tbody></table>` : '<p class="muted">none</p>');
    const unassigned = draft && draft.unassigned && draft.unassigned.length
      ? `<h3>Unassigned orders</h3><table><thead><tr><th scope="col">Order</th><th scope="col">Reason</th></tr></thead><tbody>${draft.unassigned.map((u) => {
        const o = v.orders.get(u.order_id);
        return `<tr><td>${esc(o ? o.external_id : u.order_id)}</td><td>${esc(u.reason)}</td></tr>`;
      }).join('')}</tbody></table>`
      : '';
    this.el.innerHTML = `
      <h2>Plan for ${esc(v.date)}</h2>
      <div class="row">
        <label>Optimizer time (s) <input id="plan-time" type="number" min="1" max="60" value="2" style="width:6em"></label>
        <button type="button" data-act="plan">${draft || pub ? 'Plan again from scratch' : 'Plan the day'}</button>
        ${draft ? '<button type="button" data-act="replan" class="secondary">Replan draft (keeps locked routes)</button>' : ''}
        ${draft && pub ? '<button type="button" data-act="compare" class="secondary">Compare with published</button>' : ''}
        ${draft ? '<button type="button" data-act="publish">Publish draft</button>' : ''}
      </div>
      <div id="plan-status" role="status" aria-live="polite"></div>
      <div id="plan-compare">${this.compareHTML || ''}</div>
      <div class="row" style="align-items:flex-start">
        <div class="card" style="flex:1 1 12rem"><h3>Draft ${draft ? `<code>${esc(draft.id)}</code>` : ''}</h3>${summary(draft)}</div>
        <div class="card" style="flex:1 1 12rem"><h3>Published ${pub ? `<code>${esc(pub.id)}</code>` : ''}</h3>${summary(pub)}</div>
      </div>
      ${unassigned}`;
  }

  async onClick(e) {
    const b = e.target.closest('[data-act]');
    if (!b) return;
    const v = this.view;
    const status = this.el.querySelector('#plan-status');
    const limit = Math.max(1, Math.min(60, Number(this.el.querySelector('#plan-time').value) || 2));
    if (b.dataset.act === 'plan') {
      await busy(b, status, 'Planning… the optimizer runs for up to ' + limit + ' s.', async () => {
        const p = await v.api.post('/v1/plans', { station_id: v.station.id, date: v.date, time_limit_s: limit });
        this.compareHTML = '';
        await v.showPlan(p);
        this.render();
        this.el.querySelector('#plan-status').innerHTML = `<p class="verdict ok">Draft ${esc(p.id)}: ${p.summary.routes} routes, ${p.summary.stops} stops, ${p.summary.unassigned} unassigned, solved in ${p.solve_ms} ms.</p>`;
      });
    } else if (b.dataset.act === 'replan') {
      await busy(b, status, 'Re-planning…', async () => {
        const p = await v.api.post(`/v1/plans/${encodeURIComponent(v.draft.id)}/replan`, { time_limit_s: limit });
        this.compareHTML = '';
        await v.showPlan(p);
        this.render();
        this.el.querySelector('#plan-status').innerHTML = `<p class="verdict ok">New draft ${esc(p.id)}: ${p.summary.routes} routes, ${p.summary.stops} stops.</p>`;
      });
    } else if (b.dataset.act === 'compare') {
      await busy(b, status, 'Comparing…', async () => {
        const c = await v.api.get(`/v1/plans/${encodeURIComponent(v.draft.id)}/compare?with=${encodeURIComponent(v.published.id)}`);
        this.compareHTML = compareTable(c, v.draft.id, v.published.id);
        this.render();
      });
    } else if (b.dataset.act === 'publish') {
      await busy(b, status, 'Publishing…', async () => {
        const p = await v.api.post(`/v1/plans/${encodeURIComponent(v.draft.id)}/publish`, {});
        v.draft = null;
        await v.refreshOrders();
        await v.showPlan(p);
        this.compareHTML = '';
        this.render();
        this.el.querySelector('#plan-status').innerHTML = `<p class="verdict ok">Plan ${esc(p.id)} published: its orders are planned on their routes.</p>`;
      });
    }
  }
}

function compareTable(c, draftId, pubId) {
  const a = c.summaries[draftId] || {};
  const b = c.summaries[pubId] || {};
  const row = (label, k, f = (x) => x) => `<tr><th scope="row">${label}</th><td class="num">${f(a[k] || 0)}</td><td class="num">${f(b[k] || 0)}</td><td class="num">${(b[k] || 0) - (a[k] || 0) > 0 ? '+' : ''}${f((b[k] || 0) - (a[k] || 0))}</td></tr>`;
  return `<div class="card"><h3>Draft vs published</h3><table>
    <thead><tr><th scope="col"></th><th scope="col">Draft</th><th scope="col">Published</th><th scope="col">Published − draft</th></tr></thead><tbody>
    ${row('Routes', 'routes')}${row('Stops', 'stops')}${row('Unassigned', 'unassigned')}
    ${row('Distance (km)', 'distance_m', (m) => (m / 1000).toFixed(1))}
    ${row('Driving time (min)', 'duration_s', (s) => Math.round(s / 60))}
    ${row('Cost', 'cost', fmtMoney)}
    </tbody></table><p>${c.moved_orders} order${c.moved_orders === 1 ? '' : 's'} on a different vehicle.</p></div>`;
}

// ---- import -------------------------------------------------------------

export class ImportPanel {
  constructor(view, el) {
    this.view = view;
    this.el = el;
    this.drawn = false;
  }

  render() {
    if (this.drawn) return;
    this.drawn = true;
    this.el.innerHTML = `
      <h2>Import orders</h2>
      <p class="muted">CSV with a header line: <code>external_id, recipient_name, address_line1, lat, lon, barcodes</code> are required;
        <code>service_level, service_date, window_start, window_end, recipient_phone, …</code> are optional (see docs/API.md).</p>
      <form id="import-form">
        <div class="row">
          <label>CSV file <input id="import-file" name="file" type="file" accept=".csv,text/csv" required></label>
          <label>Mode <select id="import-mode" name="mode">
            <option value="row">keep the valid rows</option>
            <option value="all">all rows or none</option>
          </select></label>
          <button type="submit">Import</button>
        </div>
      </form>
      <div id="import-status" role="status" aria-live="polite"></div>
      <div id="import-report"></div>`;
    this.el.querySelector('#import-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.upload(e.submitter);
    });
  }

  async upload(button) {
    const v = this.view;
    const file = this.el.querySelector('#import-file').files[0];
    const mode = this.el.querySelector('#import-mode').value;
    const status = this.el.querySelector('#import-status');
    const out = this.el.querySelector('#import-report');
    if (!file) {
      status.textContent = 'Choose a CSV file first.';
      return;
    }
    out.innerHTML = '';
    await busy(button, status, `Importing ${file.name}…`, async () => {
      const text = await file.text();
      let rep;
      try {
        rep = await v.api.request('POST', `/v1/orders/import?mode=${mode}&station_id=${encodeURIComponent(v.station.id)}`, text, { contentType: 'text/csv' });
      } catch (err) {
        // mode=all answers 422 with the report when a row fails.
        if (err instanceof ApiError && err.body && Array.isArray(err.body.errors)) rep = err.body;
        else throw err;
      }
      status.innerHTML = `<p class="verdict ${rep.failed ? 'bad' : 'ok'}">${rep.rows} rows: ${rep.created} created, ${rep.failed} with errors${rep.failed && rep.mode === 'all' ? ' — nothing was stored (mode: all rows or none)' : ''}.</p>`;
      out.innerHTML = rep.errors && rep.errors.length
        ? `<table class="errors-table" aria-label="Rows with errors"><thead><tr><th scope="col">Row</th><th scope="col">Line</th><th scope="col">External id</th><th scope="col">Field</th><th scope="col">Error</th></tr></thead>
           <tbody>${rep.errors.map((e) => `<tr><td class="num">${e.row}</td><td class="num">${e.line || ''}</td><td>${esc(e.external_id)}</td><td><code>${esc(e.field)}</code></td><td>${esc(e.message)}</td></tr>`).join('')}</tbody></table>`
        : '';
      if (rep.created) {
        await v.refreshOrders();
        v.render(false);
      }
    });
  }
}

// ---- failed stops -------------------------------------------------------

const afterFailure = ['failed', 'reattempt_scheduled', 'redirected', 'returned'];

export class FailedPanel {
  constructor(view, el) {
    this.view = view;
    this.el = el;
    el.addEventListener('click', (e) => this.onClick(e));
  }

  async render() {
    const v = this.view;
    if (!v.station) return;
    this.el.innerHTML = '<h2>Failed stops</h2><p role="status">Loading…</p>';
    try {
      const q = afterFailure.map((s) => `status=${s}`).join('&');
      const list = (await v.api.all(`/v1/orders?station_id=${encodeURIComponent(v.station.id)}&${q}`)).filter((o) => o.attempts > 0 && o.failure_reason);
      this.list = list;
      this.draw();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) this.el.innerHTML = `<h2>Failed stops</h2><p class="verdict bad">${esc(describe(err))}</p>`;
    }
  }

  draw() {
    const v = this.view;
    const pp = (id) => {
      const p = (v.station.pickup_points || []).find((x) => x.id === id);
      return p ? `${p.name} (${p.kind === 'locker' ? 'locker' : 'pickup point'})` : id;
    };
    const policy = v.station.failure_policy || {};
    const rows = this.list.map((o) => `<tr>
        <td>${esc(o.external_id)}</td><td>${esc(o.recipient ? o.recipient.name : '')}</td>
        <td>${esc(o.failure_reason.replace(/_/g, ' '))}</td><td class="num">${o.attempts}</td>
        <td><span class="status ${esc(o.status)}">${esc(o.status.replace(/_/g, ' '))}</span>
          ${o.status === 'reattempt_scheduled' ? ` on ${esc(o.service_date)}` : ''}${o.status === 'redirected' && o.redirect_to ? ` to ${esc(pp(o.redirect_to))}` : ''}</td>
        <td>${o.status === 'reattempt_scheduled' ? `<button type="button" class="secondary" data-act="cancel" data-order="${esc(o.id)}">Cancel the reattempt</button>` : ''}
          ${o.status === 'redirected' ? `<button type="button" class="secondary" data-act="take-back" data-order="${esc(o.id)}">Take back to the station</button>` : ''}</td>
      </tr>`).join('');
    this.el.innerHTML = `<h2>Failed stops</h2>
      <p class="muted">A failed attempt follows the station's failure policy at once
        (${esc(policy.action || 'reattempt')}, at most ${policy.max_attempts || 1} attempt${policy.max_attempts === 1 ? '' : 's'}${policy.redirect_to ? `, redirect to ${esc(pp(policy.redirect_to))}` : ''}):
        reattempts are planned on their new date; refused or damaged parcels and used-up attempts come back to the station.</p>
      <div id="failed-status" role="status" aria-live="polite"></div>
      ${this.list.length ? `<table><thead><tr><th scope="col">Order</th><th scope="col">Recipient</th><th scope="col">Reason</th><th scope="col">Attempts</th><th scope="col">Now</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No failed stops.</p>'}`;
  }

  async onClick(e) {
    const b = e.target.closest('[data-act=cancel], [data-act=take-back]');
    if (!b) return;
    const status = this.el.querySelector('#failed-status');
    const cancel = b.dataset.act === 'cancel';
    await busy(b, status, cancel ? 'Cancelling…' : 'Recording the return…', async () => {
      await this.view.api.post(`/v1/orders/${encodeURIComponent(b.dataset.order)}/status`, { status: cancel ? 'cancelled' : 'returned' });
      await this.render();
      this.el.querySelector('#failed-status').innerHTML = `<p class="verdict ok">${cancel ? 'Reattempt cancelled.' : 'Parcel taken back to the station.'}</p>`;
    });
  }
}

// ---- KPIs ---------------------------------------------------------------

/** An SVG ring showing a rate 0..1. */
function ring(rate, label) {
  const r = 34;
  const c = 2 * Math.PI * r;
  const pct = Math.round((rate || 0) * 1000) / 10;
  return `<svg viewBox="0 0 90 90" role="img" aria-label="${esc(label)}: ${pct}%">
    <circle cx="45" cy="45" r="${r}" fill="none" stroke="#e5e7eb" stroke-width="10"></circle>
    <circle cx="45" cy="45" r="${r}" fill="none" stroke="#15803d" stroke-width="10" stroke-dasharray="${(c * (rate || 0)).toFixed(1)} ${c.toFixed(1)}" transform="rotate(-90 45 45)"></circle>
    <text x="45" y="50" text-anchor="middle" font-size="16" font-weight="700" fill="#1b1f24">${pct}%</text></svg>`;
}

/** A horizontal SVG bar chart of [label, value] pairs. */
function bars(pairs, label, fmt = (x) => String(x)) {
  if (!pairs.length) return '<p class="muted">no data</p>';
  const max = Math.max(...pairs.map((p) => p[1]), 1);
  const h = 22;
  const rows = pairs.map(([k, val], i) => `<g transform="translate(0 ${i * h})">
      <text x="0" y="15" font-size="12" fill="#1b1f24">${esc(k)}</text>
      <rect x="110" y="4" width="${Math.max(1, (val / max) * 170).toFixed(1)}" height="14" fill="#0b5cad"></rect>
      <text x="${(115 + (val / max) * 170).toFixed(1)}" y="15" font-size="12" fill="#1b1f24">${esc(fmt(val))}</text></g>`).join('');
  return `<svg viewBox="0 0 340 ${pairs.length * h + 4}" role="img" aria-label="${esc(label)}">${rows}</svg>`;
}

export class KpiPanel {
  constructor(view, el) {
    this.view = view;
    this.el = el;
  }

  async render() {
    const v = this.view;
    if (!v.station) return;
    this.el.innerHTML = `<h2>KPIs for ${esc(v.date)}</h2><p role="status">Loading…</p>`;
    let k;
    try {
      k = await v.api.get(`/v1/stations/${encodeURIComponent(v.station.id)}/kpis?date=${v.date}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) this.el.innerHTML = `<h2>KPIs</h2><p class="verdict bad">${esc(describe(err))}</p>`;
      return;
    }
    const card = (title, value, extra = '') => `<div class="kpi"><div class="muted">${title}</div><div class="v">${value}</div>${extra}</div>`;
    const reasons = Object.entries(k.failure_reasons || {}).sort((a, b) => b[1] - a[1]).map(([r, n]) => [r.replace(/_/g, ' '), n]);
    const plan = v.published;
    const perRoute = plan ? plan.routes.filter((r) => r.stops.some((s) => s.order_id)).map((r) => [v.vehicleName(r.vehicle_id), Math.round(r.distance_m / 100) / 10]) : [];
    const cards = [
      card('On-time rate', k.delivered ? '' : '—', k.delivered ? ring(k.on_time_rate, 'On-time rate') : '<div class="muted">no deliveries yet</div>'),
      card('First-attempt success', k.attempts ? '' : '—', k.attempts ? ring(k.first_attempt_rate, 'First-attempt success') : '<div class="muted">no attempts yet</div>'),
      card('Deliveries', String(k.delivered), `<div class="muted">${k.failed} failed of ${k.attempts} attempt${k.attempts === 1 ? '' : 's'}</div>`),
      card('Cost per delivery', k.delivered ? fmtMoney(k.cost_per_delivery) : '—', '<div class="muted">planned route cost / deliveries</div>'),
      card('Planned km', k.km !== undefined ? `${k.km.toFixed(1)} km` : '—', `<div class="muted">${(k.km_per_stop || 0).toFixed(2)} km per stop</div>`),
      card('CO₂', k.co2_kg !== undefined ? `${k.co2_kg.toFixed(1)} kg` : '—', '<div class="muted">estimated from planned km</div>'),
      card('Routes', String(k.routes), `<div class="muted">${k.planned_stops} planned stops, ${(k.stops_per_route_hour || 0).toFixed(1)} per route-hour</div>`),
    ];
    this.el.innerHTML = `<h2>KPIs for ${esc(v.date)}</h2>
      <div class="kpi-grid">${cards.join('')}</div>
      <div class="row" style="align-items:flex-start">
        <div class="card" style="flex:1 1 16rem"><h3>Failure reasons</h3>${bars(reasons, 'Failure reasons')}</div>
        <div class="card" style="flex:1 1 16rem"><h3>Planned km per route</h3>${bars(perRoute, 'Planned km per route', (x) => `${x} km`)}</div>
      </div>`;
  }
}

// ---- drivers ------------------------------------------------------------

export class DriversPanel {
  constructor(view, el) {
    this.view = view;
    this.el = el;
    el.addEventListener('click', (e) => this.onClick(e));
  }

  render() {
    const v = this.view;
    if (!v.station) return;
    const rows = [...v.drivers.values()].map((d) => `<tr><td>${esc(d.name)}</td><td>${d.active ? 'active' : 'inactive'}</td>
      <td><button type="button" class="secondary" data-act="link" data-driver="${esc(d.id)}">Create sign-in link</button></td></tr>`).join('');
    this.el.innerHTML = `<h2>Drivers</h2>
      <p class="muted">A sign-in link holds a new driver key bound to that driver: it sees only their routes. Send it to the driver's phone; it is shown once.</p>
      <div id="link-out" role="status" aria-live="polite"></div>
      <table><thead><tr><th scope="col">Driver</th><th scope="col">State</th><th scope="col">Driver app</th></tr></thead><tbody>${rows || '<tr><td colspan="3">No drivers at this station.</td></tr>'}</tbody></table>`;
  }

  async onClick(e) {
    const b = e.target.closest('[data-act=link]');
    if (!b) return;
    const v = this.view;
    const d = v.drivers.get(b.dataset.driver);
    const out = this.el.querySelector('#link-out');
    await busy(b, out, 'Creating a driver key…', async () => {
      const k = await v.api.post('/v1/api-keys', { name: `driver app: ${d.name}`, role: 'driver', driver_id: d.id, stations: [v.station.id] });
      const url = `${location.origin}/driver/#key=${encodeURIComponent(k.secret)}`;
      out.innerHTML = `<div class="card"><p>Sign-in link for <strong>${esc(d.name)}</strong> (key ${esc(k.prefix)}…, shown once):</p>
        <p><code class="key" id="driver-link">${esc(url)}</code></p>
        <button type="button" class="secondary" data-act="copy">Copy link</button></div>`;
      out.querySelector('[data-act=copy]').addEventListener('click', () => navigator.clipboard && navigator.clipboard.writeText(url));
    });
  }
}

