// Roles through the real Slack endpoint: a rep cannot subscribe a digest; an admin (PULSE_ADMINS)
// makes them a manager with a mention, and then they can; /pulse roles lists it; the audit log
// shows who did what without what was asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCustomers } from '../../../src/db/customers.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
let customerId: string;

beforeAll(async () => {
  h = await startHarness({ customers: 40 });
  customerId = (await sampleCustomers(h.ctx.store.db, 1))[0]!.customer_id;
});
afterAll(async () => h.stop());

const text = (res: { json: any }) => JSON.stringify(res.json?.blocks ?? res.json);
const asAnn = (command: string, t: string) => h.slash({ command, text: t, user_id: 'UANN', user_name: 'ann' });
const asAdmin = (command: string, t: string) => h.slash({ command, text: t, user_id: 'UADMIN', user_name: 'root' });

describe('roles', () => {
  it('GIVEN a rep THEN /digest subscribe and /pulse role are refused, naming the role needed', async () => {
    expect(text(await asAnn('/digest', 'subscribe satisfaction'))).toMatch(/needs the manager role; you have rep/);
    expect(text(await asAnn('/pulse', 'role <@UADMIN> rep'))).toMatch(/needs the admin role/);
    expect(text(await asAnn('/pulse', 'audit'))).toMatch(/needs the admin role/);
  });

  it('GIVEN an admin makes Ann a manager with a Slack mention THEN Ann can subscribe a digest', async () => {
    const res = await asAdmin('/pulse', 'role <@UANN|ann> manager');
    expect(text(res)).toMatch(/is now \*manager\* \(was rep\)/);
    const sub = await asAnn('/digest', 'subscribe satisfaction');
    expect(text(sub)).toMatch(/Subscribed: digest #1/);
    const roles = await asAnn('/pulse', 'roles');
    expect(text(roles)).toContain('slack:UANN');
    expect(text(roles)).toMatch(/manager/);
    expect(text(roles)).toMatch(/PULSE_ADMINS/);
  });

  it('GIVEN /pulse role through the umbrella command with an escaped mention THEN the same', async () => {
    const res = await h.slash({ command: '/pulse', text: 'role <@UBOB> admin', user_id: 'UADMIN' });
    expect(text(res)).toMatch(/UBOB.*is now \*admin\*/);
  });

  it('GIVEN a demotion back to rep THEN Ann can no longer subscribe', async () => {
    expect(text(await asAdmin('/pulse', 'role slack:UANN rep'))).toMatch(/is now \*rep\* \(was manager\)/);
    expect(text(await asAnn('/digest', 'subscribe at-risk'))).toMatch(/needs the manager role/);
  });

  it('GIVEN roles that cannot change this way THEN clear refusals', async () => {
    expect(text(await asAdmin('/pulse', 'role <@UADMIN> rep'))).toMatch(/PULSE_ADMINS/);
    expect(text(await h.slash({ command: '/pulse', text: 'role <@UBOB> rep', user_id: 'UBOB' }))).toMatch(/cannot change your own role/);
    expect(text(await asAdmin('/pulse', 'role @ann manager'))).toMatch(/plain text, not as a mention/);
    expect(text(await asAdmin('/pulse', 'role <@UANN> emperor'))).toMatch(/rep, manager or admin/);
  });

  it('GIVEN commands were run THEN /pulse audit shows who ran what with outcomes and role changes, never the arguments', async () => {
    await asAnn('/customer', customerId);
    const res = await asAdmin('/pulse', 'audit limit:100');
    const t = text(res);
    expect(t).toMatch(/role change/);
    expect(t).toContain('slack:UANN: rep → manager');
    expect(t).toMatch(/digest subscribe/);
    expect(t).toMatch(/FORBIDDEN/);
    expect(t).toMatch(/customer/);
    expect(t).not.toContain(customerId);
    const rows = await h.ctx.store.db.selectFrom('audit_log').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(customerId);
    const mine = await asAdmin('/pulse', 'audit <@UANN>');
    expect(text(mine)).not.toMatch(/role change/);
  });
});
