// What answering a person is, whatever the platform: one module for Slack, Discord (and what the
// console shares). The adapters translate their payloads into an `Asker` and a command, and the
// resulting Reply into their format; everything else happens here, once:
//   - scope: a request from another Slack workspace or Discord guild (or a DM, with DISCORD_GUILD_ID)
//     gets a refusal and no data;
//   - running the command as the person, with incident ids for what fails outside the registry;
//   - the share policy: private answers get a "Share in channel" button unless the command changes
//     data; a share runs the command again as the presser and posts `withoutPersonalData` of it;
//   - answer now or acknowledge first, decided from the command's declaration (`slow`) and a deadline;
//   - the audit entries of refusals and shares (the registry writes the one of every command).
import type { Actor, Context, Invocation } from '../core/context.ts';
import { openIncident } from '../core/incident.ts';
import { errorReply, splitCommand, type Registry } from '../core/registry.ts';
import { withoutPersonalData, type Reply } from '../core/reply.ts';
import { recordAudit } from '../db/audit.ts';

export const SHARE_LABEL = 'Share in channel';

/** Slack and Discord allow 3 s for the first answer; deferring at 2 s leaves room for the network. */
export const DEFAULT_DEFER_AFTER_MS = 2_000;

/** Who is asking, from where, as the adapter read it from the platform's payload. */
export interface Asker {
  platform: 'slack' | 'discord';
  /** The platform's own user id (`U123`, `4567`). */
  userId: string;
  /** The Pulse actor: profile lookups happen here, inside the deadline. */
  actor(): Promise<Actor>;
  /** Platform-qualified: `slack:C123`, `discord:987`. */
  channel?: string;
  /** Set when the request comes from outside what this Pulse serves; the words are for the log. */
  outside?: string;
  /** What to tell the person instead of the usual refusal (when the reason is on Pulse's side). */
  refusalText?: string;
}

export type CommandRequest = { name: string; text: string } | { name: string; args: Record<string, unknown> };

export interface InteractionOptions {
  /** A command still running after this long is acknowledged first and answered later. */
  deferAfterMs?: number;
}

/** Said to anyone asking from another workspace, another server or a direct message: no data. */
export const OUTSIDE_REFUSAL =
  'Pulse answers only inside the workspace or server it was set up for, so it cannot answer here. Ask a colleague there to look it up.';

export class InteractionCore {
  readonly deferAfterMs: number;
  readonly #ctx: Context;
  readonly #registry: Registry;

  constructor(ctx: Context, registry: Registry, opts: InteractionOptions = {}) {
    this.#ctx = ctx;
    this.#registry = registry;
    this.deferAfterMs = opts.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS;
  }

  get registry(): Registry {
    return this.#registry;
  }

  /** Declared slow: acknowledge before waiting at all. */
  isSlow(name: string): boolean {
    return this.#registry.get(name)?.slow ?? false;
  }

  /**
   * The reply when it is ready within the deadline (answer now), else undefined (acknowledge now,
   * answer when `work` settles). A command declared slow is never waited for.
   */
  async answerNow(work: Promise<Reply>, name: string): Promise<Reply | undefined> {
    if (this.isSlow(name)) return undefined;
    return settleWithin(work, this.deferAfterMs);
  }

  /** The refusal for a request from outside, written to the audit log; undefined when the asker is inside. */
  async refusal(asker: Asker, what: string): Promise<Reply | undefined> {
    if (!asker.outside) return undefined;
    this.#ctx.log.warn(`${asker.platform}: refused a request from outside`, { why: asker.outside, user: asker.userId, what });
    await this.#audit(asker, `${what}`, 'refused');
    return errorReply('FORBIDDEN', asker.refusalText ?? OUTSIDE_REFUSAL);
  }

  /** Runs a command as the asker. Never rejects: every failure is an error reply (with an incident id when unexpected). */
  command(asker: Asker, req: CommandRequest): Promise<Reply> {
    return this.safely(asker.platform, `/${req.name}`, async () => {
      const refused = await this.refusal(asker, req.name);
      if (refused) return refused;
      const call = await this.invocation(asker);
      const reply =
        'text' in req
          ? await this.#registry.runCommand(req.name, req.text, call, this.#ctx)
          : await this.#registry.runWithArgs(req.name, req.args, call, this.#ctx);
      return this.withShareButton(reply, req);
    });
  }

