// The import upsert on PostgreSQL, a batch at a time: the same rules as SQLite's (bulk-rows.ts), but
// a batch is copied (`COPY … FROM STDIN`) into a staging table of the session and goes into the
// table in one INSERT … SELECT that also returns what was stored before, so a batch of new rows is
// one COPY and one statement; the rows that were there already are decided in JS and written back
// as one UPDATE. Race-safe: `ON CONFLICT DO NOTHING` decides which of two imports of one file
// stores a row, and the other finds it stored (the same values: unchanged). A row with a NUL
// character is refused before sending; a batch PostgreSQL refuses (a value out of range) is retried
// in halves until the refused rows stand alone; they come back as `refused` with the database's
// reason, and every other row lands.
import { sql, type CompiledQuery, type Kysely, type RawBuilder } from 'kysely';
import type { PoolClient } from 'pg';
import { CONTENT_ID, customerSearchText, customerTermsOf, decide, fillInsert, type Outcome, type RowSource, type TableSpec, type Value } from './bulk-rows.ts';
import { copyRows, holdsNul, inTransaction, type PostgresHandle } from './postgres-copy.ts';
import type { Database } from './schema.ts';

const INSERTED: Outcome = Object.freeze({ kind: 'inserted' });
const UNCHANGED: Outcome = Object.freeze({ kind: 'unchanged' });
/** SQLSTATE classes of a row's own fault: data exceptions, integrity violations, program limits (an index row too big). */
const ROW_FAULTS = ['22', '23', '54'];
/** Another transaction's locks in a cycle with ours, or a serialization failure: the batch is run again. */
const RETRY = new Set(['40P01', '40001']);
const MAX_RETRIES = 5;
const FOREIGN_KEY = '23503';

interface Column {
  name: string;
  /** The type `unnest` casts its array to. */
  type: string;
  /** Read back as a string by pg (bigint, numeric): turned into a number for comparing. */
  numericText: boolean;
  /** The column's collation when not the database's (text compares in "C"), quoted. */
  collation: string | null;
}

export function postgresWriter(
  db: Kysely<Database>,
  pool: PostgresHandle,
  spec: TableSpec,
  importId: number,
  options: { insertOnly?: boolean },
): (src: RowSource) => Promise<Outcome[]> {
  let types: Promise<Map<string, Column>> | undefined;
  const columnsOf = () => (types ??= columnTypes(db, spec.table));
  return async (src) => {
    const cols = await columnsOf();
    const out: Outcome[] = new Array(src.length);
    await isolate(spec, src, 0, src.length, out, (from, to) => writeBatch(db, pool, spec, cols, importId, options, slice(src, from, to)));
    return out;
  };
}

/**
 * Writes rows [from, to) in one transaction; when PostgreSQL refuses one of them, the two halves
 * are written apart, down to the refused rows alone.
 */
async function isolate(
  spec: TableSpec,
  src: RowSource,
  from: number,
  to: number,
  out: Outcome[],
  write: (from: number, to: number) => Promise<Outcome[]>,
): Promise<void> {
  if (from >= to) return;
  for (let attempt = 0; ; attempt++) {
    try {
      const done = await write(from, to);
      for (let i = 0; i < done.length; i++) out[from + i] = done[i]!;
      return;
    } catch (err) {
      const code = sqlState(err);
      if (RETRY.has(code) && attempt < MAX_RETRIES) continue;
      if (!ROW_FAULTS.includes(code.slice(0, 2))) throw err;
      if (to - from === 1) {
        out[from] = refused(err as Error);
        return;
      }
      const mid = from + Math.ceil((to - from) / 2);
      await isolate(spec, src, from, mid, out, write);
      await isolate(spec, src, mid, to, out, write);
      return;
    }
  }
}

