// Buttons, the customer picker and the feedback modal, through the real HTTP endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_PICKER_ACTION } from '../../../src/adapters/slack/feedback-modal.ts';
import { allCommands } from '../../../src/commands/index.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import type { CustomerRow } from '../../../src/db/schema.ts';
import { blockSuggestion, buttonClick, viewSubmission } from './helpers/fake-slack.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { slackLimitViolations } from './helpers/slack-limits.ts';

let h: Harness;
let customer: CustomerRow;

beforeAll(async () => {
  h = await startHarness();
  customer = (await sampleCustomers(h.ctx.store.db, 3))[2]!;
});
afterAll(async () => h.stop());

const buttonsOf = (message: any) => message.blocks.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements);
const feedbackValues = (o: { customer?: string; scale?: string; score?: string; comment?: string }) => ({
  customer: { [CUSTOMER_PICKER_ACTION]: { type: 'external_select', selected_option: o.customer ? { value: o.customer, text: { type: 'plain_text', text: o.customer } } : null } },
  scale: { value: { type: 'radio_buttons', selected_option: o.scale ? { value: o.scale } : null } },
  score: { value: { type: 'number_input', value: o.score ?? null } },
  comment: { value: { type: 'plain_text_input', value: o.comment ?? null } },
});

/** A query that matches several customers, so /customer offers buttons to pick one. */
async function ambiguousQuery(): Promise<string> {
  const names = (await sampleCustomers(h.ctx.store.db, 200)).flatMap((c) => [c.company?.split(' ')[0], c.name?.split(' ')[0]]).filter((w): w is string => Boolean(w));
  for (const word of new Set(names)) {
    const reply: Reply = await h.registry.run(`/customer ${word}`, { actor: { id: 'slack:UANN', role: 'rep' }, platform: 'slack' }, h.ctx);
    if (reply.buttons?.some((b) => b.action.kind === 'run')) return word;
  }
  throw new Error('no ambiguous query in the demo data');
}

describe('Slack buttons', () => {
  it('GIVEN several matches THEN each is a button; clicking one replaces the private list with that card', async () => {
    const query = await ambiguousQuery();
    const list = await h.slash({ command: '/customer', text: query });
    const picks = buttonsOf(list.json);
    expect(picks.length).toBeGreaterThan(1);
    const pick = picks[0];
    expect(JSON.parse(pick.value).kind).toBe('run');
    const click = await h.interact(buttonClick({ actionId: pick.action_id, value: pick.value, responseUrl: h.fake.responseUrl('pick1') }));
    expect(click.status).toBe(200);
    const answer = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === 'pick1'));
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(answer.body.blocks[0].type).toBe('header');
    expect(JSON.stringify(answer.body.blocks)).toContain(JSON.parse(pick.value).command.split(' ')[1]);
  });

  it('GIVEN "Share in channel" THEN the card is re-run as the clicker and posted to the channel without email, credited to them', async () => {
    const card = await h.slash({ command: '/customer', text: customer.customer_id });
    expect(JSON.stringify(card.json.blocks)).toContain(customer.email!);
    const share = buttonsOf(card.json).find((b: any) => JSON.parse(b.value).kind === 'share');
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.interact(buttonClick({ actionId: share.action_id, value: share.value, channelId: 'CSALES', responseUrl: h.fake.responseUrl('share1') }));
    const post = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage')[before]);
    expect(post.body.channel).toBe('CSALES');
    expect(post.token).toBe('xoxb-test-token');
    const posted = JSON.stringify(post.body.blocks) + post.body.text;
    expect(posted).toContain(customer.customer_id);
    expect(posted).not.toContain(customer.email!);
    expect(posted).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
    expect(posted).toContain('Shared by Ann Example');
    expect(buttonsOf(post.body)).toEqual([]);
    expect(slackLimitViolations(post.body)).toEqual([]);
  });

  it('GIVEN the bot is not in the channel THEN the share goes through response_url in_channel instead', async () => {
    h.fake.on('chat.postMessage', (b) => (b.channel === 'CPRIVATE' ? { json: { ok: false, error: 'not_in_channel' } } : undefined));
    const card = await h.slash({ command: '/customer', text: customer.customer_id });
    const share = buttonsOf(card.json).find((b: any) => JSON.parse(b.value).kind === 'share');
    await h.interact(buttonClick({ actionId: share.action_id, value: share.value, channelId: 'CPRIVATE', responseUrl: h.fake.responseUrl('share2') }));
    const answer = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === 'share2'));
    expect(answer.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(answer.body)).not.toContain(customer.email!);
  });

  it('GIVEN a tampered button value THEN a private "no longer works" message, not a crash', async () => {
    await h.interact(buttonClick({ actionId: 'pulse_button_0', value: '{"kind":"rm -rf"}', responseUrl: h.fake.responseUrl('bad1') }));
    const answer = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === 'bad1'));
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toContain('no longer works');
  });

  it('GIVEN "Log feedback" on a card THEN the feedback modal opens with that customer already picked', async () => {
    const card = await h.slash({ command: '/customer', text: customer.customer_id });
    const log = buttonsOf(card.json).find((b: any) => JSON.parse(b.value).kind === 'feedback-form');
    const before = h.fake.callsTo('views.open').length;
    await h.interact(buttonClick({ actionId: log.action_id, value: log.value, triggerId: 'trig-77', channelId: 'CSALES', responseUrl: h.fake.responseUrl('fb0') }));
    const open = await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    expect(open.body.trigger_id).toBe('trig-77');
    expect(open.body.view.callback_id).toBe('pulse_feedback');
    const picker = open.body.view.blocks.find((b: any) => b.block_id === 'customer').element;
    expect(picker).toMatchObject({ type: 'external_select', action_id: CUSTOMER_PICKER_ACTION, initial_option: { value: customer.customer_id } });
    expect(JSON.parse(open.body.view.private_metadata)).toEqual({ channel: 'CSALES' });
  });
});

