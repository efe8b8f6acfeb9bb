// `pulse import KIND FILE [--encoding E] [--delimiter C] [--date-format mdy|dmy] [--errors OUT.csv]
// [--no-refresh] [--json]`: imports one file, refreshes the insights (unless --no-refresh), prints
// what happened. Exit 0: every row went in; 1: some rows were rejected; 2: the file was unusable.
import { alertsAfterImport } from '../alerts/post-now.ts';
import { createContext } from '../app/context.ts';
import type { Context } from '../core/context.ts';
import { formatCount, plural } from '../core/format.ts';
import { formatDay, localDay } from '../core/time.ts';
import { knownNewestOrderDay, newestOrderDay } from '../db/imports.ts';
import type { FileKind } from '../importer/columns.ts';
import { parseEncodingOption } from '../importer/decode.ts';
import { IMPORT_KINDS, importFile, type ImportSummary } from '../importer/import-file.ts';
import { runAsBatchJob } from './batch-priority.ts';
import { parseCli, UsageError } from './cli-args.ts';
import { refreshToday } from './refresh.ts';

export const IMPORT_USAGE =
  `usage: pulse import ${IMPORT_KINDS.join('|')} FILE [--encoding utf8|utf16|cp1252] [--delimiter ,|;|tab|'|'] ` +
  '[--date-format mdy|dmy] [--errors OUT.csv] [--no-refresh] [--json]';