function sqlState(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** PostgreSQL's text cannot hold U+0000 (SQLite's can): such a row is never sent, and its column is named. */
function refusedNul(spec: TableSpec, values: readonly Value[]): Outcome {
  const nul = values.findIndex(holdsNul);
  return { kind: 'refused', column: spec.columns[nul] ?? null, reason: 'holds a NUL character (U+0000), which PostgreSQL cannot store in text' };
}

function refused(err: Error): Outcome {
  const column = (err as { column?: unknown }).column;
  return { kind: 'refused', column: typeof column === 'string' ? column : null, reason: `the database refused it: ${err.message}` };
}

function slice(src: RowSource, from: number, to: number): RowSource {
  if (from === 0 && to === src.length) return src;
  return { length: to - from, read: (i, o, at) => src.read(from + i, o, at), line: (i) => src.line(from + i), flags: (i) => src.flags(from + i) };
}

async function columnTypes(db: Kysely<Database>, table: string): Promise<Map<string, Column>> {
  const r = await sql<{ name: string; type: string; numeric_text: boolean; collation: string | null }>`
    select attname as name, format_type(atttypid, atttypmod) as type, atttypid in ('int8'::regtype, 'numeric'::regtype) as numeric_text,
      (select quote_ident(c.collname) from pg_collation c where c.oid = a.attcollation and c.collname <> 'default') as collation
    from pg_attribute a where attrelid = ${table}::regclass and attnum > 0 and not attisdropped order by attnum`.execute(db);
  return new Map(r.rows.map((c) => [c.name, { name: c.name, type: c.type, numericText: c.numeric_text, collation: c.collation }]));
}

/** `unnest(array per column) as alias(names)`: rows sent as columns, cast to their columns' types. */
function unnestOf(names: readonly string[], types: readonly string[], columns: readonly Value[][] | readonly unknown[][], alias: string): RawBuilder<unknown> {
  const arrays = columns.map((c, j) => sql`${c}::${sql.raw(types[j]!)}[]`);
  return sql`unnest(${sql.join(arrays)}) as ${sql.raw(alias)}(${sql.join(names.map((n) => sql.id(n)))})`;
}

async function writeBatch(
  db: Kysely<Database>,
  pool: PostgresHandle,
  spec: TableSpec,
  types: Map<string, Column>,
  importId: number,
  options: { insertOnly?: boolean },
  src: RowSource,
): Promise<Outcome[]> {
  return inTransaction(pool, (client) => writeRows({ db, client }, spec, types, importId, options, src));
}

/** One client in one transaction: kysely builds the statements, the client runs them (and the COPY). */
interface Conn {
  db: Kysely<Database>;
  client: PoolClient;
}

async function run<R>(conn: Conn, q: RawBuilder<R> | CompiledQuery<R>): Promise<R[]> {
  const c = 'sql' in q ? q : q.compile(conn.db);
  return (await conn.client.query(c.sql, c.parameters as unknown[])).rows as R[];
}

/**
 * The session's staging table for `spec`'s table, created on first use and emptied by every commit
 * or rollback: the target's types and collations, none of its constraints (a row of a partial file
 * may leave a required column empty: it only updates), then each row's place and whether it is the
 * first of its key in the batch.
 */
async function stageFor(conn: Conn, spec: TableSpec, types: Map<string, Column>, insertCols: readonly string[]): Promise<string> {
  const name = `pulse_stage_${spec.table}`;
  const typeOf = (c: Column) => (c.collation ? `${c.type} collate ${c.collation}` : c.type);
  const cols = [...insertCols.map((c) => `"${c}" ${typeOf(types.get(c)!)}`), 'ord integer', 'first boolean'];
  await conn.client.query(`create temp table if not exists ${name} (${cols.join(', ')}) on commit delete rows`);
  return name;
}

/** A staged row the upsert did not insert: its position, whether its parent exists, what was stored under its key (`e_…`). */
type UpsertRow = Record<string, unknown> & { ord: number; parent_ok: boolean; found: boolean };

