// The monthly "does it help?" digest (`/digest subscribe alerts`): what the last refresh measured
// over the last 90 days — alerts raised, claimed, snoozed, escalated, and the share of alerted
// customers who bought again within 30 days next to matched customers who were not alerted — and
// how each owner's alerts went. Posted through the outbox like every digest.
import type { Context } from '../core/context.ts';
import { formatCount, formatPercent } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { MS_PER_DAY } from '../core/time.ts';
import { alertCountsByOwner } from '../db/alerts.ts';
import { latestRun } from '../db/insights.ts';
import { formatLocal } from '../digests/cron.ts';
import type { ModelCard } from '../refresh/model-card.ts';
import type { BuiltDigest, DigestRequest } from '../reports/digest.ts';
import { ownerKey } from '../reports/report-data.ts';
import { EFFECT_WINDOW_DAYS } from './effect.ts';

export async function buildAlertsDigest(ctx: Context, req: DigestRequest): Promise<BuiltDigest> {
  const run = await latestRun(ctx.store.db);
  const card = run?.card ? (JSON.parse(run.card) as ModelCard) : undefined;
  const since = new Date(req.scheduledFor.getTime() - EFFECT_WINDOW_DAYS * MS_PER_DAY).toISOString();
  const owners = await alertCountsByOwner(ctx.store.db, since, req.owner ? ownerKey(req.owner) : null);
  const title = `Owner alerts: does acting on them help?${req.owner ? ` · owner ${req.owner}` : ''}`;
  const lines = card?.alerts ? [...card.alerts.summary, `(Measured by the refresh as of ${card.asOf}.)`] : ['No refresh has measured the alerts yet.'];
  const reply: Reply = {
    title,
    text: lines.join('\n'),
    ...(owners.length
      ? {
          tables: [
            {
              title: `By owner, last ${EFFECT_WINDOW_DAYS} days`,
              columns: [{ label: 'Owner' }, { label: 'Raised', align: 'right' as const }, { label: 'Claimed', align: 'right' as const }, { label: 'Escalated', align: 'right' as const }, { label: 'Recovered', align: 'right' as const }],
              rows: owners.map((o) => [o.owner ?? 'unassigned', formatCount(o.raised), share(o.claimed, o.raised), share(o.escalated, o.raised), share(o.recovered, o.raised)]),
            },
          ],
        }
      : {}),
    footer: `${req.late ? 'Posted late: Pulse was not running at the scheduled time. ' : ''}${formatLocal(req.scheduledFor.getTime(), req.timeZone)} · \`/alerts all\` lists them`,
    visibility: 'channel',
  };
  const raised = owners.reduce((t, o) => t + o.raised, 0);
  return { reply, empty: raised === 0, ...(raised === 0 ? { emptyReason: `no alerts in the last ${EFFECT_WINDOW_DAYS} days` } : {}) };
}

const share = (n: number, of: number) => (of ? `${formatCount(n)} (${formatPercent(n / of)})` : '0');
