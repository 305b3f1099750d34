// Dispatcher console: sign-in, station and date, then the day's plan on a
// map and in panels. State lives in one object; panels re-render from it.
import { Api, ApiError, takeKey, saveKey, forgetKey, watchOnline } from '/assets/common/api.js';
import { createMap } from '/assets/common/map.js';
import { DayView } from '/console/day.js';

const APP = 'console';
const $ = (id) => document.getElementById(id);

performance.mark('lm-start');

const ui = {
  error(err) {
    const el = $('error');
    if (!err) {
      el.hidden = true;
      el.textContent = '';
      return;
    }
    el.textContent = err instanceof ApiError ? err.describe() : String(err.message || err);
    el.hidden = false;
  },
};

let api = null;
let view = null;

function showSignIn(reason) {
  if (view) view.stop();
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-reason').textContent = reason || '';
  $('signin-key').focus();
}

async function signIn(key) {
  let accepted = false;
  api = new Api({
    key,
    onUnauthorized: () => {
      forgetKey(APP);
      showSignIn(accepted
        ? 'Your session has expired or the key was revoked: sign in again.'
        : 'This API key is unknown or revoked: check it and try again.');
    },
  });
  let stations;
  try {
    stations = await api.all('/v1/stations');
  } catch (err) {
    if (err.status === 401) return;
    if (err.status === 403) {
      showSignIn('This key may not use the console: a dispatcher or admin key is needed.');
      return;
    }
    showSignIn(err instanceof ApiError ? err.describe() : String(err));
    return;
  }
  accepted = true;
  saveKey(APP, key);
  $('signin').hidden = true;
  $('app').hidden = false;
  ui.error(null);
  const sel = $('station');
  sel.replaceChildren(...stations.map((s) => new Option(s.name || s.id, s.id)));
  const remembered = localStorage.getItem('lastmile.console.station');
  if (remembered && stations.some((s) => s.id === remembered)) sel.value = remembered;
  if (!$('date').value) {
    const st = stations.find((s) => s.id === sel.value);
    $('date').value = localDate(st && st.time_zone);
  }
  if (!stations.length) {
    ui.error(new Error('No station is visible to this key: an admin creates stations (POST /v1/stations).'));
  }
  if (!view) {
    const { map, cfg } = await createMap($('map'));
    view = new DayView({ api, map, mapCfg: cfg, ui, $ });
  }
  view.api = api;
  await reload(stations);
}

async function reload(stations) {
  const id = $('station').value;
  if (!id) return;
  localStorage.setItem('lastmile.console.station', id);
  const list = stations || (view && view.stations) || [];
  await view.load(list.find((s) => s.id === id) || { id }, $('date').value, list);
}

/** Today's date (YYYY-MM-DD) in a time zone (default: the browser's). */
function localDate(tz) {
  try {
    // The Swedish locale writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('sv-SE', { timeZone: tz || undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  } catch {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  }
}

function tabs() {
  const list = [...document.querySelectorAll('[role=tab]')];
  const select = (tab) => {
    for (const t of list) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (view) view.shown(tab.id.replace('tab-', ''));
  };
  for (const t of list) {
    t.addEventListener('click', () => select(t));
    t.addEventListener('keydown', (e) => {
      const i = list.indexOf(t);
      let n = -1;
      if (e.key === 'ArrowRight') n = (i + 1) % list.length;
      if (e.key === 'ArrowLeft') n = (i - 1 + list.length) % list.length;
      if (e.key === 'Home') n = 0;
      if (e.key === 'End') n = list.length - 1;
      if (n >= 0) {
        e.preventDefault();
        list[n].focus();
        select(list[n]);
      }
    });
  }
  return select;
}

function main() {
  watchOnline($('offline'));
  const selectTab = tabs();
  window.lmSelectTab = (name) => selectTab($('tab-' + name));
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn($('signin-key').value.trim());
  });
  $('signout').addEventListener('click', () => {
    forgetKey(APP);
    showSignIn('Signed out.');
  });
  $('station').addEventListener('change', () => reload());
  $('date').addEventListener('change', () => reload());
  window.addEventListener('error', (e) => ui.error(e.error || new Error(e.message)));
  window.addEventListener('unhandledrejection', (e) => ui.error(e.reason));
  const key = takeKey(APP);
  if (key) signIn(key);
  else showSignIn('');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
