// Detractor alerts (from /feedback at once, from an import after it), what /alerts and /pulse link
// say to good and bad input, the matched controls a refresh picks, and the model card's verdict.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackPoster } from '../../src/adapters/slack/slack-adapter.ts';
import { alertsAfterImport } from '../../src/alerts/post-now.ts';
import { createRegistry } from '../../src/commands/index.ts';
import type { Actor } from '../../src/core/context.ts';
import { formatDay, localDay } from '../../src/core/time.ts';
import { listAudit } from '../../src/db/audit.ts';
import { alertCutoffs, getAlert } from '../../src/db/alerts.ts';
import { routingPoster } from '../../src/digests/posters.ts';
import { tick } from '../../src/digests/tick.ts';
import { importFile } from '../../src/importer/import-file.ts';
import { startFakeSlack, type FakeSlack } from '../adapters/slack/helpers/fake-slack.ts';
import { slackTestContext, type SlackTestContext } from '../adapters/slack/helpers/slack-context.ts';
import { noChart } from '../digests/helpers/digests.ts';
import { demoWithAlerts, movableClock } from './helpers/alert-store.ts';

const registry = createRegistry();
const admin: Actor = { id: 'slack:UADMIN', name: 'Ada Admin', role: 'admin' };
const rep: Actor = { id: 'slack:UANN', name: 'Ann Example', role: 'rep' };
const clock = movableClock('2026-06-01T09:00:00Z');
let fake: FakeSlack;
let ctx: SlackTestContext;
const ask = (text: string, actor: Actor = rep) => registry.run(text, { actor, platform: 'slack', channel: 'slack:C123' }, ctx);

/** Customers by worth (12-month CLV, else revenue) as of the live insights, most valuable first. */
async function byWorth(): Promise<{ customer_id: string; worth: number; owner: string | null }[]> {
  const rows = await ctx.store.db.selectFrom('insights as i').innerJoin('customers as c', 'c.customer_id', 'i.customer_id').select(['i.customer_id', 'i.clv_12m', 'i.revenue', 'c.owner']).execute();
  return rows.map((r) => ({ customer_id: r.customer_id, worth: r.clv_12m ?? r.revenue, owner: r.owner })).sort((a, b) => b.worth - a.worth);
}

beforeAll(async () => {
  fake = await startFakeSlack();
  ctx = await slackTestContext({ apiUrl: fake.apiUrl, clock });
  await demoWithAlerts(ctx, 400, 11);
  await ask('/alerts settings channel:<#C0TEAM|team>', admin);
}, 180_000);

afterAll(async () => {
  await fake?.close();
  await ctx?.cleanup();
});

