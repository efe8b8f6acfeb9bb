// Owner alerts end to end through the Slack stand-in: the real Bolt endpoint (signed slash commands
// and button presses), the real poster (users.lookupByEmail, conversations.open, chat.postMessage with
// metadata, thread replies), the real refresh on demo data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import { DELIVERY_EVENT_TYPE } from '../../src/adapters/slack/post-to-channel.ts';
import { allCommands } from '../../src/commands/index.ts';
import { Registry } from '../../src/core/registry.ts';
import { localDay } from '../../src/core/time.ts';
import { listAudit } from '../../src/db/audit.ts';
import { getAlert, type AlertRow } from '../../src/db/alerts.ts';
import { routingPoster } from '../../src/digests/posters.ts';
import { tick, type TickReport } from '../../src/digests/tick.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { buttonClick, interactionBody, postSigned, slashCommandBody, startFakeSlack, type FakeSlack } from '../adapters/slack/helpers/fake-slack.ts';
import { FAST_RETRY, SIGNING_SECRET, slackTestContext, type SlackTestContext } from '../adapters/slack/helpers/slack-context.ts';
import { noChart } from '../digests/helpers/digests.ts';
import { addPurchase, CONTACT, DAY, demoWithAlerts, installId, movableClock } from './helpers/alert-store.ts';

const START = '2026-06-01T09:00:00Z'; // 11:00 in Berlin, Maya's zone: outside quiet hours
const clock = movableClock(START);
let fake: FakeSlack;
let ctx: SlackTestContext;
let slack: SlackAdapter;
let url: string;
let alerts: AlertRow[];
let responses = 0;

const slash = (command: string, text: string, user = 'UANN', channel = 'C123') =>
  postSigned(url, SIGNING_SECRET, slashCommandBody({ command, text, user_id: user, channel_id: channel, response_url: fake.responseUrl(`r${++responses}`) }));
const ticked = (at: Date): Promise<TickReport> => tick(ctx, { poster: routingPoster({ slack }), processId: 'bot', renderChart: noChart }, at);
const posts = () => fake.callsTo('chat.postMessage');
const buttonsOf = (blocks: any[]) => blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements);
const keyOf = (m: { metadata?: { event_payload: Record<string, unknown> } }) => m.metadata?.event_payload.delivery_key;
const mayas = () => alerts.filter((a) => a.owner === 'Maya Chen');
const others = () => alerts.filter((a) => a.owner !== 'Maya Chen');

async function press(button: { action_id: string; value: string }, user: string, channel: string): Promise<any> {
  const id = `press${++responses}`;
  await postSigned(url, SIGNING_SECRET, interactionBody(buttonClick({ actionId: button.action_id, value: button.value, userId: user, channelId: channel, responseUrl: fake.responseUrl(id), ephemeral: false })));
  return (await fake.waitFor(() => fake.responses.find((r) => r.id === id), 10_000)).body;
}

beforeAll(async () => {
  fake = await startFakeSlack();
  fake.users.set('UMAYA', { name: 'maya', real_name: 'Maya Chen', email: 'maya.chen@pulse.example', tz: 'Europe/Berlin' });
  ctx = await slackTestContext({ apiUrl: fake.apiUrl, clock });
  slack = createSlackAdapter(ctx, new Registry(allCommands()), { host: '127.0.0.1', port: 0, retryConfig: FAST_RETRY, ackAfterMs: 2_000 });
  await slack.start();
  url = `http://127.0.0.1:${slack.port}/slack/events`;
  alerts = await demoWithAlerts(ctx, 600, 7);
}, 180_000);

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await ctx?.cleanup();
});

