// The SQLite store's derived-data files (insights and rollups, one file per refresh): the live one
// and the one before stay, an older one becomes the next refresh's file (its pages written over),
// and a file a killed refresh left half-built goes.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fixedClock, localDay } from '../../src/core/time.ts';
import { createDerivedFile, DerivedAttachment } from '../../src/db/sqlite-derived.ts';
import { openStore } from '../../src/db/store.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { seedTestDemo, TEST_NOW } from '../helpers/context.ts';

describe('derived-data files next to a SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-derived-'));
  const file = join(dir, 'pulse.sqlite');
  let ctx: Context;
  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: file, PULSE_LOG_LEVEL: 'silent' });
    ctx = { store: await openStore(file), config, log: createLogger('silent'), clock: fixedClock(TEST_NOW) };
    await seedTestDemo(ctx, 120);
  });
  afterAll(async () => {
    await ctx.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const derivedFiles = () => readdirSync(dir).filter((f) => f.startsWith('pulse.sqlite.insights-')).sort();

  it('GIVEN three refreshes and a half-built file of a killed one THEN the live file and the one before remain, the third written over the first', async () => {
    const asOfDay = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
    const first = await refresh(ctx, { asOfDay });
    const firstFile = statSync(join(dir, `pulse.sqlite.insights-${first.runId}`)).ino;
    // A refresh killed while building leaves its file (and no run publishes it).
    writeFileSync(join(dir, `pulse.sqlite.insights-${first.runId}.building`), 'half a file');
    writeFileSync(join(dir, `pulse.sqlite.insights-${first.runId}.building-journal`), 'its journal');
    const second = await refresh(ctx, { asOfDay });
    const third = await refresh(ctx, { asOfDay });
    expect(derivedFiles()).toEqual([`pulse.sqlite.insights-${second.runId}`, `pulse.sqlite.insights-${third.runId}`].sort());
    expect(statSync(join(dir, `pulse.sqlite.insights-${third.runId}`)).ino).toBe(firstFile);
    const live = await ctx.store.db.selectFrom('insights').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(live.n)).toBe(120);
  });

  it('GIVEN another connection idle on a file since it was live WHEN the file is taken over THEN that connection reads the live file, not the one being built', async () => {
    const asOfDay = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
    const other = await openStore(file);
    try {
      const seen = () => other.db.selectFrom('insights').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('run_id').as('run')]).executeTakeFirstOrThrow();
      const first = await refresh(ctx, { asOfDay });
      expect(await seen()).toEqual({ n: 120, run: first.runId }); // attached now, then idle
      const second = await refresh(ctx, { asOfDay });
      const h = new BetterSqlite3(file);
      try {
        const retired = new DerivedAttachment(h, file).retiredFile(Infinity);
        expect(retired).toBe(join(dir, `pulse.sqlite.insights-${first.runId}`));
        // Taken over and half built, as the next refresh's writer does.
        const b = createDerivedFile(join(dir, 'pulse.sqlite.insights-999.building'), retired);
        try {
          b.exec('BEGIN');
          b.prepare("INSERT INTO insights (customer_id, run_id, as_of_day, orders, purchase_days, revenue, lifecycle_stage) VALUES ('X', 999, 1, 0, 0, 0, 'prospect')").run();
          expect(await seen()).toEqual({ n: 120, run: second.runId });
          b.exec('ROLLBACK');
        } finally {
          b.close();
        }
      } finally {
        h.close();
      }
    } finally {
      await other.close();
    }
  });

  it('GIVEN a retired file not cached, or much larger than the live one THEN a refresh does not take it over', async () => {
    const asOfDay = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
    await refresh(ctx, { asOfDay });
    await refresh(ctx, { asOfDay });
    const h = new BetterSqlite3(file);
    try {
      const derived = new DerivedAttachment(h, file);
      const retired = derived.retiredFile(Infinity);
      expect(retired).toBeDefined();
      // Every probe counted as a read from disk.
      expect(statSync(retired!).size).toBeGreaterThan(16 * 4096);
      expect(derived.retiredFile(0)).toBeUndefined();
      // A file from before the store shrank.
      appendFileSync(retired!, Buffer.alloc(statSync(retired!).size));
      expect(derived.retiredFile(Infinity)).toBeUndefined();
    } finally {
      h.close();
    }
  });
});