/** After this many days without an order, insights as of today call everyone gone. */
const STALE_DAYS = 90;

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, {
    json: { type: 'boolean', default: false },
    'max-problems': { type: 'string' },
    'no-refresh': { type: 'boolean', default: false },
    encoding: { type: 'string' },
    delimiter: { type: 'string' },
    'date-format': { type: 'string' },
    errors: { type: 'string' },
  });
  const [kind, file, ...more] = positionals;
  if (!kind || !IMPORT_KINDS.includes(kind as FileKind) || !file || more.length > 0) throw new UsageError(IMPORT_USAGE);
  const encoding = values.encoding === undefined ? undefined : parseEncodingOption(String(values.encoding));
  if (values.encoding !== undefined && !encoding)
    throw new UsageError(`--encoding takes utf8, utf16 (utf16le, utf16be) or cp1252 (Windows-1252), not "${values.encoding}"`);
  const delimiter = values.delimiter === undefined ? undefined : parseDelimiter(String(values.delimiter));
  const dateFormat = values['date-format'];
  if (dateFormat !== undefined && dateFormat !== 'mdy' && dateFormat !== 'dmy')
    throw new UsageError(`--date-format takes mdy (month/day/year) or dmy (day/month/year), not "${dateFormat}"`);
  const maxProblems = values['max-problems'] === undefined ? undefined : Number(values['max-problems']);
  if (maxProblems !== undefined && !(Number.isInteger(maxProblems) && maxProblems >= 0)) throw new UsageError('--max-problems must be a whole number');

  const ctx = await createContext();
  runAsBatchJob(ctx.config.batchNice, ctx.log);
  try {
    const tty = process.stderr.isTTY && !values.json;
    let lastPaint = 0;
    const summary = await importFile(ctx.store, {
      kind: kind as FileKind,
      input: file === '-' ? process.stdin : file,
      source: file === '-' ? 'stdin' : file,
      timeZone: ctx.config.timeZone,
      now: () => ctx.clock.now(),
      ...(maxProblems !== undefined ? { maxProblems } : {}),
      ...(encoding ? { encoding } : {}),
      ...(delimiter ? { delimiter } : {}),
      ...(dateFormat ? { dateOrder: dateFormat as 'mdy' | 'dmy' } : {}),
      ...(values.errors ? { errorsFile: String(values.errors) } : {}),
      onProgress: (n) => {
        const t = performance.now();
        if (!tty || t - lastPaint < 250) return;
        lastPaint = t;
        process.stderr.write(`\r${kind}: ${formatCount(n)} rows read…`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    const refresh = !values['no-refresh'];
    // Insights follow the data: refresh after every import that changed something.
    if (!summary.fatal && refresh && summary.inserted + summary.updated > 0) await refreshToday(ctx);
    if (!summary.fatal) {
      const warning = await staleDataWarning(ctx, refresh);
      if (warning) summary.warnings.push(warning);
    }
    process.stdout.write((values.json ? JSON.stringify(summary, null, 2) : describe(summary)) + '\n');
    await alertsAfterImport(ctx, summary);
    if (summary.fatal) return 2;
    return summary.rejected > 0 ? 1 : 0;
  } finally {
    await ctx.store.close();
  }
}

function parseDelimiter(s: string): string {
  const d = s === 'tab' || s === '\\t' ? '\t' : s === 'comma' ? ',' : s === 'semicolon' ? ';' : s === 'pipe' ? '|' : s;
  if (![',', ';', '\t', '|'].includes(d)) throw new UsageError(`--delimiter takes , ; tab or |, not "${s}"`);
  return d;
}

/** Insights count days from their as-of day (today unless told): a file that ends long ago needs `--as-of latest`. */
async function staleDataWarning(ctx: Context, refreshed: boolean): Promise<string | undefined> {
  const asOf = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
  // The newest order day imports noted answers at once when it is recent; when it is old or
  // unknown, every order's day is read to be sure (other writers, like the demo, do not note it).
  const noted = await knownNewestOrderDay(ctx.store.db);
  if (noted !== undefined && asOf - noted <= STALE_DAYS) return undefined;
  const newest = await newestOrderDay(ctx.store.db);
  if (newest === undefined) return undefined;
  const gap = asOf - newest;
  if (gap <= STALE_DAYS) return undefined;
  const by = refreshed ? 'the insights were computed as of' : '`pulse refresh` computes insights as of';
  return (
    `the newest order is from ${formatDay(newest)}, ${formatCount(gap)} days before ${formatDay(asOf)}, the day ${by}: ` +
    `every customer looks long gone. Run \`pulse refresh --as-of latest\` to see them as of ${formatDay(newest)}.`
  );
}

const LISTED_ONE_BY_ONE = 20;

export function describe(s: ImportSummary): string {
  const how = [s.encoding, s.delimiter ? delimiterName(s.delimiter) : undefined, s.dateFormat ? `slash dates ${s.dateFormat}` : undefined]
    .filter(Boolean)
    .join(', ');
  if (s.fatal) {
    const written = s.inserted + s.updated + s.unchanged;
    return `✗ ${s.source}: ${s.fatal}. ${written > 0 ? '' : 'Nothing was imported.'}`.trimEnd();
  }
  const lines = [
    `${s.kind} from ${s.source}${how ? ` (${how})` : ''}: ` +
      `${formatCount(s.rowsRead)} rows read in ${s.seconds.toFixed(2)} s (${formatCount(s.rowsPerSecond)} rows/s)`,
  ];
  if (s.columnsRenamed?.length) lines.push(`  columns read as: ${s.columnsRenamed.map((r) => `${r.column} → ${r.as}`).join(', ')}`);
  if (s.transactions) {
    const t = s.transactions;
    lines.push(
      `  orders: ${formatCount(t.orders.inserted)} new, ${formatCount(t.orders.updated)} updated, ${formatCount(t.orders.unchanged)} unchanged` +
        ` (${plural(t.refunds, 'refund')}); ${plural(t.items, 'order item')}; ${plural(t.customersCreated, 'customer')} created`,
    );
    lines.push(`  ${plural(s.rejected, 'row')} rejected`);
  } else {
    lines.push(
      `  ${formatCount(s.inserted)} new, ${formatCount(s.updated)} updated, ${formatCount(s.unchanged)} unchanged, ${formatCount(s.rejected)} rejected`,
    );
  }
  if (s.rejected > 0) {
    lines.push('', 'Rejected rows, by reason:');
    for (const g of s.rejectedByReason) {
      const more = g.count > g.lines.length ? ', …' : '';
      lines.push(
        `  ${formatCount(g.count)} × ${g.label}: line${g.lines.length > 1 ? 's' : ''} ${g.lines.join(', ')}${more} (line ${g.lines[0]}: ${g.example})`,
      );
    }
    // A few rows whose reasons differ from their group's example (other values): list each one.
    const example = new Map(s.rejectedByReason.map((g) => [`${g.field}\u0000${g.code}`, g.example]));
    const differ = s.problems.some((p) => example.get(`${p.field}\u0000${p.code}`) !== p.reason);
    if (s.rejected <= LISTED_ONE_BY_ONE && s.problems.length === s.rejected && differ) {
      lines.push('', 'Each rejected row:');
      for (const p of s.problems) lines.push(`  line ${p.line}: ${p.field}: ${p.reason}`);
    }
    lines.push(
      s.errorsFile ? `Every rejected row, with its record, is in ${s.errorsFile}.` : 'Add --errors OUT.csv to get every rejected row with its record.',
    );
  }
  for (const w of s.warnings) lines.push(`⚠ ${w}`);
  return lines.join('\n');
}

function delimiterName(d: string): string {
  return d === '\t' ? 'tab-separated' : d === ';' ? 'semicolon-separated' : d === '|' ? 'pipe-separated' : 'comma-separated';
}
