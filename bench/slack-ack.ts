// Ack latency of /customer through the real Slack HTTP endpoint (signature check, Bolt, registry,
// store, Block Kit), with 50 signed requests in flight at once, on a demo store.
//   npx tsx bench/slack-ack.ts [--customers 20000] [--concurrency 50] [--rounds 20] [--store FILE]
// A benchmark, not a test: it prints p50/p99 (and the cold first round, which waits on users.info).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../src/adapters/slack/slack-adapter.ts';
import { createRegistry } from '../src/commands/index.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Context } from '../src/core/context.ts';
import { createLogger } from '../src/core/logger.ts';
import { localDay, systemClock } from '../src/core/time.ts';
import { countCustomers, sampleCustomers } from '../src/db/customers.ts';
import { openStore } from '../src/db/store.ts';
import { generateDemo } from '../src/demo/generate.ts';
import { storeSink } from '../src/demo/write-demo.ts';
import { slashCommandBody, startFakeSlack } from '../tests/adapters/slack/helpers/fake-slack.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '20' },
    store: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const SECRET = 'bench-signing-secret';

const dir = values.store ? undefined : mkdtempSync(join(tmpdir(), 'pulse-slack-bench-'));
const fake = await startFakeSlack();
for (let u = 0; u < concurrency; u++) fake.users.set(`UBENCH${u}`, { name: `rep${u}`, real_name: `Rep ${u}`, email: `rep${u}@pulse.example` });
const config = loadConfig({
  DATABASE_URL: values.store ?? join(dir!, 'pulse.sqlite'),
  PULSE_LOG_LEVEL: 'silent',
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: fake.apiUrl,
});
const store = await openStore(config.databaseUrl);
const ctx: Context = { store, config, log: createLogger('silent'), clock: systemClock };

let seedSeconds = 0;
if ((await countCustomers(store.db)) === 0) {
  const t0 = performance.now();
  const sink = await storeSink(store, ctx.clock.now());
  await generateDemo({ customers, seed: 42, endDay: localDay(Date.now(), config.timeZone) }, sink);
  await sink.close();
  seedSeconds = (performance.now() - t0) / 1000;
}
const size = await countCustomers(store.db);
const ordersRow = await store.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();

const slack = createSlackAdapter(ctx, createRegistry(), { host: '127.0.0.1', port: 0 });
await slack.start();
const url = `http://127.0.0.1:${slack.port}${SLACK_EVENTS_PATH}`;

// Half exact ids, half full names: what reps type.
const sample = await sampleCustomers(store.db, Math.min(size, 5000));
const queries = sample.map((c, i) => (i % 2 === 0 || !c.name ? c.customer_id : c.name));
let q = 0;

// The load generator runs on its own thread (Slack is another machine in real life), so the
// server's event loop measures only the server's work.
const client = new Worker(
  `
  const { parentPort } = require('node:worker_threads');
  const { createHmac } = require('node:crypto');
  parentPort.on('message', async ({ url, secret, bodies }) => {
    const times = await Promise.all(bodies.map(async (body) => {
      const ts = Math.floor(Date.now() / 1000);
      const sig = 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex');
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig }, body });
      const text = await res.text();
      const ms = performance.now() - t0;
      return { ms, ok: res.status === 200 && text.includes('"ephemeral"') && !text.includes('Working on it'), head: res.status + ' ' + text.slice(0, 200) };
    }));
    parentPort.postMessage(times);
  });
  `,
  { eval: true },
);

function round(): Promise<number[]> {
  const bodies = Array.from({ length: concurrency }, (_, u) => slashCommandBody({ command: '/customer', text: queries[q++ % queries.length]!, user_id: `UBENCH${u}`, response_url: fake.responseUrl(`b${q}`) }));
  return new Promise((resolve, reject) => {
    client.once('message', (times: { ms: number; ok: boolean; head: string }[]) => {
      const bad = times.find((t) => !t.ok);
      if (bad) reject(new Error(`unexpected answer: ${bad.head}`));
      else resolve(times.map((t) => t.ms));
    });
    client.postMessage({ url, secret: SECRET, bodies });
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
try {
  const cold = (await round()).sort((a, b) => a - b);
  await round(); // warm-up: JIT, statement cache
  const warm: number[] = [];
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) warm.push(...(await round()));
  const wall = (performance.now() - t0) / 1000;
  warm.sort((a, b) => a - b);
  const result = {
    customers: size,
    orders: Number(ordersRow?.n ?? 0),
    concurrency,
    requests: warm.length,
    p50_ms: +pct(warm, 50).toFixed(1),
    p99_ms: +pct(warm, 99).toFixed(1),
    max_ms: +warm.at(-1)!.toFixed(1),
    cold_round_p50_ms: +pct(cold, 50).toFixed(1),
    cold_round_p99_ms: +pct(cold, 99).toFixed(1),
    requests_per_s: Math.round(warm.length / wall),
    seed_seconds: +seedSeconds.toFixed(1),
    node: process.version,
  };
  if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(
      `/customer ack through ${url} — ${result.customers.toLocaleString('en-US')} customers, ${result.orders.toLocaleString('en-US')} orders\n` +
        `  ${concurrency} concurrent × ${rounds} rounds (${result.requests} requests): p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms, ${result.requests_per_s} req/s\n` +
        `  cold first round (users.info to the local stand-in): p50 ${result.cold_round_p50_ms} ms, p99 ${result.cold_round_p99_ms} ms\n`,
    );
  }
} finally {
  await client.terminate();
  await slack.stop();
  await fake.close();
  await store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