  /**
   * "Share in channel": the command runs again as the person who pressed (they may no longer see
   * it), and its channel version is what comes back (`withoutPersonalData`, "Shared by …"). An
   * error stays private. The adapter posts it and reports the outcome with `auditPost`.
   */
  share(asker: Asker, commandText: string): Promise<Reply> {
    return this.safely(asker.platform, `share ${splitCommand(commandText).name}`, async () => {
      const { name } = splitCommand(commandText);
      const refused = await this.refusal(asker, `share /${name}`);
      if (refused) return refused;
      const call = await this.invocation(asker);
      const reply = await this.#registry.run(commandText, call, this.#ctx);
      if (reply.error) return reply;
      if (this.#registry.get(name)?.changesData) return errorReply('INVALID_ARGS', `\`/${name}\` changes data, so it cannot be shared by running it again.`);
      const shared = withoutPersonalData(reply);
      return { ...shared, footer: [`Shared by ${call.actor.name ?? 'a teammate'}`, shared.footer].filter(Boolean).join(' · ') };
    });
  }

  /** Writes the audit entry of something posted to a channel on the asker's behalf (a share). */
  async auditPost(asker: Asker, what: string, outcome: string, detail?: string): Promise<void> {
    await this.#audit(asker, what, outcome, detail);
  }

  /** The Pulse invocation for an asker (resolves the actor). */
  async invocation(asker: Asker): Promise<Invocation> {
    return { actor: await asker.actor(), platform: asker.platform, ...(asker.channel ? { channel: asker.channel } : {}) };
  }

  /**
   * A private answer gets a "Share in channel" button (run again, without personal data, in public)
   * unless it is an error, already offers share or pick buttons, or its command changes data.
   */
  withShareButton(reply: Reply, req: CommandRequest): Reply {
    if (reply.visibility !== 'private' || reply.error || this.#registry.get(req.name)?.changesData) return reply;
    if (reply.buttons?.some((b) => b.action.kind === 'share' || b.action.kind === 'run')) return reply;
    const rerun = 'text' in req ? `/${req.name}${req.text.trim() ? ` ${req.text.trim()}` : ''}` : commandText(req.name, req.args);
    if (!rerun) return reply;
    return { ...reply, buttons: [...(reply.buttons ?? []), { label: SHARE_LABEL, action: { kind: 'share', command: rerun } }] };
  }

  /** Runs `fn`; whatever it throws (the store, a profile lookup) becomes an error reply with an incident id. */
  async safely(platform: string, what: string, fn: () => Promise<Reply>): Promise<Reply> {
    try {
      return await fn();
    } catch (err) {
      return this.failure(platform, what, err);
    }
  }

  /** An unexpected failure: logged under a new incident id, which the person is told. */
  failure(platform: string, what: string, err: unknown): Reply {
    const { incidentId, log } = openIncident(this.#ctx.log, { platform });
    log.error(`${platform}: ${what} failed`, { error: err });
    return internalErrorReply(incidentId, what);
  }

  async #audit(asker: Asker, command: string, outcome: string, detail?: string): Promise<void> {
    await recordAudit(this.#ctx.store.db, {
      at: this.#ctx.clock.now().toISOString(),
      actorId: `${asker.platform}:${asker.userId}`,
      platform: asker.platform,
      channel: asker.channel,
      command,
      outcome,
      detail,
    }).catch((err: unknown) => this.#ctx.log.warn('audit entry could not be written', { command, error: err }));
  }
}

/** The answer to an unexpected failure: what failed and the incident id to quote. */
export function internalErrorReply(incidentId: string, what: string): Reply {
  const message = `${what} failed on our side. It has been logged as incident ${incidentId}.`;
  const reply = errorReply('INTERNAL', message);
  return { ...reply, error: { ...reply.error!, incidentId } };
}

/** The value if `work` settles within `ms`, else undefined (the work goes on). */
export async function settleWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const QUOTES: readonly [string, string][] = [
  ['"', '"'],
  ["'", "'"],
  ['“', '”'],
  ['«', '»'],
  ['「', '」'],
];

/**
 * The slash-command text that runs `name` with named `args` again (`/customer query:"acme corp"`),
 * as the registry's text parser reads it; undefined when an argument cannot be written that way.
 */
export function commandText(name: string, args: Record<string, unknown>): string | undefined {
  const parts = [`/${name}`];
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (!/^[a-z][a-z0-9_-]*$/.test(key)) return undefined;
    if (typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${key}:${value}`);
      continue;
    }
    if (typeof value !== 'string') return undefined;
    const quote = QUOTES.find(([, close]) => !value.includes(close));
    if (!quote) return undefined;
    parts.push(`${key}:${quote[0]}${value}${quote[1]}`);
  }
  return parts.join(' ');
}
