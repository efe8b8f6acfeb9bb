// Worker thread of the off-loop pool (off-loop-pool.ts): runs read-only commands (and builds
// digests) the bot's event loop must not wait on, on a read-only connection of its own, at the
// instant the request names.
import { parentPort, workerData } from 'node:worker_threads';
import { createRegistry } from '../commands/index.ts';
import type { Config } from '../core/config.ts';
import type { Invocation } from '../core/context.ts';
import { createLogger } from '../core/logger.ts';
import { fixedClock } from '../core/time.ts';
import { openStore } from '../db/store.ts';
import { buildDigest, type DigestRequest } from '../reports/digest.ts';
import type { OffLoopRequest, OffLoopResponse } from './off-loop-pool.ts';

const { config } = workerData as { config: Config };
const store = await openStore(config.databaseUrl, { migrate: false, readonly: true });
const log = createLogger(config.logLevel);
const registry = createRegistry();
const port = parentPort!;

port.on('message', (m: OffLoopRequest | 'close') => {
  if (m === 'close') {
    void store.close().then(() => process.exit(0));
    return;
  }
  const ctx = { store, config, log, clock: fixedClock(new Date(m.now)) };
  const work = m.kind === 'command' ? registry.runParsed(m.name, m.args, m.call as Invocation, ctx) : buildDigest(ctx, m.request as DigestRequest);
  work
    .then((result) => port.postMessage({ id: m.id, result } satisfies OffLoopResponse))
    .catch((err: unknown) => port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies OffLoopResponse));
});
port.postMessage('ready');
