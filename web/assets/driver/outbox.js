// Outbox of the driver's actions and positions, kept in IndexedDB so that
// nothing is lost offline or when the phone restarts the app.
//
// Every action is a fully built HTTP request (method, path, content type,
// body bytes) with its own Idempotency-Key, stored before it is sent: a
// retry sends the very same bytes with the same key, so the server replays
// its first answer instead of acting twice. Actions are sent one at a time
// in the order they were taken. An action the server refuses (4xx) stops
// the actions of its group (the same stop, or the same route for scans)
// until the driver retries or discards it; a network error or a 5xx stops
// the whole queue until the next attempt, with exponential backoff.

const DB_NAME = 'lastmile-driver';
const DB_VERSION = 1;

export function uid() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function promisify(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openDB() {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains('actions')) db.createObjectStore('actions', { keyPath: 'id', autoIncrement: true });
    if (!db.objectStoreNames.contains('positions')) db.createObjectStore('positions', { keyPath: 'id', autoIncrement: true });
  };
  return promisify(req);
}

async function withStore(db, name, mode, fn) {
  const tx = db.transaction(name, mode);
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
  const out = await fn(tx.objectStore(name));
  await done;
  return out;
}

// multipart builds a multipart/form-data body once, with a fixed boundary,
// so that retries carry the same bytes. fields: [[name, string]], files:
// [[name, Blob, filename]].
export function multipart(fields, files) {
  const boundary = '----lastmile' + uid();
  const parts = [];
  for (const [name, value] of fields) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  }
  for (const [name, blob, filename] of files) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${blob.type || 'application/octet-stream'}\r\n\r\n`, blob, '\r\n');
  }
  parts.push(`--${boundary}--\r\n`);
  return { body: new Blob(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

// errorOf reads the API's error body {"error":{"code","message","field"}}.
async function errorOf(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  const e = (body && body.error) || {};
  return { status: res.status, code: e.code || 'http_' + res.status, message: e.message || res.statusText || 'request failed', field: e.field || '' };
}

const BACKOFF_MIN = 2000;
const BACKOFF_MAX = 60000;

export class Outbox extends EventTarget {
  // key() returns the API key; fetchFn defaults to fetch.
  constructor({ key, fetchFn, positionsEvery = 15000 } = {}) {
    super();
    this.key = key;
    this.fetch = fetchFn || ((...a) => fetch(...a));
    this.db = null;
    this.running = null;
    this.again = false;
    this.failures = 0;
    this.timer = null;
    this.nextAt = 0;
    this.waiters = new Map();
    this.positionsEvery = positionsEvery;
    this.positionsNote = '';
  }

  async open() {
    this.db = await openDB();
    addEventListener('online', () => { this.failures = 0; this.sync(); });
    // Periodic attempts, which wait for the backoff after a failure.
    setInterval(() => { if (Date.now() >= this.nextAt) this.sync(); }, this.positionsEvery);
    this.changed();
    this.sync();
    return this;
  }

  changed() { this.dispatchEvent(new Event('change')); }

  // add stores an action and starts sending. The promise resolves with
  // {state:'done', status, data} once the server accepted it, {state:
  // 'queued'} when it could not be sent now, or {state:'failed', error}.
  async add(action) {
    const rec = { ...action, idem: action.idem || uid(), state: 'pending', attempts: 0, error: null, createdAt: new Date().toISOString() };
    rec.id = await withStore(this.db, 'actions', 'readwrite', (s) => promisify(s.add(rec)));
    const p = new Promise((resolve) => this.waiters.set(rec.id, resolve));
    this.changed();
    this.sync();
    return p;
  }

  async actions() {
    return withStore(this.db, 'actions', 'readonly', (s) => promisify(s.getAll()));
  }

  // retry sends a refused action again. The server keeps its refusal under
  // the old Idempotency-Key and would replay it, so the retry gets a new
  // key: the refused attempt changed nothing, so this cannot act twice.
  async retry(id) {
    await withStore(this.db, 'actions', 'readwrite', async (s) => {
      const rec = await promisify(s.get(id));
      if (rec) { rec.state = 'pending'; rec.error = null; rec.idem = uid(); await promisify(s.put(rec)); }
    });
    this.failures = 0;
    this.changed();
    return this.sync();
  }

  async discard(id) {
    await withStore(this.db, 'actions', 'readwrite', (s) => promisify(s.delete(id)));
    this.settle(id, { state: 'discarded' });
    this.changed();
    this.sync();
  }

  settle(id, result) {
    const w = this.waiters.get(id);
    if (w) { this.waiters.delete(id); w(result); }
  }

  // sync sends what is waiting; concurrent calls share one run.
  sync() {
    if (!this.db) return Promise.resolve();
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      try {
        do { this.again = false; await this.drain(); } while (this.again);
        await this.flushPositions();
      } finally {
        this.running = null;
        this.changed();
      }
    })();
    return this.running;
  }

  schedule() {
    clearTimeout(this.timer);
    if (!navigator.onLine) { this.nextAt = 0; return; } // the online event starts the next attempt
    const delay = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.min(this.failures, 10)) * (0.75 + Math.random() / 2);
    this.failures++;
    this.nextAt = Date.now() + delay;
    this.timer = setTimeout(() => this.sync(), delay);
  }

  async drain() {
    const list = (await this.actions()).sort((a, b) => a.id - b.id);
    const blocked = new Set(list.filter((a) => a.state === 'failed').map((a) => a.group));
    for (const a of list) {
      if (a.state !== 'pending') continue;
      if (blocked.has(a.group)) { // held back behind a refused action of its stop
        this.settle(a.id, { state: 'queued' });
        continue;
      }
      const key = this.key();
      if (!key) { // signed out: everything waits for the next key
        for (const b of list) if (b.state === 'pending') this.settle(b.id, { state: 'queued' });
        return;
      }
      let res;
      try {
        const headers = { Authorization: 'Bearer ' + key, 'Idempotency-Key': a.idem };
        if (a.contentType) headers['Content-Type'] = a.contentType;
        res = await this.fetch(a.path, { method: a.method, headers, body: a.body });
      } catch (err) {
        // Offline or the server is unreachable: keep everything, try later.
        await this.update(a.id, { attempts: a.attempts + 1, lastError: 'network: ' + err.message });
        this.settle(a.id, { state: 'queued' });
        for (const b of list) if (b.id > a.id && b.state === 'pending') this.settle(b.id, { state: 'queued' });
        this.schedule();
        return;
      }
      if (res.status === 401) {
        this.settle(a.id, { state: 'queued' });
        this.dispatchEvent(new Event('unauthorized'));
        return;
      }
      if (res.status >= 500 || res.status === 429 || res.status === 408) {
        const e = await errorOf(res);
        await this.update(a.id, { attempts: a.attempts + 1, lastError: e.message });
        this.settle(a.id, { state: 'queued' });
        this.schedule();
        return;
      }
      if (res.ok) {
        let data = null;
        try { data = await res.json(); } catch { /* empty body */ }
        await withStore(this.db, 'actions', 'readwrite', (s) => promisify(s.delete(a.id)));
        this.failures = 0;
        this.dispatchEvent(new CustomEvent('done', { detail: { action: a, status: res.status, data, replayed: res.headers.get('Idempotent-Replayed') === 'true' } }));
        this.settle(a.id, { state: 'done', status: res.status, data });
        this.changed();
        continue;
      }
      const e = await errorOf(res);
      const fixed = await this.alreadyDone(a, e);
      if (fixed) {
        await withStore(this.db, 'actions', 'readwrite', (s) => promisify(s.delete(a.id)));
        this.dispatchEvent(new CustomEvent('done', { detail: { action: a, status: 200, data: fixed, replayed: false } }));
        this.settle(a.id, { state: 'done', status: 200, data: fixed });
        this.changed();
        continue;
      }
      await this.update(a.id, { state: 'failed', error: e, attempts: a.attempts + 1 });
      blocked.add(a.group);
      this.dispatchEvent(new CustomEvent('failed', { detail: { action: a, error: e } }));
      this.settle(a.id, { state: 'failed', error: e, id: a.id });
      this.changed();
    }
  }

  // alreadyDone checks whether an "arrived" the server refused is moot
  // because the stop already is arrived (the geofence marks arrivals too).
  async alreadyDone(a, e) {
    if (a.kind !== 'arrived' || e.code !== 'illegal_transition') return null;
    try {
      const res = await this.fetch('/v1/orders/' + encodeURIComponent(a.orderId), { headers: { Authorization: 'Bearer ' + this.key() } });
      if (!res.ok) return null;
      const o = await res.json();
      return o.status === 'arrived' ? o : null;
    } catch { return null; }
  }

  async update(id, patch) {
    await withStore(this.db, 'actions', 'readwrite', async (s) => {
      const rec = await promisify(s.get(id));
      if (rec) await promisify(s.put({ ...rec, ...patch }));
    });
  }

  // Positions: buffered here, sent in batches.
  async addPosition(p) {
    await withStore(this.db, 'positions', 'readwrite', (s) => promisify(s.add(p)));
    const n = await this.positionCount();
    if (n >= 20) this.sync();
  }

  async positionCount() {
    return withStore(this.db, 'positions', 'readonly', (s) => promisify(s.count()));
  }

  async flushPositions() {
    const key = this.key();
    if (!key) return;
    for (;;) {
      const batch = await withStore(this.db, 'positions', 'readonly', (s) => promisify(s.getAll(null, 500)));
      if (batch.length === 0) return;
      let res;
      try {
        res = await this.fetch('/v1/positions', {
          method: 'POST',
          headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' },
          body: JSON.stringify({ positions: batch.map(({ id, ...p }) => p) }),
        });
      } catch {
        return; // offline: kept for later
      }
      if (res.status >= 500 || res.status === 429 || res.status === 401) return;
      let note;
      if (res.ok) {
        const r = await res.json();
        note = `${r.accepted} positions sent` + (r.rejected ? `, ${r.rejected} not used` : '');
      } else {
        // 403 (route not dispatched, or not this driver's vehicle) or 422:
        // these positions will never be accepted; drop them.
        note = 'positions not accepted: ' + (await errorOf(res)).message;
      }
      const ids = batch.map((p) => p.id);
      await withStore(this.db, 'positions', 'readwrite', async (s) => { for (const id of ids) await promisify(s.delete(id)); });
      this.positionsNote = note;
      this.changed();
    }
  }

  async clear() {
    await withStore(this.db, 'actions', 'readwrite', (s) => promisify(s.clear()));
    await withStore(this.db, 'positions', 'readwrite', (s) => promisify(s.clear()));
    this.changed();
  }
}