describe('Slack feedback form', () => {
  it('GIVEN /feedback with no arguments THEN an empty acknowledgement and the modal opens', async () => {
    const before = h.fake.callsTo('views.open').length;
    const res = await h.slash({ command: '/feedback', text: '  ', trigger_id: 'trig-88', channel_id: 'CSUPPORT' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const open = await h.fake.waitFor(() => h.fake.callsTo('views.open')[before]);
    expect(open.body.trigger_id).toBe('trig-88');
    expect(open.body.view.blocks.map((b: any) => b.block_id)).toEqual(['customer', 'scale', 'score', 'comment']);
  });

  it('GIVEN a few typed letters in the customer picker THEN matching customers come back as options', async () => {
    const word = customer.name!.split(' ')[0]!.slice(0, 3);
    const res = await h.interact(blockSuggestion({ actionId: CUSTOMER_PICKER_ACTION, value: word }));
    expect(res.status).toBe(200);
    expect(res.json.options.length).toBeGreaterThan(0);
    expect(res.json.options.length).toBeLessThanOrEqual(100);
    for (const o of res.json.options) {
      expect(o.text.type).toBe('plain_text');
      expect(o.text.text.length).toBeLessThanOrEqual(75);
      expect(o.value.length).toBeLessThanOrEqual(150);
    }
  });

  it('GIVEN a CSAT score of 9 THEN the modal stays open with an error beside the score', async () => {
    const res = await h.interact(viewSubmission({ values: feedbackValues({ customer: customer.customer_id, scale: 'csat', score: '9' }) }));
    expect(res.json).toEqual({ response_action: 'errors', errors: { score: 'CSAT scores go from 1 to 5.' } });
  });

  it('GIVEN no customer picked THEN an error beside the customer picker', async () => {
    const res = await h.interact(viewSubmission({ values: feedbackValues({ scale: 'nps', score: '7' }) }));
    expect(res.json.response_action).toBe('errors');
    expect(Object.keys(res.json.errors)).toEqual(['customer']);
  });

  it('GIVEN a valid submission THEN /feedback runs with those arguments as the Slack user, the modal closes and the author is told privately', async () => {
    const before = h.fake.callsTo('chat.postEphemeral').length;
    const res = await h.interact(
      viewSubmission({ values: feedbackValues({ customer: customer.customer_id, scale: 'nps', score: '3', comment: 'late delivery again' }), privateMetadata: JSON.stringify({ channel: 'CSUPPORT' }) }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const confirm = await h.fake.waitFor(() => h.fake.callsTo('chat.postEphemeral')[before]);
    expect(confirm.body).toMatchObject({ channel: 'CSUPPORT', user: 'UANN' });
    expect(confirm.body.text).toContain('Feedback logged');
    const row = await h.ctx.store.db.selectFrom('feedback').selectAll().where('customer_id', '=', customer.customer_id).where('comment', '=', 'late delivery again').executeTakeFirst();
    expect(row).toMatchObject({ scale: 'nps', score: 3, author: 'Ann Example', platform: 'slack' });
  });

  it('GIVEN the ephemeral confirmation is refused THEN the author gets a direct message instead', async () => {
    h.fake.on('chat.postEphemeral', () => ({ json: { ok: false, error: 'channel_not_found' } }));
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.interact(viewSubmission({ values: feedbackValues({ customer: customer.customer_id, scale: 'csat', score: '5', comment: 'great' }), privateMetadata: JSON.stringify({ channel: 'CGONE' }) }));
    const dm = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').slice(before).find((c) => c.body.channel === 'UANN'));
    expect(dm.body.text).toContain('Feedback logged');
  });
});

describe('Slack without a /feedback command', () => {
  let bare: Harness;
  beforeAll(async () => {
    bare = await startHarness({ customers: 20, commands: allCommands().filter((c) => c.name !== 'feedback') });
  });
  afterAll(async () => bare.stop());

  it('GIVEN "Log feedback" is clicked THEN a clear private message says feedback is not available, and no modal opens', async () => {
    const id = (await sampleCustomers(bare.ctx.store.db, 1))[0]!.customer_id;
    await bare.interact(buttonClick({ actionId: 'pulse_button_1', value: JSON.stringify({ kind: 'feedback-form', customerId: id }), responseUrl: bare.fake.responseUrl('nofb') }));
    const answer = await bare.fake.waitFor(() => bare.fake.responses.find((r) => r.id === 'nofb'));
    expect(answer.body.text).toContain('not available');
    expect(bare.fake.callsTo('views.open')).toEqual([]);
  });

  it('GIVEN a form is submitted anyway THEN the modal is replaced by a notice that nothing was logged', async () => {
    const id = (await sampleCustomers(bare.ctx.store.db, 1))[0]!.customer_id;
    const res = await bare.interact(viewSubmission({ values: feedbackValues({ customer: id, scale: 'csat', score: '4' }) }));
    expect(res.json.response_action).toBe('update');
    expect(JSON.stringify(res.json.view)).toContain('nothing was logged');
  });
});
