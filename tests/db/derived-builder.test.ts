// The derived-data file a refresh builds, through the builder on a worker thread (what a big store
// uses) and inline (a small one): the same rows and indexes either way, batches acknowledged in
// order, and a row SQLite refuses fails the build with the reason instead of hanging or being lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_TEXT_CHARS, derivedSink, foldConstants, rowPacker } from '../../src/db/derived-builder.ts';
import { createDerivedFile, indexDerivedFile } from '../../src/db/sqlite-derived.ts';

const COLUMNS = ['run_id', 'scope', 'key', 'from_day', 'to_day', 'comments'];

function rows(from: number, count: number): unknown[] {
  const values: unknown[] = [];
  for (let i = from; i < from + count; i++) values.push(7, i % 2 ? 'owner' : 'all', `k${i}`, i, i + 6, i % 13 === 0 ? 0 : i);
  return values;
}

describe('derived-data builder', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('GIVEN insights to index THEN the indexes are built with small sort runs on a helper thread, and the page cache and threads are given back, even when a build fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-derived-'));
    dirs.push(dir);
    const b = createDerivedFile(join(dir, 'store.sqlite.insights-3'));
    try {
      const cache = b.pragma('cache_size', { simple: true });
      const seen: unknown[] = [];
      const exec = b.exec.bind(b);
      // What the cache is while each index is built: the sort runs are as large as it.
      b.exec = (sql: string) => {
        if (sql.startsWith('CREATE INDEX')) seen.push([b.pragma('cache_size', { simple: true }), b.pragma('threads', { simple: true })]);
        return exec(sql);
      };
      indexDerivedFile(b);
      // Sorted in 1 MiB runs, with a helper thread.
      expect(seen).toEqual(Array.from({ length: 4 }, () => [-1024, 1]));
      expect(b.pragma('cache_size', { simple: true })).toBe(cache);
      expect(b.pragma('threads', { simple: true })).toBe(0);
      // A second build meets the indexes already there and fails; the cache still comes back.
      expect(() => indexDerivedFile(b)).toThrow(/already exists/);
      expect(b.pragma('cache_size', { simple: true })).toBe(cache);
      expect(b.pragma('threads', { simple: true })).toBe(0);
    } finally {
      b.close();
    }
  });

  for (const offThread of [true, false]) {
    it(`GIVEN batches of rows ${offThread ? 'on a worker thread' : 'inline'} THEN the file holds every row, with the insights indexes`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pulse-derived-'));
      dirs.push(dir);
      const path = join(dir, 'store.sqlite.insights-7.building');
      const sink = derivedSink(path, offThread);
      // 40 batches of 1,001 rows: more than the worker lets wait at once, and not a multiple of a statement's rows.
      for (let b = 0; b < 40; b++) await sink.insert('report_term_windows', COLUMNS, rows(b * 1001, 1001));
      sink.index();
      await sink.insert('report_term_windows', COLUMNS, rows(50_000, 3));
      await sink.finish();
      const f = new BetterSqlite3(path, { readonly: true });
      try {
        expect(f.prepare('SELECT count(*), sum(comments), count(DISTINCT key) FROM report_term_windows').raw(true).get()).toEqual([40_043, expect.any(Number), 40_043]);
        const sum = (f.prepare('SELECT sum(from_day) FROM report_term_windows').pluck().get() as number);
        let want = 0;
        for (let i = 0; i < 40_040; i++) want += i;
        expect(sum).toBe(want + 50_000 + 50_001 + 50_002);
        const indexes = f.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'insights' ORDER BY name").pluck().all();
        expect(indexes).toEqual(['insights_entrants', 'insights_owner_entrants', 'insights_owner_risk', 'insights_risk']);
      } finally {
        f.close();
      }
    });

    it(`GIVEN a row SQLite refuses ${offThread ? 'on a worker thread' : 'inline'} THEN the build fails with the reason`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pulse-derived-'));
      dirs.push(dir);
      const sink = derivedSink(join(dir, 'x.building'), offThread);
      await sink.insert('report_term_windows', COLUMNS, rows(0, 5));
      // Same primary key twice.
      const failed = (async () => {
        await sink.insert('report_term_windows', COLUMNS, rows(0, 1));
        await sink.finish();
      })();
      await expect(failed).rejects.toThrow(/UNIQUE constraint failed/);
      await sink.abandon();
    });
  }

  it('GIVEN rows with long texts THEN a batch stops at a whole statement once its texts are long (they cross threads as one string), and none is lost', () => {
    type Row = { id: string; note: string | null; n: number };
    const sizes = (rows: Row[]) => {
      const packer = rowPacker<Row>('notes', ['id', 'note'], ['n'], 512);
      const out: number[] = [];
      const ids: (string | null)[] = [];
      const take = () => {
        const b = packer.take();
        if (b) {
          out.push(b.rows);
          for (let r = 0; r < b.rows; r++) ids.push(b.text[2 * r]!);
        }
      };
      for (const row of rows) if (packer.add(row)) take();
      take();
      expect(ids).toEqual(rows.map((r) => r.id));
      return out;
    };
    const long = Array.from({ length: 1_000 }, (_, i) => ({ id: `c${i}`, note: 'x'.repeat(500), n: i }));
    // 128 rows of 500 characters pass the budget at the first check: statements stay whole.
    expect(500 * 128).toBeGreaterThanOrEqual(BATCH_TEXT_CHARS);
    expect(sizes(long)).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
    const short = Array.from({ length: 1_100 }, (_, i) => ({ id: `c${i}`, note: i % 2 ? null : 'ok', n: i }));
    expect(sizes(short)).toEqual([512, 512, 76]);
  });

  it('GIVEN a batch THEN only foldable columns with one whole number, or null, in every row become literals', () => {
    const numbers = ['run_id', 'day', 'share', 'score', 'missing', 'big'];
    // Three rows: run_id 7 throughout, day varies, share is 0.5 throughout (not whole), score is
    // not foldable, missing is null (NaN) throughout, big is past the safe integers.
    const number = Float64Array.from([7, 1, 0.5, 3, NaN, 2 ** 60, 7, 2, 0.5, 3, NaN, 2 ** 60, 7, 3, 0.5, 3, NaN, 2 ** 60]);
    const folded = foldConstants({ numbers, number, rows: 3, foldable: ['run_id', 'day', 'share', 'missing', 'big'] });
    expect(folded.fixed).toEqual([['run_id', '7'], ['missing', 'NULL']]);
    expect(folded.bound).toEqual([1, 2, 3, 5]);
    expect(foldConstants({ numbers, number, rows: 3 }).fixed).toEqual([]);
  });

  for (const offThread of [true, false]) {
    it(`GIVEN rows packed as columns ${offThread ? 'on a worker thread' : 'inline'} THEN the file holds what the same rows as value lists give, nulls, empty texts, integers and columns folded into literals alike`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pulse-derived-'));
      dirs.push(dir);
      const texts = ['scope', 'key', 'label', 'tiers'] as const;
      const numbers = ['run_id', 'customers', 'revenue', 'clv', 'value_at_risk', 'scored', 'at_risk', 'at_risk_value', 'clv_customers', 'clv_top20'] as const;
      type Group = Record<(typeof texts)[number], string | null> & Record<(typeof numbers)[number], number | null>;
      const groups: Group[] = Array.from({ length: 2_500 }, (_, i) => ({
        // Empty strings beside nulls, and characters of two UTF-16 units (the texts cross to the worker as one string and lengths).
        scope: i % 3 ? 'owner' : 'segment', key: `k${i}`, label: i % 4 ? `Label ${i}${i % 9 ? '' : ' Café 👍🏽'}` : null, tiers: i % 5 ? null : i % 10 ? '[{"name":"Gold"}]' : '',
        run_id: 3, customers: i, revenue: i * 1.25, clv: i % 7 ? i / 3 : 0, value_at_risk: -i, scored: i % 2, at_risk: 0, at_risk_value: 1e15 + i,
        // clv_top20 is null in every row of the third batch of 1,024 (folded there as a NULL literal).
        clv_customers: i, clv_top20: i % 6 && i < 2_048 ? i * 0.01 : null,
      }));
      const build = async (name: string, packed: boolean) => {
        const path = join(dir, name);
        const sink = derivedSink(path, offThread);
        if (packed) {
          // Foldable: run_id and at_risk hold one value throughout, clv_top20 in one batch, scored in none.
          const packer = rowPacker<Group>('report_groups', texts, numbers, 1_024, ['run_id', 'at_risk', 'clv_top20', 'scored']);
          for (const g of groups) if (packer.add(g)) await sink.insertPacked(packer.take()!);
          await sink.insertPacked(packer.take()!);
        } else {
          const columns = [...texts, ...numbers];
          await sink.insert('report_groups', columns, groups.flatMap((g) => columns.map((c) => g[c])));
        }
        await sink.finish();
        const f = new BetterSqlite3(path, { readonly: true });
        try {
          return f.prepare('SELECT *, typeof(customers), typeof(revenue), typeof(clv_top20) FROM report_groups ORDER BY scope, key').raw(true).all();
        } finally {
          f.close();
        }
      };
      const lists = await build('lists.building', false);
      const packed = await build('packed.building', true);
      expect(packed).toHaveLength(2_500);
      expect(packed).toEqual(lists);
    });
  }
});
