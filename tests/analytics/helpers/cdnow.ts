// Loader for the CDNOW sample (Fader, Hardie & Lee 2005 data, via lifetimes' datasets folder): see ../shared/cdnow/README.md.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OrderHistories } from '../../../src/db/histories.ts';

export const CDNOW_DIR = path.resolve(process.cwd(), '../shared/cdnow');
export const CDNOW_SAMPLE = path.join(CDNOW_DIR, 'CDNOW_sample.txt');
export const CDNOW_SUMMARY = path.join(CDNOW_DIR, 'cdnow_customers_summary.csv');
export const CDNOW_SUMMARY_WITH_SPEND = path.join(CDNOW_DIR, 'cdnow_customers_summary_with_transactions.csv');

/** Day 0 is 1997-01-01; the calibration period ends on 1997-09-30 = day 272 (38.86 weeks). */
export const CALIBRATION_END_DAY = dayNumber('19970930');

/** Missing data files make the tests fail with this message, unless PULSE_ALLOW_MISSING_CDNOW=1 skips them. */
export function cdnowStatus(files: string[] = [CDNOW_SAMPLE, CDNOW_SUMMARY, CDNOW_SUMMARY_WITH_SPEND]): {
  missing: string[];
  skip: boolean;
  message: string;
} {
  const missing = files.filter((file) => !existsSync(file));
  const allow = process.env['PULSE_ALLOW_MISSING_CDNOW'] === '1';
  const message =
    missing.length === 0
      ? ''
      : `CDNOW reference data missing: ${missing.join(', ')} (copy lifetimes' datasets into ${CDNOW_DIR}, ` +
        `or set PULSE_ALLOW_MISSING_CDNOW=1 to skip these tests)`;
  if (missing.length > 0 && allow) console.warn(`SKIPPING CDNOW reference tests: ${message}`);
  return { missing, skip: missing.length > 0 && allow, message };
}

export function requireCdnowFile(file: string): string {
  if (!existsSync(file)) throw new Error(cdnowStatus([file]).message);
  return readFileSync(file, 'utf8');
}

export function dayNumber(yyyymmdd: string): number {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  return (Date.UTC(y, m - 1, d) - Date.UTC(1997, 0, 1)) / 86_400_000;
}

/** Raw transactions in compressed-row layout, customers ordered by sample id (1…2357). */
export interface CdnowTransactions {
  ids: number[];
  offsets: number[];
  days: number[];
  /** Dollars as written in the file. */
  dollars: number[];
  /** The same amounts in integer cents, for exact sums. */
  cents: number[];
}

export function loadCdnowTransactions(): CdnowTransactions {
  const byId = new Map<number, { day: number; cents: number; dollars: number }[]>();
  for (const line of requireCdnowFile(CDNOW_SAMPLE).split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const id = Number(fields[1]);
    const dollarsText = fields[4]!;
    const [whole, fraction = ''] = dollarsText.split('.');
    const cents = Number(whole) * 100 + Number((fraction + '00').slice(0, 2));
    const list = byId.get(id) ?? [];
    list.push({ day: dayNumber(fields[2]!), cents, dollars: Number(dollarsText) });
    byId.set(id, list);
  }
  const ids = [...byId.keys()].sort((p, q) => p - q);
  const out: CdnowTransactions = { ids, offsets: [0], days: [], dollars: [], cents: [] };
  for (const id of ids) {
    for (const t of byId.get(id)!) {
      out.days.push(t.day);
      out.dollars.push(t.dollars);
      out.cents.push(t.cents);
    }
    out.offsets.push(out.days.length);
  }
  return out;
}

export interface CdnowSummaryRow {
  id: number;
  x: number;
  tx: number;
  T: number;
  /** Only in the "with transactions" file. */
  zbar: number;
}

/** Parses either summary CSV (columns ID, frequency|x, recency|t_x, T[, zbar]). */
export function loadCdnowSummary(file: string): CdnowSummaryRow[] {
  const lines = requireCdnowFile(file).split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.slice(1).map((line) => {
    const [id, x, tx, T, zbar] = line.split(',').map(Number) as [number, number, number, number, number?];
    return { id, x, tx, T, zbar: zbar ?? NaN };
  });
}

/** The store's view of the sample: one customer per sample id, orders as days since 1997-01-01. */
export function cdnowHistories(tx: CdnowTransactions = loadCdnowTransactions()): OrderHistories {
  return {
    customerIds: tx.ids.map(String),
    owners: tx.ids.map(() => null),
    offsets: Int32Array.from(tx.offsets),
    days: Int32Array.from(tx.days),
    amounts: Float64Array.from(tx.dollars),
  };
}
