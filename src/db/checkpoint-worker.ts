// The serving bot's checkpointer (see checkpointer.ts): a connection of its own, on a thread of its
// own, that copies the write-ahead log back into the database file every `everyMs`. PASSIVE: it
// never waits for, nor stops, a reader or a writer; what it cannot copy yet it copies next time.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

const { file, everyMs } = workerData as { file: string; everyMs: number };
const port = parentPort!;
const db = new BetterSqlite3(file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (err) {
    // A checkpoint another process runs meanwhile makes this one return busy, not throw: what
    // throws is a real failure (a disk error), reported once if it keeps failing.
    if (++failures === 10) port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, everyMs);
port.on('message', (m: unknown) => {
  if (m !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