async function writeRows(
  conn: Conn,
  spec: TableSpec,
  types: Map<string, Column>,
  importId: number,
  options: { insertOnly?: boolean },
  src: RowSource,
  alone = false,
): Promise<Outcome[]> {
  const cols = spec.columns;
  const n = cols.length;
  const len = src.length;
  const isCustomer = spec.table === 'customers';
  const parentTable = spec.parent === 'customer' ? 'customers' : 'orders';
  const parentKey = spec.parent === 'customer' ? 'customer_id' : 'order_id';
  const parentAt = isCustomer ? -1 : cols.indexOf(parentKey);
  const keyOf = (row: readonly Value[]) =>
    spec.keyIndex.length === 1 ? String(row[spec.keyIndex[0]!]) : spec.keyIndex.map((k) => String(row[k])).join('\u0000');

  const out: Outcome[] = new Array(len);
  const rows: Value[][] = new Array(len);
  const flags = new Int32Array(len);
  const lines = new Array<number>(len);
  // Rows that cannot be sent at all (a NUL character): refused here, the others staged.
  const staged: number[] = [];
  for (let i = 0; i < len; i++) {
    const row: Value[] = new Array(n).fill(null);
    src.read(i, row);
    rows[i] = row;
    flags[i] = src.flags(i);
    lines[i] = src.line(i);
    if (row.some(holdsNul)) out[i] = refusedNul(spec, row);
    else staged.push(i);
  }

  if (rows.some((_, i) => flags[i]! & CONTENT_ID)) await resolveContentIds(conn, spec, importId, rows, flags);
  // The first row of each key is offered for insertion; a later one with the same key is decided
  // against what the earlier one left (as SQLite's row-by-row path does).
  const first = new Uint8Array(len);
  const seen = new Set<string>();
  for (const i of staged) {
    const k = keyOf(rows[i]!);
    if (!seen.has(k)) {
      seen.add(k);
      first[i] = 1;
    }
  }
  const insertCols = isCustomer ? [...cols, 'search_text', 'import_line'] : [...cols, 'import_line'];
  const stage = await stageFor(conn, spec, types, insertCols);
  if (alone) await conn.client.query(`delete from ${stage}`);
  const fresh: Value[] = new Array(n);
  await copyRows(conn.client, stage, [...insertCols, 'ord', 'first'], staged, (i, o) => {
    fillInsert(spec, rows[i]!, flags[i]!, fresh);
    for (let c = 0; c < n; c++) o[c] = fresh[c];
    if (isCustomer) o[n] = customerSearchText(fresh);
    o[insertCols.length - 1] = lines[i];
    o[insertCols.length] = i;
    o[insertCols.length + 1] = first[i] === 1;
  });
  const keyCols = spec.key;
  const on = (a: string, b: string) => sql.join(keyCols.map((k) => sql`${sql.raw(a)}.${sql.id(k)} = ${sql.raw(b)}.${sql.id(k)}`), sql` and `);
  const parentOf = (alias: string) =>
    parentAt < 0 ? sql`true` : sql`exists (select 1 from ${sql.table(parentTable)} p where p.${sql.id(parentKey)} = ${sql.raw(alias)}.${sql.id(parentKey)})`;
  const storedCols = [...cols, 'import_id', 'import_line'];
  const keyList = sql.join(keyCols.map((k) => sql.id(k)));
  // Only the rows not inserted come back, with what was stored already (`e`: the SELECT sees the
  // table as it was before this statement) — none at all for a batch of new rows.
  const upsert = (checked: boolean) => sql<UpsertRow>`
    with ins as (
      insert into ${sql.table(spec.table)} (${sql.join(insertCols.map((c) => sql.id(c)))}, import_id)
      select ${sql.join(insertCols.map((c) => sql`s.${sql.id(c)}`))}, ${importId}::integer from ${sql.table(stage)} s
      where s.first${checked ? sql` and ${parentOf('s')}` : sql``} order by s.ord
      on conflict (${keyList}) do nothing
      returning ${keyList}
    ),
    rest as materialized (select s.* from ${sql.table(stage)} s left join ins on s.first and ${on('ins', 's')} where ins.${sql.id(keyCols[0]!)} is null)
    select r.ord, ${parentOf('r')} as parent_ok, e.${sql.id(keyCols[0]!)} is not null as found,
      ${sql.join(storedCols.map((c) => sql`e.${sql.id(c)} as ${sql.id('e_' + c)}`))}
    from rest r left join ${sql.table(spec.table)} e on ${on('e', 'r')}`;
  // New rows go in unchecked: the foreign key checks each one anyway. A batch that names an unknown
  // customer (order) fails as a whole and goes again from the savepoint, its parents looked up in
  // one join: the staged rows stay, nothing is sent twice.
  let result: UpsertRow[];
  if (parentAt < 0) result = await run(conn, upsert(false));
  else {
    await conn.client.query('savepoint pulse_upsert');
    try {
      result = await run(conn, upsert(false));
    } catch (err) {
      if (sqlState(err) !== FOREIGN_KEY) throw err;
      await conn.client.query('rollback to savepoint pulse_upsert');
      result = await run(conn, upsert(true));
    }
  }
  const back = new Map<number, UpsertRow>();
  for (const r of result) back.set(Number(r.ord), r);

  const state = new Map<string, Value[]>();
  const stored = (r: Record<string, unknown>): Value[] =>
    storedCols.map((c) => {
      const v = r['e_' + c] as Value;
      return v !== null && types.get(c)!.numericText ? Number(v) : v;
    });
  const updates: { row: Value[]; line: number }[] = [];
  const touches: { row: Value[]; line: number }[] = [];
  const newTerms: Value[][] = [];
  for (const i of staged) {
    const r = back.get(i);
    const row = rows[i]!;
    const key = keyOf(row);
    if (!r) {
      fillInsert(spec, row, flags[i]!, fresh);
      state.set(key, [...fresh, importId, lines[i]!]);
      if (isCustomer) newTerms.push([...fresh]);
      out[i] = INSERTED;
      continue;
    }
    if (!r.parent_ok) {
      out[i] = { kind: 'missing-parent', parent: spec.parent };
      continue;
    }
    if (options.insertOnly) {
      out[i] = UNCHANGED;
      continue;
    }
    let existing = state.get(key) ?? (r.found ? stored(r) : undefined);
    // Stored by another import while this statement ran (it waited for it, then left it): read it now.
    existing ??= await storedNow(conn, spec, storedCols, row, types);
    if (!existing) {
      // Gone again (the other import rolled back): offered once more, alone.
      if (alone) throw new Error(`${spec.table} ${key}: neither stored nor insertable`);
      out[i] = (await writeRows(conn, spec, types, importId, options, single(row, flags[i]!, lines[i]!), true))[0]!;
      continue;
    }
    const d = decide(spec, row, flags[i]!, existing, importId);
    if (d.touch) {
      touches.push({ row, line: lines[i]! });
      state.set(key, [...existing.slice(0, n), importId, lines[i]!]);
    }
    if (d.merged) {
      updates.push({ row: d.merged, line: lines[i]! });
      state.set(key, [...d.merged, importId, lines[i]!]);
    }
    out[i] = d.outcome;
  }

  if (updates.length > 0) {
    const setCols = isCustomer ? [...cols, 'search_text', 'import_line'] : [...cols, 'import_line'];
    const data = setCols.map((c, j) =>
      updates.map((u) => (c === 'import_line' ? u.line : c === 'search_text' ? customerSearchText(u.row) : u.row[j])),
    );
    const u = unnestOf(setCols, setCols.map((c) => types.get(c)!.type), data, 'u');
    await run(conn, sql`update ${sql.table(spec.table)} t set ${sql.join(setCols.map((c) => sql`${sql.id(c)} = u.${sql.id(c)}`))}, import_id = ${importId}::integer
      from ${u} where ${on('t', 'u')}`);
    if (isCustomer) {
      await run(conn, sql`delete from customer_terms where customer_id = any(${updates.map((x) => x.row[0])}::text[])`);
      newTerms.push(...updates.map((x) => x.row));
    }
  }
  if (touches.length > 0) {
    const data = [...keyCols.map((k) => touches.map((t) => t.row[cols.indexOf(k)])), touches.map((t) => t.line)];
    const u = unnestOf([...keyCols, 'import_line'], [...keyCols.map((k) => types.get(k)!.type), 'integer'], data, 'u');
    await run(conn, sql`update ${sql.table(spec.table)} t set import_id = ${importId}::integer, import_line = u.import_line
      from ${u} where ${on('t', 'u')}`);
  }
  if (newTerms.length > 0) {
    const terms: string[] = [];
    const ids: string[] = [];
    for (const row of newTerms)
      for (const t of customerTermsOf(row)) {
        terms.push(t);
        ids.push(String(row[0]));
      }
    if (terms.length > 0)
      await run(conn, sql`insert into customer_terms (term, customer_id) select * from unnest(${terms}::text[], ${ids}::text[]) on conflict do nothing`);
  }
  return out;
}

