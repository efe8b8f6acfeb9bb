// The import upsert on PostgreSQL, a batch at a time: the same rules as SQLite's (bulk-rows.ts), but
// a batch is copied (`COPY … FROM STDIN`) into a staging table of the session and goes into the
// table in one INSERT … SELECT that also returns what was stored before, so a batch of new rows is
// one COPY and one statement; the rows that were there already are decided in JS and written back
// as one UPDATE. Rows whose parent is missing are found by the same statement's join. A large batch
// goes in parts, each part's COPY overlapping the upsert of the part before (see `pipelined`).
// Race-safe: `ON CONFLICT DO NOTHING` decides which of two imports of one file stores a row, and
// the other finds it stored (the same values: unchanged). A row with a NUL character is refused
// before sending; a batch PostgreSQL refuses (a value out of range) is retried
// in halves until the refused rows stand alone; they come back as `refused` with the database's
// reason, and every other row lands.
import { sql, type CompiledQuery, type Kysely, type RawBuilder } from 'kysely';
import type { PoolClient } from 'pg';
import { CONTENT_ID, customerSearchText, customerTermsOf, decide, fillInsert, type Outcome, type RowSource, type TableSpec, type Value } from './bulk-rows.ts';
import { hasContentIds, isolate, PART, pipelined, slice, sqlState } from './postgres-batch-parts.ts';
import { copyRows, holdsNul, inTransaction, type PostgresHandle } from './postgres-copy.ts';
import type { Database } from './schema.ts';

const INSERTED: Outcome = Object.freeze({ kind: 'inserted' });
const UNCHANGED: Outcome = Object.freeze({ kind: 'unchanged' });
const FOREIGN_KEY = '23503';
const UNIQUE = '23505';

/** What a writer knows for all its batches. */
interface How {
  importId: number;
  insertOnly: boolean;
  /** A foreign key checks each row's parent (else the writer's own join is the only check). */
  parentKeyed: boolean;
  /** The last part stored every row it offered: the next is tried as a plain INSERT. */
  expectNew: boolean;
}

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
  let keyed: Promise<boolean> | undefined;
  const parentKeyed = () => (keyed ??= hasParentKey(db, spec));
  let state: How | undefined;
  return async (src) => {
    const cols = await columnsOf();
    const how = (state ??= { importId, insertOnly: options.insertOnly === true, parentKeyed: await parentKeyed(), expectNew: true });
    const out: Outcome[] = new Array(src.length);
    const write = (from: number, to: number) => writeBatch(db, pool, spec, cols, how, slice(src, from, to));
    if (src.length <= PART || hasContentIds(src)) await isolate(0, src.length, out, write);
    else await pipelined(pool, (client, part) => stageRows({ db, client }, spec, cols, how, part), src, out, write);
    return out;
  };
}

/** PostgreSQL's text cannot hold U+0000 (SQLite's can): such a row is never sent, and its column is named. */
function refusedNul(spec: TableSpec, values: readonly Value[]): Outcome {
  const nul = values.findIndex(holdsNul);
  return { kind: 'refused', column: spec.columns[nul] ?? null, reason: 'holds a NUL character (U+0000), which PostgreSQL cannot store in text' };
}

async function columnTypes(db: Kysely<Database>, table: string): Promise<Map<string, Column>> {
  const r = await sql<{ name: string; type: string; numeric_text: boolean; collation: string | null }>`
    select attname as name, format_type(atttypid, atttypmod) as type, atttypid in ('int8'::regtype, 'numeric'::regtype) as numeric_text,
      (select quote_ident(c.collname) from pg_collation c where c.oid = a.attcollation and c.collname <> 'default') as collation
    from pg_attribute a where attrelid = ${table}::regclass and attnum > 0 and not attisdropped order by attnum`.execute(db);
  return new Map(r.rows.map((c) => [c.name, { name: c.name, type: c.type, numericText: c.numeric_text, collation: c.collation }]));
}

/** Whether a foreign key ties the table to its parent (orders to customers has none: migration 0010). */
async function hasParentKey(db: Kysely<Database>, spec: TableSpec): Promise<boolean> {
  if (spec.table === 'customers') return false;
  const parent = spec.parent === 'customer' ? 'customers' : 'orders';
  const r = await sql<{ n: number }>`select count(*)::int as n from pg_constraint
    where contype = 'f' and conrelid = ${spec.table}::regclass and confrelid = ${parent}::regclass`.execute(db);
  return r.rows[0]!.n > 0;
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
  how: How,
  src: RowSource,
): Promise<Outcome[]> {
  return inTransaction(pool, (client) => writeRows({ db, client }, spec, types, how, src));
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
  how: How,
  src: RowSource,
  alone = false,
): Promise<Outcome[]> {
  return (await stageRows(conn, spec, types, how, src, alone))();
}

