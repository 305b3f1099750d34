// Service worker of the driver app (scope /driver/): the app shell is
// cached so the app opens without a connection, and the driver's last
// route list and manifests are kept so the day's stops are there offline.
// Changes are never handled here: the app's outbox sends them.

const VERSION = 'v1';
const SHELL = 'lastmile-driver-shell-' + VERSION;
const DATA = 'lastmile-driver-data';
const FILES = [
  '/driver/',
  '/driver/app.js',
  '/driver/outbox.js',
  '/driver/pod.js',
  '/driver/scan.js',
  '/driver/driver.css',
  '/driver/manifest.json',
  '/driver/icon-192.png',
  '/driver/icon-512.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('lastmile-driver-shell-') && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Data the app reads that is worth having offline.
function isData(url) {
  return url.pathname === '/v1/me/routes' || /^\/v1\/routes\/[^/]+\/manifest$/.test(url.pathname);
}

// networkFirst answers from the network and keeps a copy; without a
// network it answers the copy, marked with the time it was saved.
async function networkFirst(request, cacheName, mark) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) {
      const headers = new Headers(res.headers);
      headers.set('X-Lastmile-Saved', new Date().toISOString());
      const body = await res.clone().blob();
      await cache.put(request.url, new Response(body, { status: res.status, statusText: res.statusText, headers }));
    }
    return res;
  } catch (err) {
    const hit = await cache.match(request.url, { ignoreSearch: false });
    if (!hit) throw err;
    if (!mark) return hit;
    const headers = new Headers(hit.headers);
    headers.set('X-Lastmile-Cached', hit.headers.get('X-Lastmile-Saved') || '');
    return new Response(await hit.blob(), { status: hit.status, statusText: hit.statusText, headers });
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (isData(url)) {
    event.respondWith(networkFirst(req, DATA, true));
    return;
  }
  if (url.pathname.startsWith('/driver/')) {
    // The page itself for any path of the app (hash routes keep it at /driver/).
    const target = req.mode === 'navigate' ? new Request('/driver/') : req;
    event.respondWith(networkFirst(target, SHELL, false));
  }
});
