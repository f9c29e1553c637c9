// The outbox of the page: every record is stored here (IndexedDB) before it is sent, with the
// Idempotency-Key it will be sent under, so a record made offline survives a closed tab and a
// retry can never register twice. A record leaves the queue when the server has answered it;
// the log of what was sent keeps no personal data.

const DB_NAME = "organising-app";
const QUEUE = "queue";
const LOG = "log";
const LOG_LIMIT = 50;

function opened() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore(QUEUE, { keyPath: "key" });
      db.createObjectStore(LOG, { keyPath: "key" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(store, mode, action) {
  const db = await opened();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const result = action(tx.objectStore(store));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const byCreation = (a, b) => a.created_at.localeCompare(b.created_at);

export const queue = {
  add: (item) => run(QUEUE, "readwrite", (store) => store.put(item)),
  remove: (key) => run(QUEUE, "readwrite", (store) => store.delete(key)),
  all: async () => ((await run(QUEUE, "readonly", (store) => store.getAll())) || []).sort(byCreation),
};

export const log = {
  async add(entry) {
    await run(LOG, "readwrite", (store) => store.put(entry));
    const entries = await log.all();
    for (const old of entries.slice(LOG_LIMIT)) await run(LOG, "readwrite", (store) => store.delete(old.key));
  },
  all: async () => ((await run(LOG, "readonly", (store) => store.getAll())) || []).sort(byCreation).reverse(),
};
