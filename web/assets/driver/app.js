// lastmile driver app: sign in with a driver key, load the van by scanning,
// drive the stops in sequence with navigation links, and close each stop
// with a proof of delivery or a failed attempt. Every change goes through
// the outbox (outbox.js), so the app works the same offline.

import { Outbox, multipart } from './outbox.js';
import { downscale, SignaturePad } from './pod.js';
import { scannerSupport, Scanner } from './scan.js';

const KEY = 'lastmile.driver.key';
const $ = (id) => document.getElementById(id);

const state = {
  key: localStorage.getItem(KEY) || '',
  me: null, // GET /v1/me/routes
  manifest: null,
  manifestCachedAt: '',
  routeId: '',
  stopId: '',
  pos: null, // last geolocation fix
  watch: null,
  lastSent: 0,
  photos: [], // {blob, url}
  formFor: '', // the stop whose proof or failure form is being filled
  padSized: false,
  pending: [], // actions in the outbox
  scanner: null,
};

const outbox = new Outbox({ key: () => state.key });

// h builds an element; text is always set as text, never as HTML.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const STATUS_TEXT = {
  pending: 'Not planned', planned: 'To load', loaded: 'Loaded', out_for_delivery: 'To deliver', arrived: 'Arrived',
  delivered: 'Delivered', failed: 'Failed', reattempt_scheduled: 'Failed: tries again tomorrow', redirected: 'Failed: to pickup point',
  returned: 'Failed: back to station', cancelled: 'Cancelled',
};
const DONE = new Set(['delivered', 'failed', 'reattempt_scheduled', 'redirected', 'returned', 'cancelled']);
const REASONS = {
  not_home: 'Nobody home', access_denied: 'No access', wrong_address: 'Wrong address', refused: 'Refused',
  damaged: 'Damaged', otp_mismatch: 'Code did not match',
};
const OUTCOMES = {
  reattempt_scheduled: 'the parcel will be delivered again on the next day',
  redirected: 'the parcel goes to the pickup point',
  returned: 'the parcel goes back to the station',
};

function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

let noticeTimer = null;
function notice(text, kind = '') {
  const el = $('notice');
  el.textContent = text;
  el.className = 'banner ' + kind;
  el.hidden = !text;
  clearTimeout(noticeTimer);
  if (text) noticeTimer = setTimeout(() => { el.hidden = true; }, 8000);
}

// ---- API reads ----

class APIError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || 'request failed (' + status + ')');
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
  }
}

async function get(path) {
  let res;
  try {
    res = await fetch(path, { headers: { Authorization: 'Bearer ' + state.key } });
  } catch (err) {
    throw Object.assign(new Error('offline'), { offline: true });
  }
  let body = null;
  try { body = await res.json(); } catch { /* empty */ }
  if (res.status === 401) {
    signedOut('revoked');
    throw new APIError(401, body);
  }
  if (!res.ok) throw new APIError(res.status, body);
  return { data: body, cachedAt: res.headers.get('X-Lastmile-Cached') || '' };
}

// ---- sign in ----

function readKeyFromURL() {
  const m = /(?:^#|&)key=([^&#/]+)/.exec(location.hash);
  if (!m) return;
  state.key = decodeURIComponent(m[1]).trim();
  localStorage.setItem(KEY, state.key);
  history.replaceState(null, '', location.pathname + location.search + '#/');
}

function signedOut(reason) {
  const why = $('signin-reason');
  if (reason === 'revoked') {
    why.textContent = 'This key has expired or was revoked. Ask your dispatcher for a new one.' +
      (state.pending.length ? ` ${state.pending.length} action(s) stay on this phone and are sent after you sign in again.` : '');
    why.hidden = false;
  } else {
    why.hidden = true;
  }
  state.key = '';
  state.me = null;
  state.manifest = null;
  state.routeId = '';
  localStorage.removeItem(KEY);
  sessionStorage.removeItem('lastmile.driver.opened');
  stopTracking();
  show('signin');
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('signin-key');
  const key = input.value.trim();
  const err = $('signin-error');
  err.textContent = '';
  input.removeAttribute('aria-invalid');
  if (!key.startsWith('lmk_') || key.length < 20) {
    err.textContent = 'A key starts with lmk_ and is longer than that.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  try {
    const res = await fetch('/v1/me/routes', { headers: { Authorization: 'Bearer ' + key } });
    if (res.status === 401) { err.textContent = 'This key is unknown, expired or revoked.'; input.setAttribute('aria-invalid', 'true'); return; }
    if (res.status === 403) { err.textContent = 'This is not a driver key.'; input.setAttribute('aria-invalid', 'true'); return; }
  } catch {
    notice('Offline: the key will be checked when the connection is back.', 'warn');
  }
  state.key = key;
  localStorage.setItem(KEY, key);
  input.value = '';
  $('signin-reason').hidden = true;
  outbox.sync();
  location.hash = '#/';
  render();
});

