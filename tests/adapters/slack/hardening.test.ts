// The Slack endpoint under attack, through the real HTTP server: malformed signed bodies get a 4xx
// and the bot keeps serving; timestamps too old or in the future are refused; a replay is answered
// once; slow senders are cut off; connections are capped; another workspace gets no data.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCustomers } from '../../../src/db/customers.ts';
import { blockSuggestion, buttonClick, interactionBody, postSigned, slackSignature, slashCommandBody } from './helpers/fake-slack.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { SIGNING_SECRET } from './helpers/slack-context.ts';
import { CUSTOMER_PICKER_ACTION } from '../../../src/adapters/slack/feedback-modal.ts';

let h: Harness;
let customerId: string;

beforeAll(async () => {
  h = await startHarness({ customers: 60 });
  customerId = (await sampleCustomers(h.ctx.store.db, 1))[0]!.customer_id;
});
afterAll(async () => h.stop());

const form = 'application/x-www-form-urlencoded';
const json = 'application/json';
const blockText = (body: any): string => JSON.stringify(body?.blocks ?? body);

/** The bot still answers a plain /help. */
async function stillServing(): Promise<void> {
  const res = await h.slash({ command: '/help' });
  expect(res.status).toBe(200);
  expect(blockText(res.json)).toContain('/customer');
}

describe('malformed but correctly signed bodies', () => {
  const cases: [string, number, string, string][] = [
    ['payload=null', 400, form, 'payload=null'],
    ['a JSON null', 400, json, 'null'],
    ['a JSON array', 400, json, '[1,2]'],
    ['an event without its event', 400, json, '{"type":"event_callback","team_id":"T1"}'],
    ['command given twice', 400, form, `${slashCommandBody({ command: '/help' })}&command=%2Fcustomer`],
    ['a payload that is not JSON', 400, form, 'payload=%7Bnot%20json'],
    ['a payload that is an array', 400, form, 'payload=%5B%5D'],
    ['a payload without a user', 400, form, interactionBody({ type: 'block_actions', actions: [{ action_id: 'pulse_button_0' }] })],
    ['block_actions without actions', 400, form, interactionBody({ type: 'block_actions', user: { id: 'UANN' }, team: { id: 'T1' }, actions: [] })],
    ['a payload of an unknown type', 400, form, interactionBody({ type: 'nonsense', user: { id: 'UANN' } })],
    ['a view_submission without a view', 400, form, interactionBody({ type: 'view_submission', user: { id: 'UANN' }, team: { id: 'T1' } })],
    [
      'a payload next to other fields',
      400,
      form,
      `${interactionBody({ type: 'block_suggestion', user: { id: 'UANN' }, action_id: 'x', value: '' })}&command=%2Fhelp`,
    ],
    ['a form that is neither', 400, form, 'hello=world'],
    ['a command without a user', 400, form, 'command=%2Fhelp&team_id=T1&channel_id=C1'],
    ['a command that is not a slash command', 400, form, slashCommandBody({ command: 'help' })],
    ['a content type Slack never sends', 415, 'text/plain', 'command=/help'],
    ['no content type', 415, '', 'command=/help'],
  ];

  it.each(cases)('GIVEN %s THEN %i and the bot keeps serving', async (_what, status, contentType, body) => {
    const res = await postSigned(h.url, SIGNING_SECRET, body, { contentType });
    expect(res.status).toBe(status);
    await stillServing();
  });

  it('GIVEN a body over 1 MiB THEN 413 and the bot keeps serving', async () => {
    const body = `command=%2Fhelp&user_id=U1&team_id=T1&channel_id=C1&text=${'x'.repeat(1024 * 1024 + 10)}`;
    const res = await postSigned(h.url, SIGNING_SECRET, body).catch((err: unknown) => ({ status: (err as Error).message }));
    // Either the 413 arrives, or the socket is closed mid-upload: never a 2xx.
    expect([413, 'fetch failed']).toContain(res.status);
    await stillServing();
  });
});

