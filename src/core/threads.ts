// Starting a worker thread the same way from the sources (through tsx) and from the bundle.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';

/**
 * `module` is the worker's TypeScript source (`new URL('./x-worker.ts', import.meta.url)` in the
 * caller); `bundleName` its entry in dist/ (scripts/build.mjs lists it).
 */
export function startWorker(module: URL, bundleName: string, data: Record<string, unknown>, callerUrl: string): Worker {
  if (callerUrl.endsWith('.ts')) return new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { ...data, module: module.href } });
  return new Worker(new URL(`./${bundleName}.js`, callerUrl), { workerData: data });
}

/**
 * Work done beside the caller (on a worker thread, or here for a small input): its result, how long
 * the work itself took (not how long until the caller looked), and a way to end it early.
 */
export interface BackgroundRun<T> {
  result: Promise<T>;
  ms: Promise<number>;
  stop(): Promise<void>;
}

/** What a worker started by `inBackground` answers, once (see replyOnce). */
export type WorkerReply<T> = { result: T; ms: number } | { failed: string };

/**
 * Starts a worker that answers once through replyOnce. The result rejects with the reason (prefixed
 * by `what`), or when the thread dies or exits without answering; the thread ends once it answered.
 */
export function inBackground<T>(module: URL, bundleName: string, data: Record<string, unknown>, callerUrl: string, what: string): BackgroundRun<T> {
  const worker = startWorker(module, bundleName, data, callerUrl);
  const answer = new Promise<{ result: T; ms: number }>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: WorkerReply<T>) => {
      settled = true;
      void worker.terminate();
      if ('failed' in m) reject(new Error(`${what}: ${m.failed}`));
      else resolve(m);
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
  const ms = answer.then((m) => m.ms);
  ms.catch(() => undefined); // a failure is the result's
  return { result: answer.then((m) => m.result), ms, stop: async () => void (await worker.terminate()) };
}

/** A BackgroundRun done here and now (a small input's); a throw becomes its rejection. */
export function doneHere<T>(work: () => T): BackgroundRun<T> {
  const t0 = performance.now();
  let result: Promise<T>;
  try {
    result = Promise.resolve(work());
  } catch (err) {
    result = Promise.reject(err);
  }
  return { result, ms: Promise.resolve(Math.round(performance.now() - t0)), stop: async () => undefined };
}

/** The worker's side of inBackground: does `work`, then posts its result and time, or why it failed. */
export async function replyOnce<T>(work: () => T | Promise<T>): Promise<void> {
  let reply: WorkerReply<T>;
  try {
    const t0 = performance.now();
    const result = await work();
    reply = { result, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    reply = { failed: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
}

/**
 * Sets the calling thread's nice value to `level` (or to what `level` makes of its present one,
 * 19 at most), for helper threads whose priority differs from the rest of their process (the
 * page-cache warm-up, the basket rules). On Linux a thread's nice value is its own, and the
 * kernel's I/O schedulers rank a thread's disk reads by it too. A value below the thread's present
 * one needs the right to raise priority (root, or CAP_SYS_NICE); elsewhere, or where it is not
 * allowed, the thread keeps the priority it has.
 */
export function setThreadNice(level: number | ((current: number) => number)): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, typeof level === 'number' ? level : Math.min(19, level(getPriority(tid))));
  } catch {
    // not Linux (no /proc/thread-self), or a sandbox refusing: the helper runs at the process's priority
  }
}
