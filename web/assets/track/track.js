// Recipient tracking page (/t/{token}): one delivery's status, timeline
// and live ETA window, the van on a map while this stop is its next one,
// the proof of delivery, and the changes the recipient may still make.
// Needs no key: the token in the address is the credential.

import { createMap } from '/assets/common/map.js';

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.pathname.split('/')[2] || '');
const base = '/v1/track/' + encodeURIComponent(token);

let view = null;
let mapState = null; // {map, marker}

const TITLES = {
  pending: 'Order received',
  planned: 'Scheduled for delivery',
  loaded: 'Loaded in the van',
  out_for_delivery: 'Out for delivery',
  arrived: 'The driver is at your door',
  delivered: 'Delivered',
  failed: 'Delivery attempt failed',
  reattempt_scheduled: 'We will try again',
  redirected: 'Sent to a pickup point',
  returned: 'Returned to the sender',
  cancelled: 'Cancelled',
};
// How past statuses read in the history.
const HISTORY = { ...TITLES, arrived: 'Driver at the door', out_for_delivery: 'Left the depot with your parcel' };
const VAN_SVG = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">' +
  '<path fill="#fff" d="M2 6h12v9H2zM14 9h4l3 3v3h-7z"/><circle cx="6" cy="17" r="2" fill="#fff"/><circle cx="17" cy="17" r="2" fill="#fff"/></svg>';
const RETURN_TITLES = { out_for_delivery: 'Driver on the way to collect', arrived: 'The driver is at your door', delivered: 'Collected' };
const REASONS = {
  not_home: 'nobody was home', wrong_address: 'the address could not be found', access_denied: 'the driver could not get access',
  refused: 'the parcel was refused', damaged: 'the parcel was damaged', otp_mismatch: 'the delivery code did not match',
};

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const fmtTime = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const fmtDay = (d) => new Date(d + (d.length === 10 ? 'T12:00:00' : '')).toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long' });
const fmtWhen = (iso) => new Date(iso).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

async function load() {
  let res;
  try {
    res = await fetch(base, { cache: 'no-store' });
  } catch {
    $('loading').textContent = 'No connection. This page updates when you are back online.';
    return false;
  }
  if (res.status === 404) {
    $('loading').hidden = true;
    $('missing').hidden = false;
    return false;
  }
  if (!res.ok) {
    $('loading').textContent = 'The tracking service is not answering right now. Try again in a minute.';
    return false;
  }
  render(await res.json());
  return true;
}

function render(v) {
  view = v;
  $('loading').hidden = true;
  $('content').hidden = false;
  $('reference').textContent = `${v.kind === 'return' ? 'Collection' : 'Parcel'} ${v.external_id}`;
  const title = (v.kind === 'return' && RETURN_TITLES[v.status]) || TITLES[v.status] || v.status;
  $('status-title').textContent = title;
  document.title = `${title} · ${v.external_id}`;
  renderETA(v);
  renderMap(v.vehicle || null);
  renderPOD(v);
  renderActions(v);
  $('timeline').replaceChildren(...v.timeline.slice().reverse().map((t) => h('li', {},
    h('strong', {}, HISTORY[t.status] || t.status), h('time', { datetime: t.at }, fmtWhen(t.at)))));
}

