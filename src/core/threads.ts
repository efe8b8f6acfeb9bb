// Starting a worker thread the same way from the sources (through tsx) and from the bundle.
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