$('signout').addEventListener('click', async () => {
  const n = state.pending.length;
  if (n && !confirm(`${n} action(s) have not been sent yet. Signing out deletes them from this phone. Sign out?`)) return;
  await outbox.clear();
  if ('caches' in window) await caches.delete('lastmile-driver-data');
  signedOut('');
});

// ---- views ----

function show(name) {
  for (const v of ['signin', 'routes', 'route', 'stop']) $('view-' + v).hidden = v !== name;
  $('signout').hidden = name === 'signin';
  if (name !== 'route' && state.scanner) stopCamera();
}

async function render() {
  if (!state.key) { show('signin'); return; }
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === 'route' && parts[1]) {
      state.routeId = parts[1];
      if (!state.manifest || state.manifest.route_id !== parts[1]) await loadManifest();
      if (parts[2] === 'stop' && parts[3]) { state.stopId = parts[3]; show('stop'); renderStop(); }
      else { show('route'); renderRoute(); }
      return;
    }
    await loadRoutes();
  } catch (err) {
    if (err.status === 401) return;
    notice(err.offline ? 'Offline and nothing saved on this phone yet.' : err.message, 'error');
  }
}

async function loadRoutes() {
  show('routes');
  const st = $('routes-status');
  st.textContent = 'Loading…';
  const { data, cachedAt } = await get('/v1/me/routes');
  state.me = data;
  $('title').textContent = data.driver.name || 'Driver';
  $('routes-title').textContent = `Routes for ${data.date}`;
  st.textContent = (cachedAt ? `Saved copy from ${time(cachedAt)}. ` : '') +
    (data.routes.length ? '' : 'No route for you today yet. Check again later or ask your dispatcher.');
  const list = $('routes-list');
  list.replaceChildren(...data.routes.map((r) => h('li', {},
    h('a', { href: '#/route/' + encodeURIComponent(r.route_id) },
      h('strong', {}, r.vehicle_name || r.vehicle_id), ' · ', `${r.stops} stops`, h('br'),
      h('span', { class: 'muted' }, `${time(r.start)}–${time(r.end)} · ${(r.distance_m / 1000).toFixed(1)} km · `,
        r.dispatched_at ? `left the station at ${time(r.dispatched_at)}` : 'not dispatched yet')))));
  if (data.routes.length === 1 && !sessionStorage.getItem('lastmile.driver.opened')) {
    sessionStorage.setItem('lastmile.driver.opened', '1');
    location.hash = '#/route/' + encodeURIComponent(data.routes[0].route_id);
  }
}

function routeInfo() {
  return state.me && state.me.routes.find((r) => r.route_id === state.routeId);
}

async function loadManifest() {
  if (!state.me) {
    try { state.me = (await get('/v1/me/routes')).data; } catch (err) { if (err.status === 401) throw err; }
  }
  if (state.me) $('title').textContent = state.me.driver.name || 'Driver';
  const { data, cachedAt } = await get('/v1/routes/' + encodeURIComponent(state.routeId) + '/manifest');
  state.manifest = mergeClosed(state.manifest, data);
  state.manifestCachedAt = cachedAt;
  startTracking();
}

