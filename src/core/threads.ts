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
