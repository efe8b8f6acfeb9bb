// The bot's off-loop runner (core/off-loop.ts): a few worker threads, each with its own read-only
// store connection, that run the commands too heavy for the event loop serving Slack and Discord.
// Requests are queued to the least busy worker; a worker that dies is replaced and its requests
// answered with an error (never left hanging); a request that outlives `timeoutMs` is answered so.
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { Context, Invocation } from '../core/context.ts';
import type { OffLoopRunner } from '../core/off-loop.ts';
import { errorReply } from '../core/registry.ts';
import type { Reply } from '../core/reply.ts';
import { startWorker } from '../core/threads.ts';

export type OffLoopRequest =
  | { id: number; kind: 'command'; name: string; args: Record<string, unknown>; call: Invocation; now: string }
  | { id: number; kind: 'digest'; request: unknown; now: string };

export type OffLoopResponse = { id: number; result: unknown } | { id: number; error: string };

export interface OffLoopPoolOptions {
  workers?: number;
  timeoutMs?: number;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  /** It has said it is ready (its store is open): until then it has nothing to close. */
  isReady: boolean;
  pending: Map<number, { settle: (r: OffLoopResponse) => void; timer: NodeJS.Timeout }>;
}

export function startOffLoopPool(ctx: Pick<Context, 'config' | 'log'>, options: OffLoopPoolOptions = {}): OffLoopRunner {
  const size = Math.max(1, options.workers ?? 1);
  const timeoutMs = options.timeoutMs ?? 120_000;
  let nextId = 1;
  let served = 0;
  let closing = false;
  const slots: Slot[] = [];

  const fail = (slot: Slot, why: string) => {
    for (const [id, p] of slot.pending) {
      clearTimeout(p.timer);
      p.settle({ id, error: why });
      slot.pending.delete(id);
    }
  };
  const spawn = (): Slot => {
    const worker = startWorker(new URL('./command-worker.ts', import.meta.url), 'command-worker', { config: ctx.config }, import.meta.url);
    worker.unref();
    const slot: Slot = { worker, ready: Promise.resolve(), isReady: false, pending: new Map() };
    slot.ready = new Promise((resolve) =>
      worker.once('message', () => {
        slot.isReady = true;
        resolve();
      }),
    );
    worker.on('message', (m: OffLoopResponse | 'ready') => {
      if (m === 'ready') return;
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      clearTimeout(p.timer);
      served++;
      p.settle(m);
    });
    worker.on('error', (err) => ctx.log.error('off-loop worker failed', { error: err }));
    worker.on('exit', (code) => {
      fail(slot, `the worker stopped (exit code ${code})`);
      const i = slots.indexOf(slot);
      if (!closing && i >= 0) slots[i] = spawn();
    });
    return slot;
  };
  for (let i = 0; i < size; i++) slots.push(spawn());

  /** Sends one request to the least busy worker; settles with its answer, an error, or a timeout. */
  const send = async (request: (id: number) => OffLoopRequest): Promise<OffLoopResponse> => {
    const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    await slot.ready;
    const id = nextId++;
    return new Promise<OffLoopResponse>((settle) => {
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        settle({ id, error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      slot.pending.set(id, { settle, timer });
      slot.worker.postMessage(request(id));
    });
  };

  return {
    get served() {
      return served;
    },
    async run(name, args, call, now) {
      const answer = await send((id) => ({ id, kind: 'command', name, args, call, now: now.toISOString() }));
      return 'result' in answer ? (answer.result as Reply) : incident(ctx, name, answer.error);
    },
    async digest(request, now) {
      const answer = await send((id) => ({ id, kind: 'digest', request, now: now.toISOString() }));
      if ('error' in answer) throw new Error(`the digest could not be built off the event loop: ${answer.error}`);
      return answer.result;
    },
    async close() {
      closing = true;
      await Promise.all(
        slots.map(async (s) => {
          // A worker still starting (a `pulse start` that answered one piped line and ends) is
          // stopped at once: waiting for it to load only to close it again cost a second.
          if (!s.isReady) return void (await s.worker.terminate());
          s.worker.postMessage('close');
          await new Promise((resolve) => {
            const t = setTimeout(() => void s.worker.terminate().then(resolve), 5_000);
            s.worker.once('exit', () => {
              clearTimeout(t);
              resolve(undefined);
            });
          });
        }),
      );
    },
  };
}

function incident(ctx: Pick<Context, 'log'>, name: string, why: string): Reply {
  const incidentId = randomUUID().slice(0, 8);
  ctx.log.error('off-loop command failed', { incidentId, command: name, error: why });
  return { ...errorReply('INTERNAL', `Something went wrong running \`/${name}\`. It has been logged as incident ${incidentId}.`), error: { code: 'INTERNAL', message: `Something went wrong running /${name}.`, incidentId } };
}