// mergeClosed keeps, from the previous manifest of the same route, the
// stops that left the route after a failed attempt (the server moves them
// to their next day or to the station), so the driver still sees them.
function mergeClosed(prev, next) {
  if (!prev || prev.route_id !== next.route_id) return next;
  const have = new Set(next.stops.map((s) => s.order_id));
  const gone = prev.stops.filter((s) => !have.has(s.order_id) && DONE.has(s.status) && s.status !== 'delivered');
  if (gone.length === 0) return next;
  next.stops = [...next.stops, ...gone].sort((a, b) => a.seq - b.seq);
  return next;
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    if (!state.routeId || !state.key) return;
    try {
      state.me = (await get('/v1/me/routes')).data;
      await loadManifest();
      rerender();
    } catch { /* offline: keep what we have */ }
  }, 400);
}

function rerender() {
  if (!$('view-route').hidden) renderRoute();
  if (!$('view-stop').hidden) renderStop(true);
}

// displayed returns a stop's status with the actions still waiting in the
// outbox applied, and whether that status is still to be synced.
function displayed(stop) {
  let status = stop.status, waiting = false, failed = null;
  for (const a of state.pending) {
    if (a.orderId !== stop.order_id) continue;
    if (a.state === 'failed') { failed = a; continue; }
    waiting = true;
    if (a.kind === 'arrived') status = 'arrived';
    if (a.kind === 'pod') status = 'delivered';
    if (a.kind === 'failed') status = 'failed';
  }
  return { status, waiting, failed };
}

function statusChip(stop) {
  const d = displayed(stop);
  return h('span', { class: 'status ' + (d.waiting ? 'pending-sync' : d.status) },
    STATUS_TEXT[d.status] || d.status, d.waiting ? ' (waiting to sync)' : '', d.failed ? ' (sync failed)' : '');
}

function renderRoute() {
  const m = state.manifest;
  const info = routeInfo();
  $('route-title').textContent = `${info ? info.vehicle_name || m.vehicle_id : m.vehicle_id} · ${m.date}`;
  $('route-status').textContent = (state.manifestCachedAt ? `Saved copy from ${time(state.manifestCachedAt)}. ` : '') +
    (info && info.dispatched_at ? `Left the station at ${time(info.dispatched_at)}.` : 'Not dispatched yet: load the van.') +
    (m.stops.length && m.stops.every((s) => DONE.has(displayed(s).status)) ? ' All stops done: drive back to the station.' : '');
  const dispatched = !!(info && info.dispatched_at);
  $('load').hidden = dispatched;
  $('load-progress').textContent = `${m.loaded} of ${m.parcels} parcels loaded · ${m.missing.length} missing`;
  $('missing-summary').textContent = `Missing parcels (${m.missing.length})`;
  $('missing-list').replaceChildren(...m.missing.map((b) => h('li', {}, b)));
  const next = m.stops.find((s) => !DONE.has(displayed(s).status));
  $('stops-list').replaceChildren(...m.stops.map((s) => {
    const d = displayed(s);
    const cls = [d.status === 'delivered' ? 'done' : '', DONE.has(d.status) && d.status !== 'delivered' ? 'failed' : '', s === next ? 'next' : ''].join(' ');
    return h('li', { class: cls, 'data-order': s.order_id },
      h('span', { class: 'seq', 'aria-hidden': 'true' }, s.seq),
      h('a', { href: `#/route/${encodeURIComponent(m.route_id)}/stop/${encodeURIComponent(s.order_id)}`,
        'aria-label': `Stop ${s.seq}: ${s.recipient.name}, ${s.address.line1}, ${STATUS_TEXT[d.status] || d.status}${s === next ? ', next stop' : ''}` },
      h('strong', {}, s.recipient.name), s.kind === 'return' ? ' (pickup)' : '', h('br'),
      h('span', {}, s.address.line1), h('br'),
      statusChip(s), ' ', h('span', { class: 'muted' }, 'ETA ' + time(s.eta))));
  }));
  renderTracking();
}