function renderETA(v) {
  const detail = $('status-detail');
  const note = $('eta-note');
  note.textContent = '';
  switch (v.status) {
    case 'out_for_delivery':
    case 'arrived':
      if (v.status === 'arrived') {
        detail.textContent = 'Now';
      } else if (v.eta_window) {
        detail.textContent = `Arriving between ${fmtTime(v.eta_window.earliest)} and ${fmtTime(v.eta_window.latest)}`;
      } else if (v.eta) {
        detail.textContent = `Expected around ${fmtTime(v.eta)}`;
      } else {
        detail.textContent = `On its way today`;
      }
      if (v.status === 'out_for_delivery' && v.stops_away !== undefined && v.stops_away !== null) {
        note.textContent = v.stops_away === 0 ? `You are the next stop${v.driver ? ` — ${v.driver} is on the way` : ''}.`
          : `${v.stops_away} stop${v.stops_away === 1 ? '' : 's'} before yours.`;
      }
      break;
    case 'delivered':
      detail.textContent = v.delivered_at ? `${fmtWhen(v.delivered_at)}` : 'Delivered';
      break;
    case 'reattempt_scheduled':
      detail.textContent = `Next attempt: ${fmtDay(v.service_date)}`;
      note.textContent = v.failure_reason ? `Last attempt: ${REASONS[v.failure_reason] || v.failure_reason}.` : '';
      break;
    case 'redirected':
      detail.textContent = v.redirect_to ? `Collect it at ${v.redirect_to.name}` : 'Collect it at the pickup point';
      note.textContent = [v.redirect_to && v.redirect_to.address, v.failure_reason ? `Delivery failed: ${REASONS[v.failure_reason] || v.failure_reason}.` : '']
        .filter(Boolean).join(' · ');
      break;
    case 'returned':
    case 'failed':
      detail.textContent = v.failure_reason ? `Because ${REASONS[v.failure_reason] || v.failure_reason}` : '';
      break;
    case 'cancelled':
      detail.textContent = '';
      break;
    default:
      if (v.window) {
        detail.textContent = `${fmtDay(v.window.start)}, ${fmtTime(v.window.start)}–${fmtTime(v.window.end)}`;
      } else {
        detail.textContent = fmtDay(v.service_date);
      }
      if (v.eta) note.textContent = `Planned around ${fmtTime(v.eta)}; you will get a narrower window when the van leaves.`;
      if (v.redirect_to) note.textContent = `To collect at ${v.redirect_to.name}${v.redirect_to.address ? ', ' + v.redirect_to.address : ''}.`;
  }
}

async function renderMap(vehicle) {
  const box = $('map-box');
  if (!vehicle || typeof L === 'undefined') {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const ll = [vehicle.lat, vehicle.lon];
  if (!mapState) {
    mapState = { pending: true };
    const { map } = await createMap($('map'), { center: ll, zoom: 16 });
    const icon = L.divIcon({ className: 'van', html: VAN_SVG, iconSize: [30, 30] });
    mapState = { map, marker: L.marker(ll, { icon, title: 'Delivery van', alt: 'Delivery van', keyboard: false }).addTo(map) };
    if (mapState.next) { const n = mapState.next; mapState.next = null; renderMap(n); }
    return;
  }
  if (mapState.pending) { mapState.next = vehicle; return; }
  mapState.marker.setLatLng(ll);
  mapState.map.panTo(ll, { animate: true });
  mapState.map.invalidateSize();
}

function renderPOD(v) {
  const box = $('pod');
  if (v.status !== 'delivered' || !v.pod) { box.hidden = true; return; }
  box.hidden = false;
  const rows = [['Handed over', fmtWhen(v.pod.at)]];
  if (v.pod.signed) rows.push(['Signature', 'Signed at the door']);
  if (v.pod.otp_verified) rows.push(['Delivery code', 'Checked']);
  rows.push(['Photos', String(v.pod.photos)]);
  $('pod-info').replaceChildren(...rows.flatMap(([k, val]) => [h('dt', {}, k), h('dd', {}, val)]));
  $('pod-photos').replaceChildren(...(v.pod.photo_urls || []).map((u, i) =>
    h('img', { src: u, alt: `Photo ${i + 1} of the delivered parcel`, loading: 'lazy' })));
}

function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function renderActions(v) {
  const box = $('actions');
  const acts = new Set(v.actions || []);
  box.hidden = acts.size === 0;
  for (const a of ['instructions', 'safe_place', 'reschedule', 'redirect']) $('form-' + a).hidden = !acts.has(a);
  const active = document.activeElement;
  if (active !== $('safe_place')) $('safe_place').value = v.safe_place || '';
  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  const last = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 14);
  $('reschedule_date').min = isoDay(tomorrow);
  $('reschedule_date').max = isoDay(last);
  const sel = $('redirect_to');
  const points = v.pickup_points || [];
  $('form-redirect').hidden = !acts.has('redirect') || points.length === 0;
  if (sel.options.length !== points.length + 1) {
    sel.replaceChildren(h('option', { value: '' }, 'Choose a place…'),
      ...points.map((p) => h('option', { value: p.id }, `${p.name}${p.kind ? ' (' + p.kind.replace('_', ' ') + ')' : ''}${p.address ? ' — ' + p.address : ''}`)));
  }
}

