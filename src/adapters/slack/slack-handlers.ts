// The Bolt listeners: slash commands, Pulse buttons, the customer picker's type-ahead and the
// feedback modal's submission. Each turns Slack's payload into a registry call and the Reply into a
// message; none of them throws (whatever fails becomes a private message and a log line with an id).
import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction as SlackButtonAction, RespondFn, webApi } from '@slack/bolt';
import type { Context, Invocation } from '../../core/context.ts';
import { errorReply, splitCommand, type Registry } from '../../core/registry.ts';
import { withoutPersonalData, type Reply } from '../../core/reply.ts';
import { findCustomers, getCustomer } from '../../db/customers.ts';
import { BUTTON_ACTION_PATTERN, decodeButtonValue } from './button-value.ts';
import {
  CUSTOMER_PICKER_ACTION,
  FEEDBACK_BLOCK,
  FEEDBACK_VIEW_CALLBACK,
  customerOption,
  errorsFromArgsMessage,
  feedbackModal,
  readFeedbackSubmission,
  readModalMetadata,
} from './feedback-modal.ts';
import { SLACK_LIMITS } from './limits.ts';
import { postToSlackChannel } from './post-to-channel.ts';
import { renderBlocks, type SlackMessage } from './render-blocks.ts';
import type { SlackUserDirectory } from './slack-users.ts';

/** The umbrella command: `/pulse customer acme` runs `/customer acme` (for names Slack reserves or another app owns). */
export const UMBRELLA_COMMAND = 'pulse';
/** Commands whose Slack name Slack keeps for itself are registered as `/pulse-NAME`. */
export const RESERVED_PREFIX = 'pulse-';

export interface HandlerOptions {
  /** A command that has not answered by then is acknowledged with "Working on it…" and answered later. */
  ackAfterMs: number;
}

interface Deps {
  ctx: Context;
  registry: Registry;
  users: SlackUserDirectory;
  opts: HandlerOptions;
}

export type SlackResponse = SlackMessage & { response_type: 'ephemeral' | 'in_channel'; replace_original?: boolean };

const WORKING: SlackResponse = { response_type: 'ephemeral', text: 'Working on it…', blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: ':hourglass_flowing_sand: Working on it…' }] }] };

/** Private unless the command itself says the answer is for the channel; a channel never sees personal data. */
export function responseFor(reply: Reply): SlackResponse {
  if (reply.visibility === 'channel' && !reply.error) return { response_type: 'in_channel', ...renderBlocks(withoutPersonalData(reply)) };
  return { response_type: 'ephemeral', ...renderBlocks(reply) };
}