describe('signatures and timestamps', () => {
  const body = () => slashCommandBody({ command: '/help' });
  const now = () => Math.floor(Date.now() / 1000);

  it('GIVEN a timestamp six minutes old THEN 401', async () => {
    expect((await postSigned(h.url, SIGNING_SECRET, body(), { timestamp: now() - 360 })).status).toBe(401);
  });

  it('GIVEN a timestamp six minutes in the future THEN 401', async () => {
    expect((await postSigned(h.url, SIGNING_SECRET, body(), { timestamp: now() + 360 })).status).toBe(401);
  });

  it('GIVEN a timestamp a minute in the future (clock skew) THEN it is answered', async () => {
    expect((await postSigned(h.url, SIGNING_SECRET, body(), { timestamp: now() + 60 })).status).toBe(200);
  });

  it('GIVEN a signature made with another secret, or none, or a non-numeric timestamp THEN 401', async () => {
    expect((await postSigned(h.url, 'another-secret', body())).status).toBe(401);
    expect((await postSigned(h.url, SIGNING_SECRET, body(), { signature: 'v0=' })).status).toBe(401);
    const ts = now();
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': form, 'x-slack-request-timestamp': `${ts}.5`, 'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body()) },
      body: body(),
    });
    expect(res.status).toBe(401);
  });

  it('GIVEN an accepted /feedback replayed 70 s into its window THEN it is answered once and stored once', async () => {
    const count = async () =>
      Number(
        (
          await h.ctx.store.db
            .selectFrom('feedback')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const before = await count();
    const signed = slashCommandBody({ command: '/feedback', text: `${customerId} 2 replayed comment`, response_url: h.fake.responseUrl('replay') });
    const ts = now() - 70;
    const first = await postSigned(h.url, SIGNING_SECRET, signed, { timestamp: ts });
    expect(first.status).toBe(200);
    expect(blockText(first.json)).toMatch(/Feedback logged/);
    const again = await postSigned(h.url, SIGNING_SECRET, signed, { timestamp: ts });
    expect(again.status).toBe(200);
    expect(again.text).toBe('');
    expect(await count()).toBe(before + 1);
  });
});

describe('another workspace', () => {
  it('GIVEN a slash command from team T_OTHER (a Slack Connect guest) THEN a refusal and no customer data', async () => {
    const res = await h.slash({ command: '/customer', text: customerId, team_id: 'T_OTHER' });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(blockText(res.json)).toMatch(/only inside the workspace/);
    expect(blockText(res.json)).not.toContain(customerId);
    const audit = await h.ctx.store.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'refused').execute();
    expect(audit.some((a) => a.actor_id === 'slack:UANN' && a.command === 'customer')).toBe(true);
  });

  it('GIVEN a share button pressed from another workspace THEN nothing is posted', async () => {
    const before = h.fake.callsTo('chat.postMessage').length;
    const value = JSON.stringify({ kind: 'share', command: `/customer ${customerId}` });
    const res = await h.interact(buttonClick({ actionId: 'pulse_button_0', value, responseUrl: h.fake.responseUrl('foreign-share'), teamId: 'T_OTHER' }));
    expect(res.status).toBe(200);
    const answer = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === 'foreign-share'));
    expect(JSON.stringify(answer.body)).toMatch(/only inside the workspace/);
    expect(h.fake.callsTo('chat.postMessage').length).toBe(before);
  });

  it('GIVEN the customer picker typed into from another workspace THEN no options', async () => {
    const c = (await sampleCustomers(h.ctx.store.db, 1))[0]!;
    const res = await h.interact(blockSuggestion({ actionId: CUSTOMER_PICKER_ACTION, value: c.name!.slice(0, 3), teamId: 'T_OTHER' }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ options: [] });
  });
});

describe('slow senders and too many connections', () => {
  let s: Harness;
  beforeAll(async () => {
    s = await startHarness({ customers: 5, adapter: { limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 3 } } });
  });
  afterAll(async () => s.stop());

  const port = () => Number(new URL(s.url).port);
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const sock = connect(port(), '127.0.0.1', () => resolve(sock));
      sock.on('error', reject);
    });
  /** Everything the server sends until it closes the socket (or the wait runs out). */
  const closedWith = (sock: Socket, ms: number): Promise<{ closed: boolean; data: string }> =>
    new Promise((resolve) => {
      let data = '';
      sock.on('data', (c) => (data += c.toString()));
      const timer = setTimeout(() => resolve({ closed: false, data }), ms);
      sock.on('close', () => {
        clearTimeout(timer);
        resolve({ closed: true, data });
      });
    });

  it('GIVEN headers that never finish THEN the connection is closed with 408 after the header timeout', async () => {
    const sock = await open();
    sock.write('POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const r = await closedWith(sock, 5_000);
    expect(r.closed).toBe(true);
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('GIVEN a body that never finishes THEN the connection is closed after the request timeout', async () => {
    const sock = await open();
    sock.write(`POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: ${form}\r\nContent-Length: 100\r\n\r\ncommand=`);
    const r = await closedWith(sock, 5_000);
    expect(r.closed).toBe(true);
  });

  it('GIVEN the connection cap is reached THEN the next connection is dropped, and served again once one closes', async () => {
    const idle = await Promise.all([open(), open(), open()]);
    // Node accepts the fourth socket and destroys it at once: closed before any timeout, with no answer.
    const extra = await open();
    const r = await closedWith(extra, 200);
    expect(r).toEqual({ closed: true, data: '' });
    for (const sock of idle) sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const res = await postSigned(s.url, SIGNING_SECRET, slashCommandBody({ command: '/help' }));
    expect(res.status).toBe(200);
  });
});
