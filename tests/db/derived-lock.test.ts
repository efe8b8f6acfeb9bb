// A long read of the insights (an off-loop worker scanning them) must not stop writes to the store:
// the derived-data file is attached to every connection, and a transaction that took a write lock
// on it too could not commit while another connection read it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { localDay } from '../../src/core/time.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { consoleCall, makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';
import { onPostgres } from '../helpers/test-database.ts';

// SQLite's derived-data file and its locks: PostgreSQL has neither (the SQLite pass runs this).
describe.skipIf(onPostgres)('GIVEN another connection in the middle of reading the insights', () => {
  let ctx: TestContext;
  let reader: Store;
  let open: Iterator<unknown> | undefined;
  beforeAll(async () => {
    ctx = await makeTestContext();
    await seedTestDemo(ctx, 150);
    await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) });
    reader = await openStore(ctx.config.databaseUrl, { readonly: true, busyTimeoutMs: 20 });
    // A read left open holds its lock on the derived-data file, as a long scan does.
    open = reader.sqlite!.prepare('SELECT customer_id FROM insights').raw(true).iterate()[Symbol.iterator]();
    expect(open.next().done).toBe(false);
  });
  afterAll(async () => {
    open?.return?.();
    await reader?.close();
    await ctx?.cleanup();
  });

  it('THEN /feedback is stored', async () => {
    const reply = await createRegistry().run('/feedback C00001 4 "fine, thanks"', consoleCall(), ctx);
    expect(reply.error).toBeUndefined();
    const rows = await ctx.store.db.selectFrom('feedback').select('comment').where('platform', '=', 'console').execute();
    expect(rows.map((r) => r.comment)).toEqual(['fine, thanks']);
  });

  it('THEN a refresh publishes its insights', async () => {
    const card = await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) });
    const live = await ctx.store.db.selectFrom('insights').select('run_id').limit(1).executeTakeFirstOrThrow();
    expect(Number(live.run_id)).toBe(card.runId);
  });
});