/**
 * Copies a batch into the staging table; the function it returns upserts it from there and decides
 * each row (both on `conn`, in its transaction).
 */
async function stageRows(
  conn: Conn,
  spec: TableSpec,
  types: Map<string, Column>,
  how: How,
  src: RowSource,
  alone = false,
): Promise<() => Promise<Outcome[]>> {
  const { importId } = how;
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
  return async () => {
    const keyCols = spec.key;
    const on = (a: string, b: string) => sql.join(keyCols.map((k) => sql`${sql.raw(a)}.${sql.id(k)} = ${sql.raw(b)}.${sql.id(k)}`), sql` and `);
    const parentOf = (alias: string) =>
      parentAt < 0 ? sql`true` : sql`exists (select 1 from ${sql.table(parentTable)} p where p.${sql.id(parentKey)} = ${sql.raw(alias)}.${sql.id(parentKey)})`;
    const storedCols = [...cols, 'import_id', 'import_line'];
    const keyList = sql.join(keyCols.map((k) => sql.id(k)));
    // New rows go in first, in one INSERT … SELECT; when it stores every staged row (a batch of new
    // rows) that is all. Otherwise the rows it did not store come back with what is stored under
    // their keys — a row this statement stored carries this import and its own line, and is left out.
    const insert = (checked: boolean, onConflict: boolean) => sql`
      insert into ${sql.table(spec.table)} (${sql.join(insertCols.map((c) => sql.id(c)))}, import_id)
      select ${sql.join(insertCols.map((c) => sql`s.${sql.id(c)}`))}, ${importId}::integer from ${sql.table(stage)} s
      where s.first${checked ? sql` and ${parentOf('s')}` : sql``}${onConflict ? sql` on conflict (${keyList}) do nothing` : sql``}`;
    const rest = sql<UpsertRow>`
      select s.ord, ${parentOf('s')} as parent_ok, e.${sql.id(keyCols[0]!)} is not null as found,
        ${sql.join(storedCols.map((c) => sql`e.${sql.id(c)} as ${sql.id('e_' + c)}`))}
      from ${sql.table(stage)} s left join ${sql.table(spec.table)} e on ${on('e', 's')}
      where not coalesce(s.first and e.import_id = ${importId}::integer and e.import_line = s.import_line, false)`;
    // Two guesses that save the server work, each undone from a savepoint when wrong: that no row
    // is stored yet (a plain INSERT skips ON CONFLICT's speculative insertion; a unique violation
    // sends the part again with ON CONFLICT, and the writer stops guessing until a part is all new),
    // and, under a foreign key, that every parent exists (the key checks each row anyway; a batch
    // that names an unknown one goes again with its parents looked up in one join). The staged
    // rows stay: nothing is sent twice. Without a key (orders), that join is the only check.
    const insertNew = async (checked: boolean, plain: boolean): Promise<number> => {
      const mayFail = plain || !checked;
      if (mayFail) await conn.client.query('savepoint pulse_upsert');
      try {
        const c = insert(checked, !plain).compile(conn.db);
        return (await conn.client.query(c.sql, c.parameters as unknown[])).rowCount ?? 0;
      } catch (err) {
        const code = sqlState(err);
        if (!(code === UNIQUE && plain) && !(code === FOREIGN_KEY && !checked)) throw err;
        await conn.client.query('rollback to savepoint pulse_upsert');
        if (code === UNIQUE) how.expectNew = false;
        return code === UNIQUE ? insertNew(checked, false) : insertNew(true, plain);
      }
    };
    const firsts = staged.reduce((k, i) => k + first[i]!, 0);
    const inserted = await insertNew(parentAt < 0 || !how.parentKeyed, how.expectNew);
    how.expectNew = inserted === firsts;
    const result = inserted === staged.length ? [] : await run(conn, rest);
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
      if (how.insertOnly) {
        out[i] = UNCHANGED;
        continue;
      }
      let existing = state.get(key) ?? (r.found ? stored(r) : undefined);
      // Stored by another import while this statement ran (it waited for it, then left it): read it now.
      existing ??= await storedNow(conn, spec, storedCols, row, types);
      if (!existing) {
        // Gone again (the other import rolled back): offered once more, alone.
        if (alone) throw new Error(`${spec.table} ${key}: neither stored nor insertable`);
        out[i] = (await writeRows(conn, spec, types, how, single(row, flags[i]!, lines[i]!), true))[0]!;
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
      const sets = sql.join(setCols.map((c) => sql`${sql.id(c)} = u.${sql.id(c)}`));
      await run(conn, sql`update ${sql.table(spec.table)} t set ${sets}, import_id = ${importId}::integer
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
  };
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
