// Where demo rows go: straight into the store (through the same upsert as imports) or to CSV files
// in the import formats (for the benchmark and for trying `pulse import`).
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createBulkWriter, type BulkWriter, type ImportKind, type RowValues } from '../db/bulk.ts';
import { finishImport, startImport } from '../db/imports.ts';
import type { Store } from '../db/store.ts';
import type { DemoSink } from './generate.ts';

export async function storeSink(store: Store, now: Date): Promise<DemoSink & { close(): Promise<void> }> {
  const importId = await startImport(store.db, 'demo', 'pulse demo', now);
  const writers = new Map<ImportKind, BulkWriter>();
  const writer = (k: ImportKind) => {
    let w = writers.get(k);
    if (!w) writers.set(k, (w = createBulkWriter(store, k, importId)));
    return w;
  };
  let line = 0;
  let written = 0;
  const put = async (k: ImportKind, rows: RowValues[]) => {
    const lines = rows.map(() => ++line);
    await writer(k).write(rows, lines);
    written += rows.length;
  };
  return {
    customers: (r) => put('customers', r),
    orders: (r) => put('orders', r),
    items: (r) => put('order-items', r),
    feedback: (r) => put('feedback', r),
    async close() {
      await finishImport(store.db, importId, { rowsRead: written, inserted: written, updated: 0, unchanged: 0, rejected: 0 }, now);
    },
  };
}

const HEADERS: Record<ImportKind, string> = {
  customers: 'customer_id,name,email,company,owner,created_at',
  orders: 'order_id,customer_id,ordered_at,amount',
  'order-items': 'order_id,product,quantity,unit_price',
  feedback: 'feedback_id,customer_id,scale,score,comment,author,created_at',
};

/** Which row values go in which CSV column (the store rows carry a derived `day` column). */
const PICK: Record<ImportKind, number[]> = {
  customers: [0, 1, 2, 3, 4, 5],
  orders: [0, 1, 2, 4],
  'order-items': [0, 1, 2, 3],
  feedback: [0, 1, 2, 3, 4, 5, 7],
};

export function csvSink(dir: string): DemoSink & { close(): Promise<void>; files: Record<ImportKind, string> } {
  mkdirSync(dir, { recursive: true });
  const files = { customers: join(dir, 'customers.csv'), orders: join(dir, 'orders.csv'), 'order-items': join(dir, 'order-items.csv'), feedback: join(dir, 'feedback.csv') };
  const streams = new Map<ImportKind, WriteStream>();
  const stream = (k: ImportKind) => {
    let s = streams.get(k);
    if (!s) {
      s = createWriteStream(files[k]);
      s.write(HEADERS[k] + '\n');
      streams.set(k, s);
    }
    return s;
  };
  const put = async (k: ImportKind, rows: RowValues[]) => {
    const text = rows.map((r) => PICK[k].map((i) => csvCell(r[i] ?? null)).join(',')).join('\n') + '\n';
    const s = stream(k);
    if (!s.write(text)) await new Promise<void>((resolve) => s.once('drain', () => resolve()));
  };
  return {
    files,
    customers: (r) => put('customers', r),
    orders: (r) => put('orders', r),
    items: (r) => put('order-items', r),
    feedback: (r) => put('feedback', r),
    async close() {
      for (const k of Object.keys(files) as ImportKind[]) stream(k);
      await Promise.all([...streams.values()].map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
    },
  };
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
