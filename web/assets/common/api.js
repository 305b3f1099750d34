// Shared API client of lastmile's web apps: API keys (from #key=… or
// localStorage), JSON requests with the API's error shape, and Server-Sent
// Events read with fetch so that the key travels in the Authorization header
// (EventSource cannot send headers, and a key in a URL ends up in logs).

/** An error answered by the API, or a network failure (code "offline"). */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field || '';
  }
  /** A one-line text for people: the API's message and the field it names. */
  describe() {
    return this.field ? `${this.message} (${this.field})` : this.message;
  }
}

const storageKey = (app) => `lastmile.${app}.key`;

/**
 * Returns the API key of an app: a key in the address fragment (#key=lmk_…)
 * is stored and removed from the address bar; otherwise the stored one.
 */
export function takeKey(app) {
  const frag = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromURL = frag.get('key');
  if (fromURL) {
    frag.delete('key');
    const rest = frag.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    saveKey(app, fromURL.trim());
    return fromURL.trim();
  }
  try {
    return localStorage.getItem(storageKey(app)) || '';
  } catch {
    return '';
  }
}

export function saveKey(app, key) {
  try {
    localStorage.setItem(storageKey(app), key);
  } catch {
    /* private mode: the key lives for this page only */
  }
}

export function forgetKey(app) {
  try {
    localStorage.removeItem(storageKey(app));
  } catch {
    /* nothing stored */
  }
}

/** A client of the REST API. onUnauthorized runs on any 401 answer. */
export class Api {
  constructor({ key = '', base = '', onUnauthorized = null } = {}) {
    this.key = key;
    this.base = base;
    this.onUnauthorized = onUnauthorized;
  }

  headers(extra = {}) {
    const h = { Accept: 'application/json', ...extra };
    if (this.key) h.Authorization = `Bearer ${this.key}`;
    return h;
  }

  /**
   * Sends a request. body: a plain object (sent as JSON), a string or Blob
   * (sent as is, with opts.contentType), or FormData. Answers the decoded
   * JSON (null for an empty body); throws ApiError.
   */
  async request(method, path, body, opts = {}) {
    const extra = {};
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (typeof body === 'string' || body instanceof Blob) {
      payload = body;
      extra['Content-Type'] = opts.contentType || 'text/plain';
    } else if (body !== undefined && body !== null) {
      payload = JSON.stringify(body);
      extra['Content-Type'] = 'application/json';
    }
    if (opts.idempotencyKey) extra['Idempotency-Key'] = opts.idempotencyKey;
    let res;
    try {
      res = await fetch(this.base + path, { method, headers: this.headers(extra), body: payload, signal: opts.signal });
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'offline', 'The server cannot be reached: check the network connection.');
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const e = (data && data.error) || {};
      const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || `${res.status} ${res.statusText}`, e.field);
      err.body = data;
      if (res.status === 401 && this.onUnauthorized) this.onUnauthorized(err);
      throw err;
    }
    return data;
  }

  get(path, opts) { return this.request('GET', path, undefined, opts); }
  post(path, body, opts) { return this.request('POST', path, body === undefined ? {} : body, opts); }
  put(path, body, opts) { return this.request('PUT', path, body, opts); }

  /** Fetches every page of a list endpoint ({items, next_cursor}). */
  async all(path, { limit = 1000, max = 100000 } = {}) {
    const out = [];
    let cursor = '';
    const sep = path.includes('?') ? '&' : '?';
    for (;;) {
      const page = await this.get(`${path}${sep}limit=${limit}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
      out.push(...(page.items || []));
      if (!page.next_cursor || out.length >= max) return out;
      cursor = page.next_cursor;
    }
  }

  /**
   * Reads a Server-Sent Events stream with fetch (the key goes in the
   * header) and reconnects with backoff. onEvent(type, data) gets each
   * event with its JSON decoded; onState('open'|'retry'|'closed', err)
   * reports the connection. Returns a function that stops the stream.
   */
  stream(path, onEvent, onState = () => {}) {
    const ctl = new AbortController();
    let delay = 1000;
    const run = async () => {
      while (!ctl.signal.aborted) {
        try {
          const res = await fetch(this.base + path, { headers: this.headers({ Accept: 'text/event-stream' }), signal: ctl.signal, cache: 'no-store' });
          if (res.status === 401) {
            const err = new ApiError(401, 'unauthorized', 'unknown or revoked API key');
            if (this.onUnauthorized) this.onUnauthorized(err);
            onState('closed', err);
            return;
          }
          if (!res.ok || !res.body) throw new ApiError(res.status, `http_${res.status}`, `stream answered ${res.status}`);
          onState('open');
          delay = 1000;
          await readEvents(res.body, onEvent);
          if (ctl.signal.aborted) return;
          onState('retry', new ApiError(0, 'offline', 'the live stream ended'));
        } catch (err) {
          if (ctl.signal.aborted) return;
          onState('retry', err);
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 30000);
      }
    };
    run();
    return () => ctl.abort();
  }
}

/** Parses an event stream body, calling onEvent(type, data) per event. */
export async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let m;
    while ((m = buf.match(/\r?\n\r?\n/))) {
      const block = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      let type = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const c = line.indexOf(':');
        const field = c < 0 ? line : line.slice(0, c);
        const val = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
        if (field === 'event') type = val;
        else if (field === 'data') data.push(val);
      }
      if (!data.length) continue;
      const raw = data.join('\n');
      let parsed = raw;
      try {
        parsed = JSON.parse(raw);
      } catch {
        /* not JSON: pass the text */
      }
      onEvent(type, parsed);
    }
  }
}

/** Escapes text for HTML. */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Shows an offline banner in el while the browser reports no network. */
export function watchOnline(el) {
  const show = () => {
    el.hidden = navigator.onLine;
  };
  addEventListener('online', show);
  addEventListener('offline', show);
  show();
}
