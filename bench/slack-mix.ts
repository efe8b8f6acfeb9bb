// 200 signed slash commands at once through the real Slack HTTP endpoint, heavy and light mixed,
// with the bot's off-loop pool, on a big store: is every request acknowledged within Slack's 3 s,
// and how long until each answer is there (in the acknowledgement, or posted to its response_url)?
//   npx tsx bench/slack-mix.ts --store FILE [--requests 200] [--json]
// A benchmark, not a test: shared machines; read medians and ratios.
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startOffLoopPool } from '../src/app/off-loop-pool.ts';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../src/adapters/slack/slack-adapter.ts';
import { createRegistry } from '../src/commands/index.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Context } from '../src/core/context.ts';
import { createLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/time.ts';
import { openStore, SERVING } from '../src/db/store.ts';
import { slashCommandBody, startFakeSlack } from '../tests/adapters/slack/helpers/fake-slack.ts';

export interface SlackMixResult {
  requests: number;
  heavy: number;
  ackedWithin3s: number;
  ack: { p50: number; p99: number; max: number };
  answer: { p50: number; p99: number; max: number };
  /** The same, light requests only (what reps type all day) and heavy ones only (answered on a worker). */
  lightAnswer: { p50: number; p99: number; max: number };
  heavyAnswer: { p50: number; p99: number; max: number };
  answeredInAck: number;
}

const SECRET = 'bench-signing-secret';

export async function benchSlackMix(dbFile: string, requests = 200): Promise<SlackMixResult> {
  const fake = await startFakeSlack();
  for (let u = 0; u < requests; u++) fake.users.set(`UMIX${u}`, { name: `rep${u}`, real_name: `Rep ${u}`, email: `rep${u}@pulse.example` });
  const config = loadConfig({ DATABASE_URL: dbFile, PULSE_LOG_LEVEL: 'silent', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl });
  const store = await openStore(dbFile, SERVING);
  const base: Context = { store, config, log: createLogger('silent'), clock: systemClock };
  const pool = startOffLoopPool(base, { workers: 2 });
  const ctx: Context = { ...base, offLoop: pool };
  const slack = createSlackAdapter(ctx, createRegistry(), { host: '127.0.0.1', port: 0 });
  await slack.start();
  const url = `http://127.0.0.1:${slack.port}${SLACK_EVENTS_PATH}`;
  const customers = (await store.db.selectFrom('customers').select('customer_id').orderBy('customer_id').limit(50).execute()).map((r) => r.customer_id);
  const owner = (await store.db.selectFrom('customers').select('owner').where('owner', 'is not', null).limit(1).executeTakeFirst())?.owner ?? 'Nobody';
  // Heavy: filters no rollup holds (a worker scans for them). Light: what reps type all day.
  const heavy = ['/churn-risk min:75', `/churn-risk owner:"${owner}" min:70 sort:overdue`, '/churn-risk min:90 sort:overdue'];
  const light = ['/churn-risk mine', '/value', '/segment', '/lifecycle', '/satisfaction', `/churn-risk owner:"${owner}"`, '/digest preview at-risk', '/satisfaction segment:"At Risk"'];
  const plan = Array.from({ length: requests }, (_, i) => {
    const isHeavy = i % 10 === 0;
    const text = isHeavy ? heavy[(i / 10) % heavy.length]! : i % 3 === 0 ? `/customer ${customers[i % customers.length]}` : light[i % light.length]!;
    const [command, ...rest] = text.split(' ');
    return { isHeavy, body: slashCommandBody({ command: command!, text: rest.join(' '), user_id: `UMIX${i}`, response_url: fake.responseUrl(`mix${i}`) }), id: `mix${i}` };
  });
  // The load comes from another thread, as Slack is another machine.
  const client = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { createHmac } = require('node:crypto');
     parentPort.on('message', async ({ url, secret, bodies, warmUp }) => {
       // A running bot is warm: one request of each kind first, one at a time, not measured.
       for (const body of warmUp) await send(body);
       const t0 = Date.now();
       const out = await Promise.all(bodies.map(send));
       parentPort.postMessage({ t0, out });
       async function send(body) {
         const ts = Math.floor(Date.now() / 1000);
         const sig = 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex');
         const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig }, body });
         const text = await res.text();
         return { at: Date.now(), status: res.status, working: text.includes('Working on it') };
       }
     });`,
    { eval: true },
  );
  try {
    const { t0, out } = await new Promise<{ t0: number; out: { at: number; status: number; working: boolean }[] }>((resolve) => {
      client.once('message', resolve);
      // Every kind of command once, and every rep once (their Slack profile is then cached, as in a bot that has been up a while).
      const kinds = [...new Set([...light, `/customer ${customers[0]}`])];
      const warmUp = Array.from({ length: Math.max(kinds.length, requests) }, (_, i) => {
        const [command, ...rest] = kinds[i % kinds.length]!.split(' ');
        return slashCommandBody({ command: command!, text: rest.join(' '), user_id: `UMIX${i % requests}`, response_url: fake.responseUrl(`warm${i}`) });
      });
      client.postMessage({ url, secret: SECRET, bodies: plan.map((p) => p.body), warmUp });
    });
    // Deferred answers arrive at their response_url; wait for the last (at most two minutes).
    const deferred = plan.filter((_, i) => out[i]!.working).map((p) => p.id);
    const until = Date.now() + 120_000;
    while (Date.now() < until && !deferred.every((id) => fake.responses.some((r) => r.id === id))) await new Promise((r) => setTimeout(r, 100));
    const acks = out.map((o) => o.at - t0);
    const answers = plan.map((p, i) => (out[i]!.working ? (fake.responses.find((r) => r.id === p.id)?.at ?? Infinity) - t0 : acks[i]!));
    const bad = out.find((o) => o.status !== 200);
    if (bad) throw new Error(`a request was answered ${bad.status}`);
    return {
      requests,
      heavy: plan.filter((p) => p.isHeavy).length,
      ackedWithin3s: acks.filter((a) => a < 3000).length,
      ack: summary(acks),
      answer: summary(answers),
      lightAnswer: summary(answers.filter((_, i) => !plan[i]!.isHeavy)),
      heavyAnswer: summary(answers.filter((_, i) => plan[i]!.isHeavy)),
      answeredInAck: out.filter((o) => !o.working).length,
    };
  } finally {
    await client.terminate();
    await slack.stop();
    await pool.close();
    await fake.close();
    await store.close();
  }
}

function summary(v: number[]): { p50: number; p99: number; max: number } {
  const s = [...v].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { store: { type: 'string' }, requests: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
  if (!values.store) throw new Error('--store FILE');
  const r = await benchSlackMix(values.store, Number(values.requests));
  process.stdout.write(values.json ? JSON.stringify(r, null, 2) + '\n' : `${r.requests} signed requests at once (${r.heavy} heavy): ${r.ackedWithin3s} acknowledged within 3 s (ack p50 ${r.ack.p50} ms, p99 ${r.ack.p99} ms, max ${r.ack.max} ms); answers p50 ${r.answer.p50} ms, p99 ${r.answer.p99} ms, max ${r.answer.max} ms (light p50 ${r.lightAnswer.p50} ms, p99 ${r.lightAnswer.p99} ms; heavy p50 ${r.heavyAnswer.p50} ms, p99 ${r.heavyAnswer.p99} ms); ${r.answeredInAck} answered in the acknowledgement\n`);
}