function renderTracking() {
  const el = $('tracking-status');
  const info = routeInfo();
  if (!info || !info.dispatched_at) { el.textContent = ''; return; }
  if (!('geolocation' in navigator)) { el.textContent = 'This phone cannot share its location.'; return; }
  el.textContent = state.pos ? `Location shared (±${Math.round(state.pos.coords.accuracy)} m). ${outbox.positionsNote}` : 'Waiting for the location…';
}

function stopOf(id) {
  return state.manifest && state.manifest.stops.find((s) => s.order_id === id);
}

function address(a) {
  return [a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

let padReady = null;
function renderStop(keepForm) {
  const s = stopOf(state.stopId);
  $('stop-back').href = '#/route/' + encodeURIComponent(state.routeId);
  if (!s) {
    $('stop-title').textContent = 'This stop is no longer on your route';
    $('stop-info').replaceChildren();
    for (const id of ['nav-actions', 'arrived', 'pod-form', 'fail-form']) $(id).hidden = true;
    return;
  }
  const d = displayed(s);
  $('stop-title').textContent = `Stop ${s.seq}: ${s.recipient.name}`;
  $('stop-state').replaceChildren(statusChip(s), ' ', h('span', { class: 'muted' }, 'ETA ' + time(s.eta)));
  const dl = h('dl', { class: 'info' },
    h('dt', {}, 'Address'), h('dd', {}, address(s.address)),
    s.recipient.phone ? [h('dt', {}, 'Phone'), h('dd', {}, h('a', { href: 'tel:' + s.recipient.phone.replace(/[^0-9+]/g, '') }, s.recipient.phone))] : null,
    s.instructions ? [h('dt', {}, 'Instructions'), h('dd', {}, s.instructions)] : null,
    h('dt', {}, 'Parcels'), h('dd', {}, s.parcels.map((p) => p.barcode).join(', ') || '—'),
    s.otp_required ? [h('dt', {}, 'Code'), h('dd', {}, 'The recipient must give their one-time code')] : null);
  $('stop-info').replaceChildren(dl);
  const { lat, lon } = s.address.location;
  $('nav-geo').href = `geo:${lat},${lon}?q=${lat},${lon}`;
  const from = state.pos ? `${state.pos.coords.latitude.toFixed(5)},${state.pos.coords.longitude.toFixed(5)}` : '';
  $('nav-osm').href = `https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=${encodeURIComponent(from + ';' + lat + ',' + lon)}`;
  $('nav-actions').hidden = DONE.has(d.status);
  $('arrived').hidden = d.status !== 'out_for_delivery';
  const atDoor = d.status === 'arrived';
  $('pod-form').hidden = !atDoor;
  $('fail-form').hidden = !atDoor;
  $('pod-otp-box').hidden = !s.otp_required;
  const pickup = s.kind === 'return';
  $('pod-title').textContent = pickup ? 'Proof of collection' : 'Proof of delivery';
  $('pod-form').querySelector('button[type=submit]').textContent = pickup ? 'Confirm collection' : 'Confirm delivery';
  const res = $('stop-result');
  if (d.failed) {
    res.className = 'error';
    res.dataset.sync = 'failed';
    res.textContent = `Not accepted by the server: ${d.failed.error.message}. Open the “to sync” list at the top to retry or discard.`;
  } else if (!keepForm || res.dataset.sync === 'failed') {
    delete res.dataset.sync;
    res.textContent = '';
    res.className = '';
  }
  // The forms start empty for each stop, and are never cleared under the
  // driver's fingers by a redraw.
  if (state.formFor !== s.order_id) {
    resetPOD();
    state.formFor = s.order_id;
    state.padSized = false;
  }
  if (atDoor && !padReady) {
    padReady = new SignaturePad($('sig'));
    state.padSized = true;
  } else if (atDoor && !state.padSized) {
    padReady.resize(); // its box was hidden until now
    state.padSized = true;
  }
}

// submit sends an action through the outbox while the driver waits at the
// form. An action refused at once is dropped from the outbox: the form
// shows the reason and the driver corrects it and sends again.
async function submit(action) {
  const res = await outbox.add(action);
  if (res.state === 'failed') {
    await outbox.discard(res.id);
    await refreshPending();
  }
  return res;
}

// ---- loading ----

const SCAN_TEXT = {
  loaded: ['ok', 'Loaded ✓'],
  duplicate: ['info', 'Already scanned'],
  missort: ['bad', 'MIS-SORT: not for this route. Take it off.'],
  unknown: ['bad', 'Unknown barcode: set it aside.'],
  not_planned: ['bad', 'Not on any route today: set it aside.'],
};

function showScan(barcode, r) {
  const [cls, text] = SCAN_TEXT[r.result] || ['info', r.result];
  const el = $('scan-result');
  el.className = 'scan-result ' + cls;
  el.textContent = `${barcode}: ${text}` + (r.result === 'missort' && r.route_id ? ` (route ${r.route_id})` : '') +
    ` · ${state.manifest.missing.length} missing`;
  if (navigator.vibrate) navigator.vibrate(cls === 'ok' ? 60 : [120, 60, 120]);
}

function applyScan(r) {
  const m = state.manifest;
  if (!m || (r.result !== 'loaded' && r.result !== 'duplicate')) return;
  const i = m.missing.indexOf(r.barcode);
  if (i >= 0) { m.missing.splice(i, 1); m.loaded++; }
  const s = m.stops.find((x) => x.order_id === r.order_id);
  if (s && r.order_status) s.status = r.order_status;
}

async function scan(barcode) {
  barcode = barcode.trim();
  if (!barcode) return;
  const el = $('scan-result');
  if (barcode.length > 64) { el.className = 'scan-result bad'; el.textContent = 'A barcode has at most 64 characters.'; return; }
  const m = state.manifest;
  el.className = 'scan-result info';
  el.textContent = `${barcode}: checking…`;
  const res = await submit({
    kind: 'scan', group: 'route:' + m.route_id, routeId: m.route_id, barcode, label: `Scan ${barcode}`,
    method: 'POST', path: `/v1/routes/${encodeURIComponent(m.route_id)}/scans`, contentType: 'application/json',
    body: JSON.stringify({ barcode }),
  });
  if (res.state === 'done') {
    applyScan(res.data);
    renderRoute();
    showScan(barcode, res.data);
  } else if (res.state === 'queued') {
    el.className = 'scan-result info';
    el.textContent = `${barcode}: saved on the phone, checked when back online.`;
  } else if (res.state === 'failed') {
    el.className = 'scan-result bad';
    el.textContent = `${barcode}: ${res.error.message}`;
  }
}

$('scan-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('scan-input');
  const v = input.value;
  input.value = '';
  input.focus();
  scan(v);
});

async function startCamera() {
  const sup = await scannerSupport();
  if (!sup.supported) { notice('Camera scanning is not available: ' + sup.reason, 'warn'); return; }
  state.scanner = new Scanner($('camera-video'), sup.formats, (code) => scan(code));
  $('camera').hidden = false;
  $('camera-scan').hidden = true;
  try {
    await state.scanner.start();
  } catch (err) {
    stopCamera();
    notice('The camera could not start: ' + err.message, 'error');
  }
}

function stopCamera() {
  if (state.scanner) state.scanner.stop();
  state.scanner = null;
  $('camera').hidden = true;
  scannerSupport().then((s) => { $('camera-scan').hidden = !s.supported; });
}

$('camera-scan').addEventListener('click', startCamera);
$('camera-stop').addEventListener('click', stopCamera);

// ---- at the stop ----

function position() {
  if (!state.pos || Date.now() - state.pos.timestamp > 120000) return null;
  return { lat: state.pos.coords.latitude, lon: state.pos.coords.longitude };
}

function applyOrder(o) {
  const s = o && stopOf(o.id);
  if (s) s.status = o.status;
}

$('arrived').addEventListener('click', async () => {
  const s = stopOf(state.stopId);
  const body = { status: 'arrived' };
  const p = position();
  if (p) body.position = p;
  const btn = $('arrived');
  btn.disabled = true;
  const res = await submit({
    kind: 'arrived', group: 'order:' + s.order_id, orderId: s.order_id, label: `Arrival at stop ${s.seq} (${s.recipient.name})`,
    method: 'POST', path: `/v1/orders/${encodeURIComponent(s.order_id)}/status`, contentType: 'application/json', body: JSON.stringify(body),
  });
  btn.disabled = false;
  if (res.state === 'done') applyOrder(res.data);
  await refreshPending();
  renderStop();
  if (res.state === 'failed') notice(res.error.message, 'error');
});

function resetPOD() {
  for (const p of state.photos) URL.revokeObjectURL(p.url);
  state.photos = [];
  $('pod-photos').replaceChildren();
  $('pod-name').value = '';
  $('pod-otp').value = '';
  $('pod-error').textContent = '';
  $('fail-error').textContent = '';
  for (const r of document.querySelectorAll('input[name=reason]')) r.checked = false;
  if (padReady) padReady.clear();
}

function renderPhotos() {
  $('pod-photos').replaceChildren(...state.photos.map((p, i) => h('li', {},
    h('img', { src: p.url, alt: `Photo ${i + 1} (${p.width}×${p.height})` }),
    h('button', { type: 'button', class: 'secondary', onclick: () => { URL.revokeObjectURL(p.url); state.photos.splice(i, 1); renderPhotos(); } }, 'Remove'))));
  $('pod-photo').previousElementSibling.textContent = state.photos.length ? 'Take another photo' : 'Take a photo';
}

$('pod-photo').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  e.target.value = '';
  if (!file) return;
  if (state.photos.length >= 5) { $('pod-error').textContent = 'At most 5 photos.'; return; }
  try {
    const { blob, width, height } = await downscale(file);
    state.photos.push({ blob, width, height, url: URL.createObjectURL(blob) });
    $('pod-error').textContent = '';
    renderPhotos();
  } catch (err) {
    $('pod-error').textContent = 'Photo: ' + err.message;
  }
});