describe('detractor alerts', () => {
  it('GIVEN a low score from a valuable customer THEN an alert at once, said in the reply and posted without the contact data the comment holds', async () => {
    const cutoffs = (await alertCutoffs(ctx.store.db))!;
    const [valuable] = await byWorth();
    expect(valuable!.worth).toBeGreaterThanOrEqual(cutoffs.worth);
    const r = await ask(`/feedback ${valuable!.customer_id} 1 "late again — call me on +44 20 7946 0958 or ann@acme.example"`);
    expect(r.error).toBeUndefined();
    const id = Number(/detractor alert \(#(\d+)\)/.exec(r.text ?? '')?.[1]);
    const alert = (await getAlert(ctx.store.db, id))!;
    expect(alert).toMatchObject({ kind: 'detractor', customer_id: valuable!.customer_id, raised_by: 'feedback', state: 'open' });
    // A second low score while the first is open is the same episode: no second alert.
    const again = await ask(`/feedback ${valuable!.customer_id} nps 3 still late`);
    expect(again.text).not.toMatch(/detractor alert/);
    expect(await ctx.store.db.selectFrom('alerts').select('alert_id').where('kind', '=', 'detractor').execute()).toHaveLength(1);

    const report = await tick(ctx, { poster: routingPoster({ slack: createSlackPoster(ctx) }), processId: 't', renderChart: noChart, digests: false }, clock.now());
    expect(report.alerts.find((x) => x.alertId === id)).toMatchObject({ result: 'posted', channel: 'C0TEAM' });
    const posted = JSON.stringify(fake.channels.messages('C0TEAM').find((m) => JSON.stringify(m.blocks).includes(`/alerts claim ${id}`))!.blocks);
    expect(posted).toMatch(/Detractor: .*CSAT \*1\/5\*.*late again/s);
    expect(posted).toContain('[hidden]');
    expect(posted).not.toContain('7946');
    expect(posted).not.toContain('acme.example');
  });

  it('GIVEN a low score from a customer outside the top share, or a good score THEN no alert', async () => {
    const all = await byWorth();
    const modest = all.at(-1)!;
    expect((await ask(`/feedback ${modest.customer_id} 1 meh`)).text).not.toMatch(/detractor alert/);
    expect((await ask(`/feedback ${all[1]!.customer_id} 5 lovely`)).text).not.toMatch(/detractor alert/);
    expect((await ask(`/feedback ${all[1]!.customer_id} nps 7 fine`)).text).not.toMatch(/detractor alert/);
  });

  it('GIVEN an imported feedback file THEN its recent low answers from valuable customers raise alerts after the import; last year’s do not', async () => {
    const all = await byWorth();
    const today = localDay(clock.now().getTime(), ctx.config.timeZone);
    const [recent, old] = [all[2]!, all[3]!];
    const file = join(ctx.dir, 'feedback.csv');
    writeFileSync(file, ['customer_id,score,scale,comment,author,created_at', `${recent.customer_id},2,csat,broken again,survey,${formatDay(today - 1)}`, `${old.customer_id},0,nps,old news,survey,${formatDay(today - 300)}`].join('\n'));
    const summary = await importFile(ctx.store, { kind: 'feedback', input: file, timeZone: ctx.config.timeZone, now: () => clock.now() });
    expect(summary.inserted).toBe(2);
    await alertsAfterImport(ctx, summary);
    const raised = await ctx.store.db.selectFrom('alerts').selectAll().where('raised_by', '=', `import #${summary.importId}`).execute();
    expect(raised.map((a) => a.customer_id)).toEqual([recent.customer_id]);
    // Posted by this process at once: it has Slack credentials.
    expect((await ctx.store.db.selectFrom('alert_deliveries').select('status').where('alert_id', '=', raised[0]!.alert_id).executeTakeFirst())?.status).toBe('posted');
  });
});

describe('/alerts and /pulse link', () => {
  it('GIVEN bad settings THEN a clear message and nothing changes, not even the good value given with them', async () => {
    const r = await ask('/alerts settings risk:70 quiet-hours:25-30', admin);
    expect(r.error?.code).toBe('INVALID_ARGS');
    expect(r.error?.message).toContain('quiet-hours:25-30');
    expect(JSON.stringify(await ask('/alerts settings', admin))).toMatch(/"label":"risk","value":"60"/);
    expect((await ask('/alerts settings channel:console:main', admin)).error?.message).toContain('Slack or Discord');
    expect((await ask('/alerts risk:70', admin)).error?.message).toContain('/alerts settings risk:');
    const ok = await ask('/alerts settings risk:65 top-share:15%', admin);
    expect(ok.text).toContain('risk: default → 65');
    expect((await listAudit(ctx.store.db, { limit: 5, command: 'alerts settings change' })).map((a) => a.detail)).toEqual(expect.arrayContaining(['risk: default → 65', 'top-share: default → 15%']));
    await ask('/alerts settings risk:60 top-share:20%', admin);
  });

  it('GIVEN alert numbers that do not exist or a bad snooze THEN clear messages', async () => {
    expect((await ask('/alerts claim 9999')).error).toMatchObject({ code: 'NOT_FOUND', message: 'There is no alert #9999.' });
    expect((await ask('/alerts claim')).error?.message).toContain('Which alert?');
    const first = (await ctx.store.db.selectFrom('alerts').select('alert_id').orderBy('alert_id').executeTakeFirst())!;
    expect((await ask(`/alerts snooze ${first.alert_id} 5m`)).error?.message).toContain('is not a snooze I can use');
    const shown = await ask(`/alerts ${first.alert_id}`);
    expect(shown.title).toMatch(new RegExp(`^Alert #${first.alert_id} · `));
    expect(shown.fields?.find((f) => f.label === 'Messages')?.value).toMatch(/alert → slack:C0TEAM — posted/);
    expect((await ask('/alerts all')).tables?.[0]?.rows.length).toBeGreaterThan(0);
  });

  it('GIVEN /pulse link from a rep, without a user, or with a zone that does not exist THEN refused with the reason; an admin link shows in /pulse links', async () => {
    expect((await ask('/pulse link owner:"Tom Becker" <@UTOM>')).error?.code).toBe('FORBIDDEN');
    expect((await ask('/pulse link owner:"Tom Becker"', admin)).error?.message).toContain('For example');
    expect((await ask('/pulse link owner:"Tom Becker" <@UTOM> tz:Mars/Olympus', admin)).error?.message).toContain('not a time zone');
    const linked = await ask('/pulse link owner:"Tom Becker" <@UTOM> tz:Europe/Berlin', admin);
    expect(linked.text).toContain('slack:UTOM');
    expect(linked.text).not.toContain('No customer has the owner');
    expect((await ask('/pulse link owner:"Tom Bekker" <@UTOM>', admin)).text).toContain('No customer has the owner “Tom Bekker”');
    expect(JSON.stringify(await ask('/pulse links'))).toContain('Tom Becker');
    expect((await ask('/pulse link owner:"Tom Bekker" off', admin)).text).toContain('no longer linked');
  });
});

describe('does it help?', () => {
  it('GIVEN the refresh that raised alerts THEN each has a matched control who was not alerted, and the model card says what it knows', async () => {
    const rows = await ctx.store.db.selectFrom('alerts as a').innerJoin('alert_controls as k', 'k.alert_id', 'a.alert_id').select(['a.customer_id as alerted', 'k.customer_id as control', 'a.churn_risk', 'k.churn_risk as control_risk']).where('a.raised_by', 'like', 'refresh%').execute();
    expect(rows.length).toBeGreaterThan(0);
    const alerted = new Set((await ctx.store.db.selectFrom('alerts').select('customer_id').execute()).map((r) => r.customer_id));
    for (const r of rows) {
      expect(alerted.has(r.control)).toBe(false);
      expect(Math.floor(r.control_risk! / 10)).toBe(Math.floor(r.churn_risk! / 10));
    }
    const card = await ask('/pulse model');
    expect(card.fields?.find((f) => f.label === 'Owner alerts: does it help?')?.value).toMatch(/Last 90 days: \d+ alerts raised .*Bought again within 30 days: too early to say/s);
  });

  it('GIVEN `/digest subscribe alerts` THEN it is monthly by default, and its preview says the same as the card, with each owner’s alerts', async () => {
    const manager: Actor = { id: 'slack:UMGR', name: 'Mia Manager', role: 'manager' };
    const sub = await ask('/digest subscribe alerts <#C0MGRS|managers>', manager);
    expect(JSON.stringify(sub.fields)).toContain('0 9 1 * *');
    const preview = await ask('/digest preview alerts', manager);
    expect(preview.title).toContain('Owner alerts: does acting on them help?');
    expect(preview.text).toMatch(/Last 90 days: \d+ alerts raised/);
    const byOwner = preview.tables![0]!;
    expect(byOwner.columns.map((c) => c.label)).toEqual(['Owner', 'Raised', 'Claimed', 'Escalated', 'Recovered']);
    const raised = await ctx.store.db.selectFrom('alerts').select('alert_id').execute();
    expect(byOwner.rows.reduce((t, r) => t + Number(r[1]), 0)).toBe(raised.length);
  });
});
