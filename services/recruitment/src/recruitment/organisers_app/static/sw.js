// The app's service worker: the page, its scripts and the reference data come from the cache when
// there is no signal, so an organiser can open the app and record at a factory gate. Writes are
// never intercepted here: the page queues them itself (queue.js) and sends them when it can.
const CACHE = "organising-app-v1";
const SHELL = ["./", "static/app.js", "static/forms.js", "static/queue.js", "static/app.css", "static/manifest.webmanifest", "config.json", "../api/v1/reference"];

self.addEventListener("install", (event) => {
  // One missing file (the reference data while the API is away) must not keep the rest uncached.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all(SHELL.map((path) => cache.add(path).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))).then(() => self.clients.claim()),
  );
});

// Network first (a new release or new reference data arrives at once), the cache when offline.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const shell = SHELL.map((path) => new URL(path, self.registration.scope).href);
  if (!shell.includes(url.origin + url.pathname)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.origin + url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.origin + url.pathname).then((cached) => cached || Response.error())),
  );
});