/** `/customer x` → customer; `/pulse customer x` → customer; `/pulse-status x` → status. */
export function routeSlashCommand(registry: Registry, slash: string, text: string): { name: string; argsText: string } {
  const name = slash.replace(/^\//, '').toLowerCase();
  if (name === UMBRELLA_COMMAND) {
    // `/pulse customer acme` → /customer, and `/pulse custmer` → "did you mean /customer"; anything
    // else goes to a `pulse` command when the registry has one.
    const inner = splitCommand(text);
    if (inner.name !== UMBRELLA_COMMAND && registry.get(inner.name)) return inner;
    const close = inner.name ? registry.closest(inner.name) : undefined;
    return registry.get(name) && (close === undefined || close === UMBRELLA_COMMAND) ? { name, argsText: text } : inner;
  }
  if (registry.get(name)) return { name, argsText: text };
  if (name.startsWith(RESERVED_PREFIX) && registry.get(name.slice(RESERVED_PREFIX.length))) return { name: name.slice(RESERVED_PREFIX.length), argsText: text };
  return { name, argsText: text };
}

export function registerHandlers(app: App, deps: Deps): void {
  const { ctx, registry, users, opts } = deps;

  app.command(/^\/.+/, async ({ command, ack, respond, client }) => {
    try {
      const { name, argsText } = routeSlashCommand(registry, command.command, command.text ?? '');
      if (name === 'feedback' && argsText.trim() === '' && registry.get('feedback')) {
        await ack();
        await openFeedbackModal(deps, client, respond, command.trigger_id, command.channel_id);
        return;
      }
      const work = runSafely(ctx, `/${name}`, async () => {
        const actor = await users.actor(command.user_id, command.user_name);
        return registry.runCommand(name, argsText, { actor, platform: 'slack', channel: `slack:${command.channel_id}` }, ctx);
      });
      const early = registry.get(name)?.slow ? undefined : await within(work, opts.ackAfterMs);
      if (early) {
        await ack(responseFor(early));
        return;
      }
      await ack(WORKING);
      await safeRespond(ctx, respond, responseFor(await work));
    } catch (err) {
      // Only Slack transport failures land here (registry.run never throws).
      ctx.log.error('slack: slash command failed', { incidentId: randomUUID().slice(0, 8), command: command.command, error: err });
    }
  });

  app.action(BUTTON_ACTION_PATTERN, async ({ ack, body, action, respond, client }) => {
    await ack();
    const b = body as BlockAction;
    const decoded = decodeButtonValue((action as SlackButtonAction).value);
    const channel = b.channel?.id ?? (b.container as { channel_id?: string } | undefined)?.channel_id;
    const call = async (): Promise<Invocation> => ({ actor: await users.actor(b.user.id, b.user.name ?? b.user.username), platform: 'slack', ...(channel ? { channel: `slack:${channel}` } : {}) });
    try {
      if (!decoded) {
        await safeRespond(ctx, respond, { ...responseFor(errorReply('INVALID_ARGS', 'This button no longer works.', 'Run the command again.')), replace_original: false });
        return;
      }
      if (decoded.kind === 'feedback-form') {
        await openFeedbackModal(deps, client, respond, b.trigger_id, channel, decoded.customerId);
        return;
      }
      if (decoded.kind === 'run') {
        // A pick from a list: the answer replaces the private list, and stays private.
        const reply = await runSafely(ctx, decoded.command, async () => registry.run(decoded.command, await call(), ctx));
        const isEphemeral = (b.container as { is_ephemeral?: boolean } | undefined)?.is_ephemeral === true;
        await safeRespond(ctx, respond, { ...responseFor({ ...reply, visibility: 'private' }), replace_original: isEphemeral });
        return;
      }
      // Share: run it again as the person who clicked (they may no longer see it), then post it
      // without personal data. chat.postMessage needs the bot in the channel (or chat:write.public);
      // when Slack refuses, the response_url can still post into the conversation.
      const invocation = await call();
      const reply = await runSafely(ctx, decoded.command, async () => registry.run(decoded.command, invocation, ctx));
      if (reply.error) {
        await safeRespond(ctx, respond, { ...responseFor(reply), replace_original: false });
        return;
      }
      const shared: Reply = { ...withoutPersonalData(reply), footer: [`Shared by ${invocation.actor.name ?? 'a teammate'}`, reply.footer].filter(Boolean).join(' · ') };
      try {
        if (!channel) throw Object.assign(new Error('no channel in the payload'), { data: { error: 'channel_not_found' } });
        await postToSlackChannel(client, channel, shared);
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        ctx.log.info('slack: chat.postMessage refused a share; posting through response_url', { code });
        await safeRespond(ctx, respond, { response_type: 'in_channel', replace_original: false, ...renderBlocks(withoutPersonalData(shared)) });
      }
    } catch (err) {
      const incidentId = randomUUID().slice(0, 8);
      ctx.log.error('slack: button failed', { incidentId, error: err });
      await safeRespond(ctx, respond, { ...responseFor(internalError(incidentId, 'That button')), replace_original: false });
    }
  });

  app.options(CUSTOMER_PICKER_ACTION, async ({ options, ack }) => {
    try {
      // Type-ahead must also answer within Slack's 3 seconds; a slow search shows no options.
      const found = await within(findCustomers(ctx.store.db, String(options.value ?? ''), 20), opts.ackAfterMs);
      const list = (found?.matches ?? []).map((m) => customerOption(m.customer)).filter((o) => o !== undefined);
      await ack({ options: list.slice(0, SLACK_LIMITS.optionsPerMenu) });
    } catch (err) {
      ctx.log.error('slack: customer picker failed', { error: err });
      await ack({ options: [] });
    }
  });

  app.view(FEEDBACK_VIEW_CALLBACK, async ({ ack, body, view, client }) => {
    try {
      const read = readFeedbackSubmission(view.state.values);
      if (!read.ok) {
        await ack({ response_action: 'errors', errors: read.errors });
        return;
      }
      if (!registry.get('feedback')) {
        await ack({ response_action: 'update', view: noticeModal('Feedback is not available', 'This Pulse server has no /feedback command yet, so nothing was logged. Ask your Pulse admin to update it.') });
        return;
      }
      const meta = readModalMetadata(view.private_metadata);
      const work = runSafely(ctx, '/feedback (form)', async () => {
        const actor = await users.actor(body.user.id, body.user.name);
        return registry.runWithArgs('feedback', { ...read.args }, { actor, platform: 'slack', ...(meta.channel ? { channel: `slack:${meta.channel}` } : {}) }, ctx);
      });
      const early = await within(work, opts.ackAfterMs);
      if (early?.error?.code === 'INVALID_ARGS') {
        await ack({ response_action: 'errors', errors: errorsFromArgsMessage(early.error.message) });
        return;
      }
      await ack();
      await confirmPrivately(ctx, client, body.user.id, meta.channel, early ?? (await work));
    } catch (err) {
      const incidentId = randomUUID().slice(0, 8);
      ctx.log.error('slack: feedback form failed', { incidentId, error: err });
      await ack({ response_action: 'errors', errors: { [FEEDBACK_BLOCK.comment]: `Something went wrong (incident ${incidentId}). Try again.` } }).catch(() => undefined);
    }
  });
}

async function openFeedbackModal(deps: Deps, client: webApi.WebClient, respond: RespondFn | undefined, triggerId: string, channel: string | undefined, customerId?: string): Promise<void> {
  const { ctx, registry } = deps;
  if (!registry.get('feedback')) {
    await safeRespond(ctx, respond, { ...responseFor(errorReply('NOT_FOUND', 'Logging feedback is not available on this Pulse server yet (it has no /feedback command).')), replace_original: false });
    return;
  }
  try {
    const customer = customerId ? await getCustomer(ctx.store.db, customerId) : undefined;
    await client.views.open({ trigger_id: triggerId, view: feedbackModal({ ...(customer ? { customer } : {}), metadata: channel ? { channel } : {} }) });
  } catch (err) {
    const incidentId = randomUUID().slice(0, 8);
    ctx.log.error('slack: views.open failed', { incidentId, error: err });
    await safeRespond(ctx, respond, { ...responseFor(internalError(incidentId, 'Opening the feedback form', 'Try `/feedback CUSTOMER SCORE "comment"` instead.')), replace_original: false });
  }
}

/** The answer to a modal, privately: an ephemeral message in the channel it came from, else a DM. */
async function confirmPrivately(ctx: Context, client: webApi.WebClient, userId: string, channel: string | undefined, reply: Reply): Promise<void> {
  const { text, blocks } = renderBlocks({ ...reply, visibility: 'private' });
  if (channel) {
    try {
      await client.chat.postEphemeral({ channel, user: userId, text, blocks });
      return;
    } catch (err) {
      ctx.log.info('slack: chat.postEphemeral refused; sending a direct message', { code: (err as { data?: { error?: string } }).data?.error });
    }
  }
  try {
    await client.chat.postMessage({ channel: userId, text, blocks });
  } catch (err) {
    ctx.log.error('slack: could not confirm a feedback form to its author', { user: userId, error: err });
  }
}

function noticeModal(title: string, text: string) {
  return {
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: title.slice(0, SLACK_LIMITS.modalTitle) },
    close: { type: 'plain_text' as const, text: 'Close' },
    blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }],
  };
}

/** The value if `work` settles within `ms`, else undefined (work keeps going). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
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

async function runSafely(ctx: Context, what: string, run: () => Promise<Reply>): Promise<Reply> {
  try {
    return await run();
  } catch (err) {
    const incidentId = randomUUID().slice(0, 8);
    ctx.log.error('slack: command failed outside the registry', { incidentId, what, error: err });
    return internalError(incidentId, `Running \`${what.split(/\s/)[0]}\``);
  }
}

function internalError(incidentId: string, what: string, hint?: string): Reply {
  const message = `${what} failed on our side. It has been logged as incident ${incidentId}.`;
  return { ...errorReply('INTERNAL', message, hint), error: { code: 'INTERNAL', message, incidentId, ...(hint ? { hint } : {}) } };
}

async function safeRespond(ctx: Context, respond: RespondFn | undefined, message: SlackResponse): Promise<void> {
  if (!respond) {
    ctx.log.error('slack: no response_url to answer on', { text: message.text });
    return;
  }
  try {
    await respond(message);
  } catch (err) {
    ctx.log.error('slack: response_url post failed', { error: err, text: message.text });
  }
}
