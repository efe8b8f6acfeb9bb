// Alerts are posted by the process that raised them when it has chat credentials (`pulse refresh`,
// `pulse import`, `pulse ask "/feedback …"`), else by the running bot within a minute. This is the
// former: the alert half of a tick, through post-only adapters, right away.
import { discordConfigured, slackConfigured } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import { anyAlertDeliveryDue } from '../db/alert-deliveries.ts';
import { postOnlyAdapters, routingPoster } from '../digests/posters.ts';
import { tick } from '../digests/tick.ts';
import type { AlertDeliveryReport } from './deliver-alerts.ts';
import { alertsForImport } from './feedback-alerts.ts';

/** Posts the alert messages due now, when this process can reach a chat platform; never throws. */
export async function postDueAlerts(ctx: Context): Promise<AlertDeliveryReport[]> {
  if (!slackConfigured(ctx.config) && !ctx.config.slack.botToken && !discordConfigured(ctx.config)) return [];
  if (!(await anyAlertDeliveryDue(ctx.store.db, ctx.clock.now().toISOString()).catch(() => false))) return [];
  // Console output of a post-only adapter would land on stdout, which may hold a JSON document.
  const adapters = await postOnlyAdapters(ctx, { write: (t: string) => void process.stderr.write(t) });
  try {
    const report = await tick(ctx, { poster: routingPoster(adapters), digests: false, wallClock: () => ctx.clock.now() }, ctx.clock.now());
    return report.alerts;
  } catch (err) {
    ctx.log.error('alerts could not be posted now; the bot posts them within a minute', { error: err });
    return [];
  } finally {
    for (const a of Object.values(adapters)) await a.stop().catch(() => undefined);
  }
}

/** After `pulse import`: detractor alerts from an imported feedback file, then everything due is posted. */
export async function alertsAfterImport(ctx: Context, summary: { kind: string; importId?: number; fatal?: string | undefined }): Promise<void> {
  if (summary.kind === 'feedback' && !summary.fatal && summary.importId !== undefined) await alertsForImport(ctx, summary.importId);
  await postDueAlerts(ctx);
}
