// Themes and pain points are posted into channels by the weekly digest: they are counted from
// comments whose email addresses and phone numbers are hidden first, so none is made of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { localDay } from '../../src/core/time.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { consoleCall, makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await makeTestContext();
  await seedTestDemo(ctx, 200, 11);
  const registry = createRegistry();
  for (let i = 0; i < 25; i++) {
    const customer = `C${String(i + 1).padStart(5, '0')}`;
    const reply = await registry.run(`/feedback ${customer} 1 "late again, write to jane.doe@acme-widgets.com or call (415) 555-2671 case ${i}"`, consoleCall(), ctx);
    expect(reply.error).toBeUndefined();
  }
  await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), 'UTC') });
});
afterAll(async () => ctx?.cleanup());

describe('GIVEN low-score comments that carry an email address and a phone number', () => {
  it('THEN no theme or pain point of /satisfaction is made of them', async () => {
    const reply = await createRegistry().run('/satisfaction 7d', consoleCall(), ctx);
    const terms = (reply.tables ?? []).filter((t) => /Pain points|Top themes/.test(t.title ?? '')).flatMap((t) => t.rows.map((r) => r[0]!));
    expect(terms.length).toBeGreaterThan(0);
    expect(terms.some((t) => t.includes('late'))).toBe(true);
    for (const t of terms) expect(t).not.toMatch(/jane|doe|acme|widgets|415|555|2671/);
  });
});
