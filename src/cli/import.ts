// `pulse import KIND FILE [--json]`.
import { alertsAfterImport } from '../alerts/post-now.ts';
import { createContext } from '../app/context.ts';
import type { ImportKind } from '../db/bulk.ts';
import { IMPORT_KINDS, importFile, type ImportSummary } from '../importer/import-file.ts';
import { formatCount } from '../core/format.ts';
import { parseCli, UsageError } from './cli-args.ts';
import { refreshToday } from './refresh.ts';

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, { json: { type: 'boolean', default: false }, 'max-problems': { type: 'string' }, 'no-refresh': { type: 'boolean', default: false } });
  const [kind, file] = positionals;
  if (!kind || !IMPORT_KINDS.includes(kind as ImportKind) || !file) {
    throw new UsageError(`usage: pulse import ${IMPORT_KINDS.join('|')} FILE [--json]`);
  }
  const ctx = await createContext();
  try {
    const tty = process.stderr.isTTY && !values.json;
    let lastPaint = 0;
    const summary = await importFile(ctx.store, {
      kind: kind as ImportKind,
      input: file === '-' ? process.stdin : file,
      source: file === '-' ? 'stdin' : file,
      timeZone: ctx.config.timeZone,
      now: () => ctx.clock.now(),
      ...(values['max-problems'] ? { maxProblems: Number(values['max-problems']) } : {}),
      onProgress: (n) => {
        const t = performance.now();
        if (!tty || t - lastPaint < 250) return;
        lastPaint = t;
        process.stderr.write(`\r${kind}: ${formatCount(n)} rows read…`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    // Insights follow the data: refresh after every import that changed something.
    if (!summary.fatal && !values['no-refresh'] && summary.inserted + summary.updated > 0) {
      await refreshToday(ctx);
    }
    process.stdout.write((values.json ? JSON.stringify(summary, null, 2) : describe(summary)) + '\n');
    await alertsAfterImport(ctx, summary);
    if (summary.fatal) return 2;
    return summary.rejected > 0 ? 1 : 0;
  } finally {
    await ctx.store.close();
  }
}

export function describe(s: ImportSummary): string {
  if (s.fatal) return `✗ ${s.source}: ${s.fatal}. Nothing was imported.`;
  const lines = [
    `${s.kind} from ${s.source}: ${formatCount(s.rowsRead)} rows read in ${s.seconds.toFixed(2)} s (${formatCount(s.rowsPerSecond)} rows/s)`,
    `  ${formatCount(s.inserted)} new, ${formatCount(s.updated)} updated, ${formatCount(s.unchanged)} unchanged, ${formatCount(s.rejected)} rejected`,
  ];
  if (s.rejected > 0) {
    lines.push('', 'Rejected rows:');
    for (const p of s.problems) lines.push(`  line ${p.line}: ${p.field}: ${p.reason}`);
    if (s.rejected > s.problems.length) lines.push(`  … and ${formatCount(s.rejected - s.problems.length)} more (use --max-problems N or --json)`);
  }
  return lines.join('\n');
}
