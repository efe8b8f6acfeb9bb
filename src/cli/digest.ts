// `pulse digest tick [--now ISO] [--json] [--charts DIR]`: runs every digest due at that instant —
// the same tick the bot's scheduler runs each minute. Idempotent: a period already in the outbox is
// never posted again; a retry whose time has come is tried.
import { createContext } from '../app/context.ts';
import { parseDate } from '../core/time.ts';
import { createPosters } from '../digests/posters.ts';
import { tick, type TickReport } from '../digests/tick.ts';
import { parseCli, UsageError } from './cli-args.ts';

export const DIGEST_USAGE = 'pulse digest tick [--now ISO] [--json] [--charts DIR]';

export async function digestCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'tick') throw new UsageError(`usage: ${DIGEST_USAGE}`);
  const { values } = parseCli(rest, { now: { type: 'string' }, json: { type: 'boolean', default: false }, charts: { type: 'string' } }, false);
  const ctx = await createContext();
  try {
    let now = ctx.clock.now();
    if (values.now !== undefined) {
      const parsed = parseDate(String(values.now), ctx.config.timeZone);
      if (!parsed) throw new UsageError('--now takes an ISO date-time, e.g. 2026-03-30T09:00:00+02:00 (without an offset: PULSE_TIMEZONE)');
      now = new Date(parsed.ms);
    }
    // With --json, stdout holds the one JSON document: console digests print on stderr.
    const poster = await createPosters(ctx, { ...(values.json ? { write: (t: string) => void process.stderr.write(t) } : {}), ...(values.charts ? { chartDir: String(values.charts) } : {}) });
    const report = await tick(ctx, { poster, wallClock: () => ctx.clock.now() }, now);
    process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : describeTick(report) + '\n');
    return report.deliveries.some((d) => d.result === 'failed' || d.result === 'retrying' || d.result === 'lost') ? 1 : 0;
  } finally {
    await ctx.store.close();
  }
}

export function describeTick(report: TickReport): string {
  if (report.deliveries.length === 0) return `Nothing due at ${report.now}.`;
  return [
    `Digest tick at ${report.now}:`,
    ...report.deliveries.map((d) => {
      const what = `#${d.subscriptionId} ${d.kind} → ${d.platform}:${d.channel}, period ${d.periodKey}${d.late ? ' (late)' : ''}`;
      if (d.result === 'posted') return `  posted   ${what}: message ${d.messageId}`;
      if (d.result === 'skipped') return `  skipped  ${what}: ${d.error}`;
      if (d.result === 'retrying') return `  retrying ${what}: ${d.error} (next try ${d.nextAttemptAt})`;
      return `  ${d.result.padEnd(8)} ${what}: ${d.error ?? ''}`;
    }),
  ].join('\n');
}