function single(row: Value[], flags: number, line: number): RowSource {
  return {
    length: 1,
    read: (_i, o, at = 0) => row.forEach((v, c) => at + c < o.length && (o[at + c] = v)),
    line: () => line,
    flags: () => flags & ~CONTENT_ID,
  };
}

async function storedNow(
  conn: Conn,
  spec: TableSpec,
  storedCols: readonly string[],
  row: readonly Value[],
  types: Map<string, Column>,
): Promise<Value[] | undefined> {
  let q = conn.db.selectFrom(spec.table as 'customers').select(storedCols as 'customer_id'[]);
  spec.key.forEach((k, j) => (q = q.where(k as 'customer_id', '=', row[spec.keyIndex[j]!] as string)));
  const r = (await run(conn, q.compile()))[0] as Record<string, Value> | undefined;
  return r && storedCols.map((c) => (r[c] !== null && types.get(c)!.numericText ? Number(r[c]) : r[c] ?? null));
}

/**
 * Rows whose id is their content's (answers without an id): identical rows are separate answers,
 * the k-th takes `id`, `id.2`, … — the first that this import has not stored yet (in the store or
 * earlier in this batch). One read for the whole batch.
 */
async function resolveContentIds(conn: Conn, spec: TableSpec, importId: number, rows: Value[][], flags: Int32Array): Promise<void> {
  const k0 = spec.keyIndex[0]!;
  const bases = [...new Set(rows.filter((_, i) => flags[i]! & CONTENT_ID).map((r) => String(r[k0])))];
  const key = sql.id(spec.key[0]!);
  // Every stored id that starts with a base (text compares in "C": byte order, so `base.` … `base/` brackets them).
  const stored = await run(conn, sql<{ id: string; import_id: number | null }>`select t.${key} as id, t.import_id from unnest(${bases}::text[]) as b(base)
    join ${sql.table(spec.table)} t on t.${key} >= b.base and t.${key} < b.base || '/'`);
  const mine = new Set(stored.filter((r) => r.import_id !== null && Number(r.import_id) === importId).map((r) => r.id));
  for (let i = 0; i < rows.length; i++) {
    if (!(flags[i]! & CONTENT_ID)) continue;
    const base = String(rows[i]![k0]);
    for (let k = 1; ; k++) {
      const id = k === 1 ? base : `${base}.${k}`;
      if (mine.has(id)) continue;
      rows[i]![k0] = id;
      mine.add(id);
      break;
    }
  }
}
