// Daily satisfaction rollups as one row per scope, key and day, each scale's responses a list of
// counts per score ("0,1,0,3,2" for CSAT 1–5; eleven for NPS 0–10; null when the day had none on
// that scale), instead of one row per score: 50k rows instead of 424k at 1M customers, which the
// refresh built, sent and inserted last, after the insights' indexes. On SQLite the rollups live in
// the derived-data file (derived-schema.ts, version 2), which converts a version-1 file with the
// same expression; here on PostgreSQL the rows are copied into the new shape, and the new table
// takes the old one's name.
import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

/** A scale's counts per score, from the per-score rows of one group (SQL for SQLite and PostgreSQL alike). */
export function perScoreRowsAsCounts(scale: 'csat' | 'nps'): string {
  const [from, to] = scale === 'csat' ? [1, 5] : [0, 10];
  const count = (score: number) => `cast(sum(case when scale = '${scale}' and score = ${score} then responses else 0 end) as text)`;
  const counts = Array.from({ length: to - from + 1 }, (_, k) => count(from + k)).join(` || ',' || `);
  return `case when sum(case when scale = '${scale}' then responses else 0 end) > 0 then ${counts} end`;
}

export const satisfactionHistograms: Migration = {
  async up(db: Kysely<any>) {
    if (db.getExecutor().adapter instanceof SqliteAdapter) return;
    await db.schema
      .createTable('report_satisfaction_days')
      .addColumn('run_id', 'integer', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('csat', 'text')
      .addColumn('nps', 'text')
      .execute();
    await sql
      .raw(
        `insert into report_satisfaction_days (run_id, scope, key, day, csat, nps)
         select run_id, scope, key, day, ${perScoreRowsAsCounts('csat')}, ${perScoreRowsAsCounts('nps')}
         from report_satisfaction group by run_id, scope, key, day`,
      )
      .execute(db);
    await db.schema.dropTable('report_satisfaction').execute();
    await sql`alter table report_satisfaction_days rename to report_satisfaction`.execute(db);
    await sql`alter table report_satisfaction add constraint report_satisfaction_pk primary key (run_id, scope, key, day)`.execute(db);
  },
};