$('sig-clear').addEventListener('click', () => padReady && padReady.clear());

$('pod-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const s = stopOf(state.stopId);
  const err = $('pod-error');
  err.textContent = '';
  const name = $('pod-name').value.trim();
  const otp = $('pod-otp').value.trim();
  const sig = padReady ? await padReady.png() : null;
  if (s.otp_required && !/^[0-9]{6}$/.test(otp)) {
    err.textContent = 'Enter the six-digit code the recipient received.';
    $('pod-otp').focus();
    return;
  }
  if (!name && !sig && state.photos.length === 0) {
    err.textContent = 'Add a photo, a signature or the recipient\'s name.';
    $('pod-name').focus();
    return;
  }
  const fields = [];
  if (name) fields.push(['recipient_name', name]);
  if (s.otp_required) fields.push(['otp', otp]);
  const p = position();
  if (p) fields.push(['lat', String(p.lat)], ['lon', String(p.lon)]);
  const files = state.photos.map((ph, i) => ['photo', ph.blob, `photo-${i + 1}.jpg`]);
  if (sig) files.push(['signature', sig, 'signature.png']);
  const { body, contentType } = multipart(fields, files);
  const btn = e.submitter || e.target.querySelector('button[type=submit]');
  btn.disabled = true;
  const res = await submit({
    kind: 'pod', group: 'order:' + s.order_id, orderId: s.order_id, label: `Proof of delivery, stop ${s.seq} (${s.recipient.name})`,
    method: 'POST', path: `/v1/orders/${encodeURIComponent(s.order_id)}/pod`, contentType, body,
  });
  btn.disabled = false;
  if (res.state === 'failed') {
    err.textContent = `Not accepted: ${res.error.message}` + (res.error.field ? ` (${res.error.field})` : '');
    await refreshPending();
    return;
  }
  if (res.state === 'done') applyOrder(res.data);
  await refreshPending();
  notice(res.state === 'done' ? `Stop ${s.seq} delivered.` : `Stop ${s.seq} delivered: saved on the phone, sent when back online.`, 'ok');
  nextStop();
});

