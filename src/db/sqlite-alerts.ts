// Raising alerts (and writing their matched controls) on SQLite through prepared statements in one
// write transaction: the refresh of a million customers can raise tens of thousands in a week, and
// the multi-row kysely statements cost ~100 µs an alert there (seconds in all) where these cost a
// few. The transaction takes the store's write lock the way every writer does (beginWrite: not the
// attached derived file's). Inside it no other writer runs, so the largest id and each customer's latest episode are read once and stay true;
// the episode key's ON CONFLICT DO NOTHING still stands guard.
import { newAlertRow, type AlertRow, type ControlRow, type NewAlert } from './alerts.ts';
import { beginWrite } from './sqlite-retry.ts';
import type { SqliteHandle } from './store.ts';

/** Every column of a new alert, in the order of the INSERT below. */
const COLUMNS = [
  'alert_id', 'customer_id', 'kind', 'episode', 'owner', 'owner_key', 'raised_at', 'raised_by', 'run_id', 'as_of_day', 'last_purchase_day',
  'churn_risk', 'previous_risk', 'value_at_risk', 'worth', 'feedback_id', 'details', 'state', 'claimed_by', 'claimed_at', 'snoozed_until',
  'snoozed_by', 'snoozes', 'escalated_at', 'notified_at', 'resolved_at', 'resolution', 'updated_at',
] as const satisfies readonly (keyof AlertRow)[];

/**
 * Raises each alert unless its customer has an open one of that kind, with its raise delivery due
 * `dueAt`, all or nothing. Throws SQLITE_BUSY when another process holds the write lock longer than
 * the connection waits (the caller then takes the retrying path).
 */
export function raiseAlertsSqlite(h: SqliteHandle, alerts: readonly NewAlert[], dueAt: string): AlertRow[] {
  const latest = h.prepare('SELECT episode, state FROM alerts WHERE customer_id = ? AND kind = ? ORDER BY episode DESC LIMIT 1');
  const insert = h.prepare(`INSERT INTO alerts (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`);
  const delivery = h.prepare(
    'INSERT INTO alert_deliveries (delivery_key, alert_id, purpose, due_at, status, attempts, direct, updated_at) ' +
      "VALUES (?, ?, 'raise', ?, 'pending', 0, 0, ?) ON CONFLICT (delivery_key) DO NOTHING",
  );
  const largest = h.prepare('SELECT max(alert_id) FROM alerts').pluck();
  return inWriteTransaction(h, (): AlertRow[] => {
    let next = Number(largest.get() ?? 0) + 1;
    const raised: AlertRow[] = [];
    for (const a of alerts) {
      const last = latest.get(a.customer_id, a.kind) as { episode: number; state: string } | undefined;
      if (last && last.state !== 'resolved') continue;
      const row = newAlertRow(a, next, (last?.episode ?? 0) + 1);
      if (insert.run(...COLUMNS.map((c) => row[c])).changes !== 1) continue;
      delivery.run(`${row.alert_id}:raise`, row.alert_id, dueAt, dueAt);
      raised.push(row);
      next++;
    }
    return raised;
  });
}

/** Each alert's matched control (an alert that has one keeps it), all or nothing. */
export function insertControlsSqlite(h: SqliteHandle, rows: readonly ControlRow[]): void {
  const insert = h.prepare(
    'INSERT INTO alert_controls (alert_id, customer_id, run_id, as_of_day, last_purchase_day, churn_risk, value_at_risk) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (alert_id) DO NOTHING',
  );
  inWriteTransaction(h, () => {
    for (const r of rows) insert.run(r.alert_id, r.customer_id, r.run_id, r.as_of_day, r.last_purchase_day, r.churn_risk, r.value_at_risk);
  });
}

/** `fn` inside one write transaction, committed, or rolled back when anything in it throws. */
function inWriteTransaction<T>(h: SqliteHandle, fn: () => T): T {
  beginWrite(h);
  try {
    const out = fn();
    h.exec('COMMIT');
    return out;
  } catch (err) {
    if ((h as { inTransaction?: boolean }).inTransaction) h.exec('ROLLBACK');
    throw err;
  }
}
