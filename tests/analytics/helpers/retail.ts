// Loader for UCI Online Retail (../shared/retail/online_retail.csv.gz, see its README): one order per
// invoice (amount = Σ quantity × unit price), customer = CustomerID, invoices starting with C are
// refunds, lines without a CustomerID (guest checkouts) are left out. Read straight from the gz file
// until `pulse import transactions` can put it in a store.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { OrderHistories } from '../../../src/db/histories.ts';

export const RETAIL_FILE = path.resolve(process.cwd(), '../shared/retail/online_retail.csv.gz');

/** 2011-12-09, the newest invoice's day, as days since 1970-01-01. */
export const RETAIL_LAST_DAY = Date.UTC(2011, 11, 9) / 86_400_000;

/** Missing data makes the tests fail with this message, unless PULSE_ALLOW_MISSING_RETAIL=1 skips them. */
export function retailStatus(): { skip: boolean; message: string } {
  if (existsSync(RETAIL_FILE)) return { skip: false, message: '' };
  const message = `UCI Online Retail data missing: ${RETAIL_FILE} (or set PULSE_ALLOW_MISSING_RETAIL=1 to skip these tests)`;
  const skip = process.env['PULSE_ALLOW_MISSING_RETAIL'] === '1';
  if (skip) console.warn(`SKIPPING retail tests: ${message}`);
  return { skip, message };
}

/** Splits one CSV record (no embedded newlines in this file) honouring double quotes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

let cached: OrderHistories | undefined;

/** Every customer's invoices as compressed rows (customers sorted by id, orders by day). */
export function loadRetailHistories(): OrderHistories {
  if (cached) return cached;
  if (!existsSync(RETAIL_FILE)) throw new Error(retailStatus().message);
  const text = gunzipSync(readFileSync(RETAIL_FILE)).toString('utf8');
  const invoices = new Map<string, { customer: string; day: number; amount: number }>();
  let header = true;
  for (const line of text.split(/\r?\n/)) {
    if (header) {
      header = false;
      continue;
    }
    if (line === '') continue;
    const [invoice, , , quantity, date, price, customer] = splitCsvLine(line);
    if (!invoice || !customer) continue;
    const id = String(Number(customer)); // 17850.0 is customer 17850
    const day = Date.UTC(Number(date!.slice(0, 4)), Number(date!.slice(5, 7)) - 1, Number(date!.slice(8, 10))) / 86_400_000;
    const amount = Number(quantity) * Number(price);
    const entry = invoices.get(invoice);
    if (entry) entry.amount += amount;
    else invoices.set(invoice, { customer: id, day, amount });
  }
  const byCustomer = new Map<string, { day: number; amount: number }[]>();
  for (const [invoice, v] of invoices) {
    // A cancellation is a refund whatever the sign its lines add up to.
    const amount = invoice.startsWith('C') ? -Math.abs(v.amount) : v.amount;
    const list = byCustomer.get(v.customer) ?? [];
    list.push({ day: v.day, amount: Math.round(amount * 100) / 100 });
    byCustomer.set(v.customer, list);
  }
  const customerIds = [...byCustomer.keys()].sort();
  const offsets = new Int32Array(customerIds.length + 1);
  const total = invoices.size;
  const days = new Int32Array(total);
  const amounts = new Float64Array(total);
  let at = 0;
  customerIds.forEach((id, i) => {
    offsets[i] = at;
    for (const o of byCustomer.get(id)!.sort((p, q) => p.day - q.day)) {
      days[at] = o.day;
      amounts[at++] = o.amount;
    }
  });
  offsets[customerIds.length] = at;
  cached = { customerIds, owners: customerIds.map(() => null), offsets, days, amounts };
  return cached;
}