const CONFIRM = {
  instructions: () => 'Saved: the driver will see your instructions.',
  safe_place: (v) => v.safe_place ? `Saved: the driver may leave it ${v.safe_place}.` : 'Safe place removed.',
  reschedule: (v) => `Done: your delivery is now planned for ${fmtDay(v.service_date)}.`,
  redirect: (v) => `Done: your parcel goes to ${v.redirect_to ? v.redirect_to.name : 'the pickup point'}.`,
};

for (const form of document.querySelectorAll('#actions form')) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const action = form.dataset.action;
    const out = $('action-result');
    const body = {};
    if (action === 'instructions') body.instructions = $('instructions').value;
    if (action === 'safe_place') body.safe_place = $('safe_place').value;
    if (action === 'reschedule') {
      if (!$('reschedule_date').value) { show(out, 'bad', 'Choose a day.'); $('reschedule_date').focus(); return; }
      body.reschedule_date = $('reschedule_date').value;
    }
    if (action === 'redirect') {
      if (!$('redirect_to').value) { show(out, 'bad', 'Choose a pickup point or locker.'); $('redirect_to').focus(); return; }
      body.redirect_to = $('redirect_to').value;
    }
    const btn = form.querySelector('button');
    btn.disabled = true;
    try {
      const res = await fetch(base + '/actions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const data = await res.json().catch(() => null);
      if (!res.ok) {
        const err = (data && data.error) || {};
        const msg = res.status === 409 ? `Too late to change this: ${err.message || 'the van has left with your parcel'}.`
          : `Not saved: ${err.message || 'the service did not answer (' + res.status + ')'}.`;
        show(out, 'bad', msg);
        const field = { reschedule_date: 'reschedule_date', redirect_to: 'redirect_to', instructions: 'instructions', safe_place: 'safe_place' }[err.field];
        if (field) { $(field).setAttribute('aria-invalid', 'true'); $(field).focus(); }
        return;
      }
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      render(data);
      show(out, 'ok', CONFIRM[action](data));
    } catch {
      show(out, 'bad', 'Not saved: no connection. Try again when you are online.');
    } finally {
      btn.disabled = false;
    }
  });
}

function show(el, kind, text) {
  el.className = 'result ' + kind;
  el.textContent = text;
}

// Live updates: the stream sends the whole view first, then ETA windows
// and status changes; a status change reloads the view (timeline, proof).
function listen() {
  if (!('EventSource' in window)) return;
  const es = new EventSource(base + '/stream');
  es.addEventListener('open', () => { $('live').textContent = 'Live: this page updates by itself.'; });
  es.addEventListener('error', () => { $('live').textContent = 'Reconnecting…'; });
  es.addEventListener('track', (e) => render(JSON.parse(e.data)));
  es.addEventListener('eta', (e) => {
    if (!view) return;
    const d = JSON.parse(e.data);
    view.eta = d.eta;
    view.eta_window = { earliest: d.earliest, latest: d.latest };
    view.stops_away = d.stops_away;
    view.vehicle = d.vehicle || null;
    renderETA(view);
    renderMap(view.vehicle);
  });
  es.addEventListener('status', () => load());
}

if (token.length < 20) {
  $('loading').hidden = true;
  $('missing').hidden = false;
} else {
  load().then((ok) => { if (ok) listen(); });
}
