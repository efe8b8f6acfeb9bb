// Slash commands through the real HTTP endpoint: signatures, the 3-second deadline, errors, users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCustomers } from '../../../src/db/customers.ts';
import { postSigned, slackSignature, slashCommandBody } from './helpers/fake-slack.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { SIGNING_SECRET } from './helpers/slack-context.ts';
import { slackLimitViolations } from './helpers/slack-limits.ts';

let h: Harness;
let customerId: string;

beforeAll(async () => {
  h = await startHarness();
  customerId = (await sampleCustomers(h.ctx.store.db, 1))[0]!.customer_id;
});
afterAll(async () => h.stop());

const blockText = (body: any): string => JSON.stringify(body.blocks);

describe('Slack slash commands over HTTP', () => {
  it('GIVEN a signed /customer with a known id THEN the 200 acknowledgement is the private card, within the limits', async () => {
    const res = await h.slash({ command: '/customer', text: customerId });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.blocks[0].type).toBe('header');
    expect(blockText(res.json)).toContain(customerId);
    expect(blockText(res.json)).toContain('Lifetime revenue');
    expect(slackLimitViolations(res.json)).toEqual([]);
    const buttons = res.json.blocks.find((b: any) => b.type === 'actions').elements;
    expect(buttons.map((b: any) => JSON.parse(b.value))).toEqual([
      { kind: 'share', command: `/customer ${customerId}` },
      { kind: 'feedback-form', customerId },
    ]);
  });

  it('GIVEN the same person asks twice THEN users.info is asked once (cached) and the Slack user becomes a Pulse user with name and email', async () => {
    const before = h.fake.callsTo('users.info').filter((c) => c.body.user === 'UADMIN').length;
    await h.slash({ command: '/help', user_id: 'UADMIN' });
    await h.slash({ command: '/help', user_id: 'UADMIN' });
    expect(h.fake.callsTo('users.info').filter((c) => c.body.user === 'UADMIN').length - before).toBe(1);
    const user = await h.ctx.store.db.selectFrom('users').selectAll().where('user_id', '=', 'slack:UADMIN').executeTakeFirst();
    expect(user).toMatchObject({ name: 'Ada Admin', email: 'ada@pulse.example' });
  });

  it('GIVEN a wrong signature THEN 401 and the command never runs', async () => {
    const body = slashCommandBody({ command: '/customer', text: customerId, user_id: 'UNEVER1' });
    const res = await postSigned(h.url, SIGNING_SECRET, body, { signature: slackSignature('not-the-secret', Math.floor(Date.now() / 1000), body) });
    expect(res.status).toBe(401);
    expect(h.fake.callsTo('users.info').some((c) => c.body.user === 'UNEVER1')).toBe(false);
  });

  it('GIVEN a correctly signed request older than five minutes THEN 401 (replay refused)', async () => {
    const body = slashCommandBody({ command: '/customer', text: customerId, user_id: 'UNEVER2' });
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await postSigned(h.url, SIGNING_SECRET, body, { timestamp: stale });
    expect(res.status).toBe(401);
    expect(h.fake.callsTo('users.info').some((c) => c.body.user === 'UNEVER2')).toBe(false);
  });

  it('GIVEN a body changed after signing THEN 401', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const signed = slashCommandBody({ command: '/customer', text: customerId });
    const res = await postSigned(h.url, SIGNING_SECRET, signed.replace(encodeURIComponent(customerId), 'C-OTHER'), { timestamp: ts, signature: slackSignature(SIGNING_SECRET, ts, signed) });
    expect(res.status).toBe(401);
  });

  it('GIVEN a command marked slow THEN it is acknowledged at once with "Working on it…" and answered through response_url', async () => {
    const res = await h.slash({ command: '/test-slow', response_url: h.fake.responseUrl('slow1') });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: 'Working on it…' });
    const later = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === 'slow1'));
    expect(later.body.response_type).toBe('ephemeral');
    expect(later.body.text).toContain('The slow answer.');
    expect(slackLimitViolations(later.body)).toEqual([]);
  });

  it('GIVEN a command that misses the acknowledgement deadline without being marked slow THEN it is acknowledged in time and answered later', async () => {
    const res = await h.slash({ command: '/test-sleepy', response_url: h.fake.responseUrl('sleepy1') });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(2_500);
    expect(res.json.text).toBe('Working on it…');
    const later = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === 'sleepy1'));
    expect(later.body.text).toContain('The sleepy answer.');
  });

  it('GIVEN a command that throws THEN a readable private error with an incident id, never silence', async () => {
    const res = await h.slash({ command: '/test-broken' });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toMatch(/Something went wrong running/);
    expect(blockText(res.json)).toMatch(/:warning:/);
    expect(blockText(res.json)).toMatch(/Incident `[0-9a-f]{8}`/);
    expect(blockText(res.json)).not.toContain('kaboom');
  });

  it('GIVEN bad arguments THEN the usage comes back privately', async () => {
    const res = await h.slash({ command: '/customer', text: '' });
    expect(res.json.response_type).toBe('ephemeral');
    expect(blockText(res.json)).toContain('Usage');
  });

  it('GIVEN /pulse with a misspelt command THEN "did you mean" comes back', async () => {
    const res = await h.slash({ command: '/pulse', text: 'custmer acme' });
    expect(res.json.response_type).toBe('ephemeral');
    expect(blockText(res.json)).toContain('Did you mean');
  });

  it('GIVEN /pulse customer ID THEN it runs /customer', async () => {
    const res = await h.slash({ command: '/pulse', text: `customer ${customerId}` });
    expect(blockText(res.json)).toContain(customerId);
    expect(res.json.blocks[0].type).toBe('header');
  });

  it('GIVEN users.info fails for someone THEN their command still runs, and nothing is stored under a guessed name', async () => {
    const res = await h.slash({ command: '/customer', text: customerId, user_id: 'UGHOST', user_name: 'ghost' });
    expect(res.json.blocks[0].type).toBe('header');
    expect(h.fake.callsTo('users.info').filter((c) => c.body.user === 'UGHOST')).toHaveLength(1);
    const user = await h.ctx.store.db.selectFrom('users').selectAll().where('user_id', '=', 'slack:UGHOST').executeTakeFirst();
    expect(user).toBeUndefined();
  });

  it('GIVEN the health route THEN it answers ok without a signature', async () => {
    const res = await fetch(h.url.replace('/slack/events', '/slack/health'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });
});
