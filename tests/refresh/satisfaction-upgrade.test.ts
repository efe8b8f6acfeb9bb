// A store whose daily satisfaction rollups were stored a row per score (derived file version 1 on
// SQLite, PostgreSQL before migration 0011) reads the same figures once upgraded: the counts per
// day, scale and score, and the replies of /satisfaction, as before, without waiting for a refresh.
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import type { Context } from '../../src/core/context.ts';
import { localDay } from '../../src/core/time.ts';
import { satisfactionRows } from '../../src/db/report-rollups.ts';
import { latestRun } from '../../src/db/insights.ts';
import { openStore } from '../../src/db/store.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { consoleCall, makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';
import { storeKind } from '../helpers/test-database.ts';

type PerScore = { run_id: number; scope: string; key: string; day: number; scale: 'csat' | 'nps'; score: number; responses: number };

let ctx: TestContext;
let runId: number;
const COMMANDS = ['/satisfaction', '/satisfaction 90d', '/satisfaction week', '/satisfaction 7d'];

/** Every stored count, per scope and key, through the read the reports use. */
async function everyCount(c: Context): Promise<Record<string, unknown>> {
  const scopes = await c.store.db.selectFrom('report_satisfaction').select(['scope', 'key']).distinct().where('run_id', '=', runId).orderBy('scope').orderBy('key').execute();
  const out: Record<string, unknown> = {};
  for (const s of scopes) out[`${s.scope}/${s.key}`] = await satisfactionRows(c.store.db, runId, s.scope, s.key, -1e9, 1e9);
  return out;
}

async function replies(c: Context): Promise<string[]> {
  const registry = createRegistry();
  return Promise.all(COMMANDS.map(async (text) => JSON.stringify(await registry.run(text, consoleCall(), c))));
}

/** The rollups back in the shape of a row per score, as the previous version stored them. */
function perScore(rows: { run_id: number; scope: string; key: string; day: number; csat: string | null; nps: string | null }[]): PerScore[] {
  const out: PerScore[] = [];
  for (const r of rows) {
    r.csat?.split(',').forEach((n, k) => Number(n) > 0 && out.push({ run_id: r.run_id, scope: r.scope, key: r.key, day: r.day, scale: 'csat', score: k + 1, responses: Number(n) }));
    r.nps?.split(',').forEach((n, k) => Number(n) > 0 && out.push({ run_id: r.run_id, scope: r.scope, key: r.key, day: r.day, scale: 'nps', score: k, responses: Number(n) }));
  }
  return out;
}

beforeAll(async () => {
  ctx = await makeTestContext();
  await seedTestDemo(ctx, 300);
  runId = (await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) })).runId;
});
afterAll(async () => ctx?.cleanup());

describe(`GIVEN daily satisfaction stored a row per score (${storeKind})`, () => {
  it('WHEN the store is opened again THEN it is converted and every figure reads as before', async () => {
    const counts = await everyCount(ctx);
    const said = await replies(ctx);
    expect(Object.keys(counts).length).toBeGreaterThan(3);
    expect(Object.values(counts).flat().length).toBeGreaterThan(100);

    const stored = (await ctx.store.db.selectFrom('report_satisfaction').selectAll().execute()).map((r) => ({ ...r, run_id: Number(r.run_id), day: Number(r.day) }));
    const old = perScore(stored);
    expect(old.length).toBeGreaterThan(stored.length);
    let liveBefore: string | undefined;
    if (ctx.store.dialect === 'sqlite') {
      liveBefore = ctx.store.sqlite!.prepare("SELECT value FROM meta WHERE key = 'derived_file'").pluck().get() as string;
      await ctx.store.close();
      // The live file as version 1 wrote it.
      const f = new BetterSqlite3(join(ctx.dir, liveBefore));
      f.exec(`DROP TABLE report_satisfaction;
        CREATE TABLE report_satisfaction (run_id integer NOT NULL, scope text NOT NULL, key text NOT NULL, day integer NOT NULL, scale text NOT NULL,
          score integer NOT NULL, responses integer NOT NULL, PRIMARY KEY (run_id, scope, key, day, scale, score)) WITHOUT ROWID`);
      const insert = f.prepare('INSERT INTO report_satisfaction VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const r of old) insert.run(r.run_id, r.scope, r.key, r.day, r.scale, r.score, r.responses);
      f.pragma('user_version = 1');
      f.close();
    } else {
      // The table as migration 0004 made it, and 0011 not yet run.
      const db = ctx.store.db;
      await sql`drop table report_satisfaction`.execute(db);
      await sql`create table report_satisfaction (run_id integer not null, scope text not null, key text not null, day integer not null, scale text not null,
        score integer not null, responses integer not null, constraint report_satisfaction_pk primary key (run_id, scope, key, day, scale, score))`.execute(db);
      for (const r of old) await sql`insert into report_satisfaction values (${r.run_id}, ${r.scope}, ${r.key}, ${r.day}, ${r.scale}, ${r.score}, ${r.responses})`.execute(db);
      await sql`delete from kysely_migration where name = '0011_satisfaction_histograms'`.execute(db);
      await ctx.store.close();
    }

    // The test context closes this store at the end.
    Object.assign(ctx, { store: await openStore(ctx.config.databaseUrl) });
    expect((await latestRun(ctx.store.db))!.run_id).toBe(runId);
    if (liveBefore !== undefined) {
      const live = ctx.store.sqlite!.prepare("SELECT value FROM meta WHERE key = 'derived_file'").pluck().get() as string;
      expect(live).not.toBe(liveBefore);
      const count = await ctx.store.db.selectFrom('insights').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(300);
    }
    expect(await everyCount(ctx)).toEqual(counts);
    expect(await replies(ctx)).toEqual(said);
  });

  it.skipIf(storeKind !== 'SQLite')('WHEN a live file of version 1 cannot be converted THEN the store still opens, on an empty file until the next refresh', async () => {
    const live = ctx.store.sqlite!.prepare("SELECT value FROM meta WHERE key = 'derived_file'").pluck().get() as string;
    await ctx.store.close();
    const before = new Set(readdirSync(ctx.dir));
    const f = new BetterSqlite3(join(ctx.dir, live));
    f.exec('DROP TABLE report_groups');
    f.pragma('user_version = 1');
    f.close();
    Object.assign(ctx, { store: await openStore(ctx.config.databaseUrl) });
    const now = ctx.store.sqlite!.prepare("SELECT value FROM meta WHERE key = 'derived_file'").pluck().get() as string;
    expect(now).not.toBe(live);
    const count = await ctx.store.db.selectFrom('insights').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    // The attempt left nothing half-built beside the store: the only new file is the live one.
    expect(readdirSync(ctx.dir).filter((x) => !before.has(x) && !x.endsWith('-wal') && !x.endsWith('-shm'))).toEqual([now]);
  });
});
