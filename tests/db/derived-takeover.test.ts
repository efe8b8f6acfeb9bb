// A refresh's new derived-data file takes over the pages of the retired one (createDerivedFile with
// `retired`): emptied and renamed, never while a connection still reads it, and a new file instead
// whenever it cannot be had.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DERIVED_TABLES, DERIVED_VERSION } from '../../src/db/derived-schema.ts';
import { createDerivedFile, indexDerivedFile } from '../../src/db/sqlite-derived.ts';

const INSIGHTS = 200;

/** A published derived file with INSIGHTS insight rows, indexed, and a table a later version no longer has. */
function publishedFile(path: string): void {
  const b = createDerivedFile(path);
  b.exec('BEGIN');
  const insert = b.prepare("INSERT INTO insights (customer_id, run_id, as_of_day, orders, purchase_days, revenue, lifecycle_stage, churn_risk) VALUES (?, 1, 100, 1, 1, ?, 'active', ?)");
  for (let i = 0; i < INSIGHTS; i++) insert.run(`C${String(i).padStart(5, '0')}`, i * 10, (i % 100) / 100);
  indexDerivedFile(b);
  b.exec('CREATE TABLE dropped_since (x)');
  b.exec('COMMIT');
  b.close();
}

const tablesOf = (b: BetterSqlite3.Database) => b.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
const expectedTables = () => DERIVED_TABLES.map((ddl) => /CREATE TABLE (\w+)/.exec(ddl)![1]).sort();

describe('a derived file taking over the retired one', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pulse-takeover-'));
    dirs.push(d);
    return d;
  };

  it('GIVEN a retired file nobody reads THEN the new file is that file, emptied, of the current version, and its pages are written over', () => {
    const dir = tempDir();
    const retired = join(dir, 'store.sqlite.insights-1');
    const building = join(dir, 'store.sqlite.insights-3.building');
    publishedFile(retired);
    const inode = statSync(retired).ino;
    const pages = statSync(retired).size;

    const b = createDerivedFile(building, retired);
    try {
      expect(existsSync(retired)).toBe(false);
      // Locks are waited for as in a new file.
      expect(b.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(statSync(building).ino).toBe(inode);
      expect(tablesOf(b)).toEqual(expectedTables());
      expect(b.prepare('SELECT count(*) FROM insights').pluck().get()).toBe(0);
      expect(b.pragma('user_version', { simple: true })).toBe(DERIVED_VERSION);
      expect(b.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'insights_%'").pluck().get()).toBe(0);
      // The old rows' pages are free for the new ones: the file kept its size.
      expect(b.pragma('freelist_count', { simple: true })).toBeGreaterThan(0);
      expect(statSync(building).size).toBe(pages);
      // And it is built on as a new file is.
      b.exec('BEGIN');
      b.prepare("INSERT INTO insights (customer_id, run_id, as_of_day, orders, purchase_days, revenue, lifecycle_stage) VALUES ('N1', 3, 101, 2, 2, 5, 'new')").run();
      indexDerivedFile(b);
      b.exec('COMMIT');
    } finally {
      b.close();
    }
    const reader = new BetterSqlite3(building, { readonly: true });
    try {
      expect(reader.prepare('SELECT customer_id, run_id FROM insights').all()).toEqual([{ customer_id: 'N1', run_id: 3 }]);
      expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(statSync(building).size).toBe(pages);
    } finally {
      reader.close();
    }
  });

  it('GIVEN a connection still reading the retired file THEN a new file is made, and the reader reads every old row to the end', () => {
    const dir = tempDir();
    const retired = join(dir, 'store.sqlite.insights-1');
    const building = join(dir, 'store.sqlite.insights-3.building');
    publishedFile(retired);
    const inode = statSync(retired).ino;
    // As a bot's connection has it attached, mid-way through a statement.
    const reader = new BetterSqlite3(':memory:');
    reader.prepare('ATTACH DATABASE ? AS derived').run(retired);
    const rows = reader.prepare('SELECT customer_id FROM derived.insights ORDER BY customer_id').pluck().iterate() as IterableIterator<string>;
    const seen = [rows.next().value];

    const b = createDerivedFile(building, retired);
    try {
      expect(statSync(building).ino).not.toBe(inode);
      expect(tablesOf(b)).toEqual(expectedTables());
      expect(b.pragma('freelist_count', { simple: true })).toBe(0);
      // The retired file is gone by name, not emptied: the reader holds it open.
      expect(existsSync(retired)).toBe(false);
      for (const id of rows) seen.push(id);
      expect(seen).toHaveLength(INSIGHTS);
      expect(seen[INSIGHTS - 1]).toBe(`C${String(INSIGHTS - 1).padStart(5, '0')}`);
      expect(reader.prepare('SELECT count(*) FROM derived.insights').pluck().get()).toBe(INSIGHTS);
    } finally {
      b.close();
      reader.close();
    }
  });

  it('GIVEN a retired path that is not a database, or no longer there THEN a new file is made', () => {
    const dir = tempDir();
    const garbage = join(dir, 'store.sqlite.insights-1');
    writeFileSync(garbage, 'not a database, but long enough to look like one might be there'.repeat(100));
    for (const retired of [garbage, join(dir, 'store.sqlite.insights-2')]) {
      const building = join(dir, `store.sqlite.insights-${retired === garbage ? 5 : 6}.building`);
      const b = createDerivedFile(building, retired);
      try {
        expect(tablesOf(b)).toEqual(expectedTables());
        expect(b.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        b.close();
      }
      expect(existsSync(retired)).toBe(false);
    }
  });
});