$('fail-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const s = stopOf(state.stopId);
  const reason = (document.querySelector('input[name=reason]:checked') || {}).value;
  if (!reason) { $('fail-error').textContent = 'Choose a reason.'; return; }
  const body = { status: 'failed', reason };
  const p = position();
  if (p) body.position = p;
  const res = await submit({
    kind: 'failed', group: 'order:' + s.order_id, orderId: s.order_id, label: `Failed attempt, stop ${s.seq} (${REASONS[reason]})`,
    method: 'POST', path: `/v1/orders/${encodeURIComponent(s.order_id)}/status`, contentType: 'application/json', body: JSON.stringify(body),
  });
  if (res.state === 'failed') { $('fail-error').textContent = 'Not accepted: ' + res.error.message; await refreshPending(); return; }
  if (res.state === 'done') {
    applyOrder(res.data);
    notice(`Stop ${s.seq}: ${REASONS[reason]} recorded; ${OUTCOMES[res.data.outcome] || res.data.outcome}.` +
      (res.data.outcome_note ? ` ${res.data.outcome_note}` : ''), 'ok');
  } else {
    notice(`Stop ${s.seq}: ${REASONS[reason]} saved on the phone, sent when back online.`, 'warn');
  }
  await refreshPending();
  nextStop();
});

