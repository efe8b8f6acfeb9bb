import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { splitFeedbackWords } from '../../src/commands/feedback.ts';
import { fixedClock } from '../../src/core/time.ts';
import { consoleCall, makeTestContext, rep, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
const registry = createRegistry();
beforeAll(async () => {
  ctx = await makeTestContext();
  const c = (id: string, name: string, company: string) => ({ customer_id: id, name, email: null, company, owner: 'Maya Chen', created_at: null, attributes: null, search_text: `${id} | ${name} | ${company}`.toLowerCase(), import_id: null, import_line: null });
  await ctx.store.db.insertInto('customers').values([c('C1', 'Ann Lee', 'Acme Corp'), c('C2', 'Bob Stone', 'Acme Logistics'), c('C3', 'Cy Park', 'Studio 54')]).execute();
  await ctx.store.db.insertInto('customer_terms').values([['c1', 'C1'], ['ann lee', 'C1'], ['ann', 'C1'], ['lee', 'C1'], ['acme corp', 'C1'], ['acme', 'C1'], ['corp', 'C1'], ['c2', 'C2'], ['acme', 'C2'], ['acme logistics', 'C2'], ['logistics', 'C2'], ['c3', 'C3'], ['studio 54', 'C3'], ['studio', 'C3'], ['54', 'C3']].map(([term, customer_id]) => ({ term: term!, customer_id: customer_id! }))).execute();
});
afterAll(async () => ctx.cleanup());

describe('splitFeedbackWords', () => {
  it('GIVEN a multi-word customer and no scale THEN the first number is the score', () => {
    expect(splitFeedbackWords({ customer: 'acme', scale: 'corp', score: '2', comment: 'late delivery again' })).toEqual({ customer: 'acme corp', score: '2', comment: 'late delivery again' });
  });
  it('GIVEN nps after a multi-word customer THEN scale and score follow it', () => {
    expect(splitFeedbackWords({ customer: 'acme', scale: 'corp', score: 'nps', comment: '9 great' })).toEqual({ customer: 'acme corp', scale: 'nps', score: '9', comment: 'great' });
  });
  it('GIVEN a quoted customer with a number in its name THEN the name stays whole', () => {
    expect(splitFeedbackWords({ customer: 'Studio 54', scale: '4', score: 'nice' })).toEqual({ customer: 'Studio 54', score: '4', comment: 'nice' });
  });
});

describe('/feedback', () => {
  it('GIVEN a CSAT score with a comment THEN it is stored with author and platform and the figures show at once', async () => {
    const r = await registry.run('/feedback "acme corp" 2 late delivery again', consoleCall(rep), ctx);
    expect(r.error).toBeUndefined();
    expect(r.title).toBe('Feedback logged for Ann Lee');
    expect(r.fields!.find((f) => f.label === 'CSAT')!.value).toBe('0% satisfied (n=1)');
    const rows = await ctx.store.db.selectFrom('feedback').selectAll().where('customer_id', '=', 'C1').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ scale: 'csat', score: 2, comment: 'late delivery again', author: 'Maya Chen', platform: 'console' });
  });

  it('GIVEN the same submission twice within a minute THEN it is stored once', async () => {
    await registry.run('/feedback C3 4 nice', consoleCall(rep), ctx);
    const again = await registry.run('/feedback C3 4 nice', consoleCall(rep), ctx);
    expect(again.title).toMatch(/^Already logged/);
    const later = { ...ctx, clock: fixedClock(new Date(ctx.clock.now().getTime() + 61_000)) };
    await registry.run('/feedback C3 4 nice', consoleCall(rep), later);
    const rows = await ctx.store.db.selectFrom('feedback').select('feedback_id').where('customer_id', '=', 'C3').execute();
    expect(rows).toHaveLength(2);
  });

  it('GIVEN the same submission twenty times at once (a double click, a retried request) THEN it is stored once', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => registry.run('/feedback C2 3 "raced twice"', consoleCall(rep), ctx)));
    expect(replies.filter((r) => r.title?.startsWith('Feedback logged'))).toHaveLength(1);
    expect(replies.filter((r) => r.title?.startsWith('Already logged'))).toHaveLength(19);
    const rows = await ctx.store.db.selectFrom('feedback').select('feedback_id').where('comment', '=', 'raced twice').execute();
    expect(rows).toHaveLength(1);
  });

  it('GIVEN the same submission from another author, or changed, at the same moment THEN each is stored', async () => {
    const other = { ...rep, id: 'console:other', name: 'Other Rep' };
    await Promise.all([
      registry.run('/feedback C2 3 "same words"', consoleCall(rep), ctx),
      registry.run('/feedback C2 3 "same words"', consoleCall(other), ctx),
      registry.run('/feedback C2 3 "same words!"', consoleCall(rep), ctx),
    ]);
    const rows = await ctx.store.db.selectFrom('feedback').select('feedback_id').where('comment', 'like', 'same words%').execute();
    expect(rows).toHaveLength(3);
  });

  it('GIVEN an NPS answer THEN it is stored on the NPS scale', async () => {
    const r = await registry.run('/feedback C2 nps 9 "loves the app"', consoleCall(rep), ctx);
    expect(r.error).toBeUndefined();
    expect(r.fields!.find((f) => f.label === 'NPS answers')!.value).toMatch(/^1 promoter, 0 detractor of 1/);
  });

  it('GIVEN a score out of range THEN a clear message with the usage, and nothing stored', async () => {
    const r = await registry.run('/feedback C2 7 hmm', consoleCall(rep), ctx);
    expect(r.error).toMatchObject({ code: 'INVALID_ARGS', message: '7 is outside the CSAT scale 1–5.' });
    expect(r.error!.hint).toMatch(/nps 7/);
    expect(r.error!.hint).toMatch(/Usage: `\/feedback CUSTOMER/);
  });

  it('GIVEN several matching customers THEN a pick list whose buttons carry the whole submission', async () => {
    const r = await registry.run('/feedback acme 5 great', consoleCall(rep), ctx);
    expect(r.buttons!.map((b) => b.action)).toContainEqual({ kind: 'run', command: '/feedback C2 csat 5 "great"' });
  });

  it('GIVEN an unknown customer THEN NOT_FOUND', async () => {
    expect((await registry.run('/feedback nobody 3', consoleCall(rep), ctx)).error?.code).toBe('NOT_FOUND');
  });

  it('GIVEN named arguments (a modal or Discord options) THEN the same validation applies', async () => {
    const ok = await registry.runWithArgs('feedback', { customer: 'C3', scale: 'nps', score: 3, comment: 'slow support' }, consoleCall(rep), ctx);
    expect(ok.error).toBeUndefined();
    const bad = await registry.runWithArgs('feedback', { customer: 'C3', scale: 'nps', score: 12 }, consoleCall(rep), ctx);
    expect(bad.error?.code).toBe('INVALID_ARGS');
  });
});
