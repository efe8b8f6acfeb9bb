// Starting a worker thread the same way from the sources (through tsx) and from the bundle.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * `module` is the worker's TypeScript source (`new URL('./x-worker.ts', import.meta.url)` in the
 * caller); `bundleName` its entry in dist/ (scripts/build.mjs lists it).
 */
export function startWorker(module: URL, bundleName: string, data: Record<string, unknown>, callerUrl: string): Worker {
  if (callerUrl.endsWith('.ts')) return new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { ...data, module: module.href } });
  return new Worker(new URL(`./${bundleName}.js`, callerUrl), { workerData: data });
}

/** A worker's one answer, and a way to end the worker before it gives it (a failed refresh). */
export type Answer<T> = Promise<T> & { stop(): Promise<void> };

/**
 * A worker that answers once: `{ failed }` or a result. Resolves with the result, rejects with the
 * reason (prefixed by `what`), or when the thread dies or exits without answering; ends the thread.
 */
export function answerOnce<T>(module: URL, bundleName: string, data: Record<string, unknown>, callerUrl: string, what: string): Answer<T> {
  const worker = startWorker(module, bundleName, data, callerUrl);
  const answer = new Promise<T>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: T | { failed: string }) => {
      settled = true;
      void worker.terminate();
      if (m !== null && typeof m === 'object' && 'failed' in m) reject(new Error(`${what}: ${m.failed}`));
      else resolve(m as T);
    });
    worker.once('messageerror', (err) => {
      settled = true;
      void worker.terminate();
      reject(new Error(`${what}: its answer could not be read (${err.message})`, { cause: err }));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(new Error(`${what}: ${err.message}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the ${what} worker exited with code ${code}`));
    });
  });
  return Object.assign(answer, { stop: async () => void (await worker.terminate()) });
}

/**
 * Lowers the calling thread's CPU priority to the lowest (nice 19), for helper threads whose work
 * only saves time (the page-cache warm-up). On Linux a thread's nice value is its own, and the
 * kernel's I/O schedulers rank a thread's disk reads by it too: a bot on the same machine, and the
 * refresh's own readers, come first. Elsewhere, or where it is not allowed, the thread keeps the
 * process's priority.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux (no /proc/thread-self), or a sandbox refusing: the helper runs at the process's priority
  }
}