function nextStop() {
  state.formFor = '';
  refreshSoon();
  location.hash = '#/route/' + encodeURIComponent(state.routeId);
}

// ---- positions ----

function startTracking() {
  const info = routeInfo();
  if (!info || !info.dispatched_at || state.watch !== null || !('geolocation' in navigator)) return;
  state.watch = navigator.geolocation.watchPosition((p) => {
    state.pos = p;
    renderTracking();
    if (p.timestamp - state.lastSent < 5000) return;
    state.lastSent = p.timestamp;
    const c = p.coords;
    const fix = { vehicle_id: state.manifest.vehicle_id, at: new Date(p.timestamp).toISOString(), lat: c.latitude, lon: c.longitude };
    if (c.accuracy != null) fix.accuracy_m = Math.min(100000, Math.max(0, c.accuracy));
    if (c.speed != null && !isNaN(c.speed)) fix.speed_ms = Math.min(200, Math.max(0, c.speed));
    if (c.heading != null && !isNaN(c.heading)) fix.bearing = Math.min(360, Math.max(0, c.heading));
    if (c.altitude != null && c.altitude >= -1000 && c.altitude <= 20000) fix.altitude_m = c.altitude;
    outbox.addPosition(fix);
  }, (err) => {
    $('tracking-status').textContent = 'Location not shared: ' + err.message;
  }, { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
}

function stopTracking() {
  if (state.watch !== null) navigator.geolocation.clearWatch(state.watch);
  state.watch = null;
}

// ---- outbox view ----

async function refreshPending() {
  state.pending = await outbox.actions();
}

let queueSig = '';
async function renderQueue() {
  await refreshPending();
  const n = state.pending.length;
  const failed = state.pending.filter((a) => a.state === 'failed').length;
  const btn = $('queue-button');
  btn.hidden = n === 0;
  $('queue-count').textContent = n;
  $('queue-label').textContent = failed ? `to sync · ${failed} failed` : 'to sync';
  if (n === 0) { $('queue').hidden = true; btn.setAttribute('aria-expanded', 'false'); }
  const wait = outbox.nextAt - Date.now();
  $('queue-next').textContent = !navigator.onLine ? 'Offline: sent when the connection is back.' :
    wait > 0 ? `Next attempt in ${Math.ceil(wait / 1000)} s.` : '';
  // Redraw the list only when it changed, so that a tap is never lost to a redraw.
  const sig = JSON.stringify(state.pending.map((a) => [a.id, a.state, a.attempts, a.error && a.error.message, armed.has(a.id)]));
  if (sig === queueSig) return;
  queueSig = sig;
  const blocked = new Set(state.pending.filter((a) => a.state === 'failed').map((a) => a.group));
  const fieldNote = (e) => (e.field && e.field !== 'status' ? ` (${e.field})` : '');
  $('queue-list').replaceChildren(...state.pending.map((a) => h('li', { class: a.state },
    h('span', { class: 'what' }, h('strong', {}, a.label), ' · ', time(a.createdAt), h('br'),
      a.state === 'failed' ? h('span', { class: 'error' }, `Refused${a.attempts > 1 ? ` (${a.attempts} attempts)` : ''}: ${a.error.message}${fieldNote(a.error)}`)
        : h('span', { class: 'muted' }, blocked.has(a.group) ? 'waiting for the refused action above: retry or discard it'
          : a.attempts ? `waiting, ${a.attempts} attempt(s)` : 'waiting')),
    a.state === 'failed' ? h('button', { type: 'button', onclick: () => outbox.retry(a.id) }, 'Retry') : null,
    h('button', { type: 'button', class: 'secondary', 'data-discard': a.id, onclick: (e) => discard(a, e.currentTarget) }, armed.has(a.id) ? 'Tap again to discard' : 'Discard'))));
}

// discard asks for a second tap before dropping an action for good.
const armed = new Map();
async function discard(a, btn) {
  if (!armed.has(a.id)) {
    btn.textContent = 'Tap again to discard';
    btn.setAttribute('aria-live', 'polite');
    armed.set(a.id, setTimeout(() => { armed.delete(a.id); renderQueue(); }, 5000));
    return;
  }
  clearTimeout(armed.get(a.id));
  armed.delete(a.id);
  await outbox.discard(a.id);
  notice(`Discarded: ${a.label}.`, 'warn');
}

$('queue-button').addEventListener('click', () => {
  const q = $('queue');
  q.hidden = !q.hidden;
  $('queue-button').setAttribute('aria-expanded', String(!q.hidden));
  if (!q.hidden) q.querySelector('h2').scrollIntoView();
});
$('queue-sync').addEventListener('click', () => { outbox.failures = 0; outbox.sync(); });

outbox.addEventListener('change', async () => {
  await renderQueue();
  rerender();
});
outbox.addEventListener('unauthorized', () => signedOut('revoked'));
outbox.addEventListener('done', (e) => {
  const { action, data } = e.detail;
  if (action.kind === 'scan') {
    applyScan(data);
    if (!$('view-route').hidden && $('scan-result').textContent.startsWith(action.barcode + ': saved')) showScan(action.barcode, data);
  } else {
    applyOrder(data); // a proof answers the order, a status change the order with its outcome
  }
  refreshSoon();
});
outbox.addEventListener('failed', (e) => {
  // An action the driver is waiting for shows its refusal in its form.
  if (outbox.waiters.has(e.detail.action.id)) return;
  notice(`${e.detail.action.label}: ${e.detail.error.message}`, 'error');
});

function online() {
  $('offline').hidden = navigator.onLine;
  renderQueue();
}
addEventListener('online', () => { online(); refreshSoon(); });
addEventListener('offline', online);
// While a route is open, its dispatch and the stops' changes made by the
// station show up within a minute.
setInterval(() => { if (state.routeId && state.key && navigator.onLine && document.visibilityState === 'visible') refreshSoon(); }, 60000);

addEventListener('hashchange', () => {
  window.scrollTo(0, 0);
  $('main').focus({ preventScroll: true });
  render();
});

// ---- start ----

readKeyFromURL();
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/driver/sw.js', { scope: '/driver/' }).catch((err) => console.warn('service worker', err));
}
await outbox.open();
scannerSupport().then((s) => { $('camera-scan').hidden = !s.supported; });
online();
if (state.key && !location.hash.startsWith('#/')) history.replaceState(null, '', location.pathname + location.search + '#/');
render();