describe('owner alerts on Slack', () => {
  it('GIVEN customers who crossed since the last refresh THEN each has one open alert naming why, and the owners are set up', async () => {
    expect(alerts.length).toBeGreaterThan(2);
    expect(mayas().length, 'the demo seed gives Maya Chen at least one alert').toBeGreaterThan(0);
    expect(others().length).toBeGreaterThan(0);
    for (const a of alerts) expect(a).toMatchObject({ state: 'open', episode: 1 });
    // Maya has used Pulse (so her email is known); an admin sets the team's and the managers' channels.
    expect((await slash('/alerts', '', 'UMAYA')).json.blocks).toBeDefined();
    const set = await slash('/alerts', 'settings channel:<#C0ALERTS|alerts> managers:<#C0MGRS|managers> escalate-after:2d', 'UADMIN');
    expect(JSON.stringify(set.json)).toContain('channel: default → slack:C0ALERTS');
    const audit = await listAudit(ctx.store.db, { limit: 10, command: 'alerts settings change' });
    expect(audit.map((r) => r.detail)).toEqual(expect.arrayContaining(['channel: default → slack:C0ALERTS', 'managers: default → slack:C0MGRS', 'escalate-after: default → 2880m']));
    // A rep may read the settings, not change them.
    expect(JSON.stringify((await slash('/alerts', 'settings risk:70', 'UANN')).json)).toContain('needs the admin role');
  });

  it('GIVEN the tick THEN exactly one message per alert: a DM to Maya (found by email) with working buttons, the team channel for owners without an identity', async () => {
    const report = await ticked(clock.now());
    expect(report.alerts.map((r) => [r.alertId, r.purpose, r.result])).toEqual(alerts.map((a) => [a.alert_id, 'raise', 'posted']));
    expect(fake.callsTo('users.lookupByEmail').map((c) => c.body.email)).toContain('maya.chen@pulse.example');
    const install = await installId(ctx);
    for (const a of alerts) {
      const channel = a.owner === 'Maya Chen' ? 'DUMAYA' : 'C0ALERTS';
      const mine = fake.channels.messages(channel).filter((m) => keyOf(m) === `${install}/alert/${a.alert_id}:raise`);
      expect(mine, `alert #${a.alert_id}`).toHaveLength(1);
      expect(mine[0]!.metadata!.event_type).toBe(DELIVERY_EVENT_TYPE);
      const text = JSON.stringify(mine[0]!.blocks);
      expect(text).toContain(a.customer_id);
      expect(text).toMatch(a.kind === 'slipping' ? /Slipping: .*Churn risk rose from/s : /Gone quiet: .*No purchase for/s);
      expect(text).not.toMatch(CONTACT);
      expect(buttonsOf(mine[0]!.blocks as any[]).map((b: any) => b.text.text)).toEqual(['Claim', 'Snooze 7 days', 'Open card']);
    }
    expect(posts()).toHaveLength(alerts.length);
    // Nothing more is due: a second tick posts nothing and asks Slack nothing new about Maya.
    const lookups = fake.callsTo('users.lookupByEmail').length;
    expect((await ticked(clock.now())).alerts).toEqual([]);
    expect(fake.callsTo('users.lookupByEmail').length).toBe(lookups);
  });

  it('GIVEN Maya presses Claim in her DM THEN the claim is recorded and `/alerts mine` shows it; Open card opens the card privately', async () => {
    const a = mayas()[0]!;
    const dm = fake.channels.messages('DUMAYA').find((m) => JSON.stringify(m.blocks).includes(`/alerts claim ${a.alert_id}`))!;
    const [claim, , open] = buttonsOf(dm.blocks as any[]);
    const answer = await press(claim, 'UMAYA', 'DUMAYA');
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(answer.blocks)).toContain(`Claimed alert #${a.alert_id}`);
    expect(await getAlert(ctx.store.db, a.alert_id)).toMatchObject({ state: 'claimed', claimed_by: 'slack:UMAYA' });
    const mine = await slash('/alerts', 'mine', 'UMAYA');
    expect(JSON.stringify(mine.json)).toContain('claimed by Maya Chen');
    const card = await press(open, 'UMAYA', 'DUMAYA');
    expect(card.response_type).toBe('ephemeral');
    expect(JSON.stringify(card.blocks)).toContain(a.customer_id);
    // A claim in a DM tells nobody else: nothing is posted.
    const before = posts().length;
    await ticked(clock.now());
    expect(posts().length).toBe(before);
  });

  it('GIVEN a team-channel alert claimed from the channel THEN its thread says who took it, once', async () => {
    const a = others()[0]!;
    const raise = fake.channels.messages('C0ALERTS').find((m) => JSON.stringify(m.blocks).includes(`/alerts claim ${a.alert_id}`))!;
    await press(buttonsOf(raise.blocks as any[])[0], 'UANN', 'C0ALERTS');
    await ticked(clock.now());
    const replies = fake.channels.messages('C0ALERTS').filter((m) => m.thread_ts === raise.ts);
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0]!.blocks)).toContain('Ann Example is on it');
  });

  it('GIVEN a snooze THEN the alert stays quiet (no escalation) and comes back once when the snooze is over', async () => {
    const a = others()[1]!;
    const raise = fake.channels.messages('C0ALERTS').find((m) => JSON.stringify(m.blocks).includes(`/alerts claim ${a.alert_id}`))!;
    const answer = await press(buttonsOf(raise.blocks as any[])[1], 'UANN', 'C0ALERTS');
    expect(JSON.stringify(answer.blocks)).toContain(`Snoozed alert #${a.alert_id} for 7 days`);
    // Two days on: every open, unclaimed alert is escalated once to the managers — not the claimed, not the snoozed.
    const escalation = await ticked(clock.advance(2 * DAY + 60_000));
    const escalated = escalation.alerts.filter((r) => r.purpose === 'escalate');
    const expected = alerts.filter((x) => x.alert_id !== a.alert_id && x.alert_id !== mayas()[0]!.alert_id && x.alert_id !== others()[0]!.alert_id).map((x) => x.alert_id);
    expect(escalated.map((r) => r.alertId).sort((x, y) => x - y)).toEqual(expected);
    for (const r of escalated) expect(r).toMatchObject({ result: 'posted', channel: 'C0MGRS' });
    expect(fake.channels.messages('C0MGRS')).toHaveLength(expected.length);
    expect(JSON.stringify(fake.channels.messages('C0MGRS')[0]!.blocks)).toMatch(/Unclaimed for 2 days/);
    // Once: a day later nothing more.
    expect((await ticked(clock.advance(DAY))).alerts).toEqual([]);
    // The snooze runs out after 7 days: the alert comes back to the team's channel, once.
    const back = await ticked(clock.set(new Date(Date.parse(START) + 7 * DAY + 60_000)));
    expect(back.alerts.map((r) => [r.alertId, r.purpose, r.result, r.channel])).toEqual([[a.alert_id, 'reraise', 'posted', 'C0ALERTS']]);
    expect(JSON.stringify(fake.channels.messages('C0ALERTS').at(-1)!.blocks)).toContain('The snooze is over');
    expect(await getAlert(ctx.store.db, a.alert_id)).toMatchObject({ state: 'open', snoozes: 1 });
    expect((await ticked(clock.advance(60_000))).alerts).toEqual([]);
  });

  it('GIVEN a customer with an escalated alert buys again THEN the next refresh resolves it and its threads say so; a refresh with no change sends nothing', async () => {
    const a = others()[2]!;
    const today = localDay(clock.now().getTime(), ctx.config.timeZone);
    await addPurchase(ctx, a.customer_id, today);
    const card = await refresh(ctx, { asOfDay: today });
    expect(card.alerts!.resolved).toBeGreaterThan(0);
    expect(await getAlert(ctx.store.db, a.alert_id)).toMatchObject({ state: 'resolved', resolution: 'bought again' });
    const report = await ticked(clock.now());
    const recovered = report.alerts.filter((r) => r.alertId === a.alert_id);
    expect(recovered.map((r) => [r.key, r.result])).toEqual([
      [`${a.alert_id}:recover`, 'posted'],
      [`${a.alert_id}:recover:escalation`, 'posted'],
    ]);
    const raise = fake.channels.messages('C0ALERTS').find((m) => JSON.stringify(m.blocks).includes(`/alerts claim ${a.alert_id}`))!;
    const thread = fake.channels.messages('C0ALERTS').filter((m) => m.thread_ts === raise.ts);
    expect(thread).toHaveLength(1);
    expect(JSON.stringify(thread[0]!.blocks)).toMatch(/Recovered.*bought again/s);
    expect(fake.channels.messages('C0MGRS').filter((m) => m.thread_ts && JSON.stringify(m.blocks).includes('bought again'))).toHaveLength(1);

    // The same day again, nothing new in the store: no alert is raised, nothing is posted.
    const before = posts().length;
    const again = await refresh(ctx, { asOfDay: today });
    expect(again.alerts).toMatchObject({ raised: { slipping: 0, silent: 0 }, resolved: 0 });
    expect((await ticked(clock.now())).alerts).toEqual([]);
    expect(posts().length).toBe(before);
  }, 60_000);
});
