// The Bolt listeners: slash commands, Pulse buttons, the customer picker's type-ahead and the
// feedback modal's submission. Each reads Slack's payload into an `Asker` and a command for the
// interaction core, and the Reply into a Slack message; none of them throws (whatever fails becomes
// a private message and a log line with an incident id).
import type { App, BlockAction, ButtonAction as SlackButtonAction, RespondFn, webApi } from '@slack/bolt';
import type { Context } from '../../core/context.ts';
import { openIncident } from '../../core/incident.ts';
import { errorReply, splitCommand, type Registry } from '../../core/registry.ts';
import { withoutPersonalData, type Reply } from '../../core/reply.ts';
import { findCustomers, getCustomer } from '../../db/customers.ts';
import { internalErrorReply, settleWithin, type Asker, type InteractionCore } from '../interaction-core.ts';
import { BUTTON_ACTION_PATTERN, decodeButtonValue } from './button-value.ts';
import { commandTextAsTyped } from './command-text.ts';
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
import { renderBlocks, type SlackMessage } from './render-blocks.ts';
import type { SlackUserDirectory } from './slack-users.ts';
import { UNKNOWN_WORKSPACE, UNKNOWN_WORKSPACE_REFUSAL, type SlackWorkspace } from './workspace.ts';

/** The umbrella command: `/pulse customer acme` runs `/customer acme` (for names Slack reserves or another app owns). */
export const UMBRELLA_COMMAND = 'pulse';
/** Commands whose Slack name Slack keeps for itself are registered as `/pulse-NAME`. */
export const RESERVED_PREFIX = 'pulse-';

interface Deps {
  ctx: Context;
  core: InteractionCore;
  users: SlackUserDirectory;
  workspace: SlackWorkspace;
  /** Posts a shared answer into a channel with the request's client: the message ts. */
  postShared(client: webApi.WebClient, channel: string, reply: Reply): Promise<string>;
}

export type SlackResponse = SlackMessage & { response_type: 'ephemeral' | 'in_channel'; replace_original?: boolean };

const WORKING: SlackResponse = {
  response_type: 'ephemeral',
  text: 'Working on it…',
  blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: ':hourglass_flowing_sand: Working on it…' }] }],
};

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
  const { ctx, core, users, workspace } = deps;
  const registry = core.registry;
  const asker = async (user: { id: string; name?: string | undefined }, teamIds: (string | undefined)[], channel: string | undefined): Promise<Asker> => {
    const outside = await workspace.outside(teamIds);
    return {
      platform: 'slack',
      userId: user.id,
      actor: () => users.actor(user.id, user.name),
      ...(channel ? { channel: `slack:${channel}` } : {}),
      ...(outside ? { outside } : {}),
      ...(outside === UNKNOWN_WORKSPACE ? { refusalText: UNKNOWN_WORKSPACE_REFUSAL } : {}),
    };
  };

  app.command(/^\/.+/, async ({ command, ack, respond, client }) => {
    try {
      const { name, argsText } = routeSlashCommand(registry, command.command, commandTextAsTyped(command.text ?? ''));
      const who = await asker({ id: command.user_id, name: command.user_name }, [command.team_id], command.channel_id);
      if (name === 'feedback' && argsText.trim() === '' && registry.get('feedback') && !who.outside) {
        await ack();
        await openFeedbackModal(deps, client, respond, command.trigger_id, command.channel_id);
        return;
      }
      const work = core.command(who, { name, text: argsText });
      const early = await core.answerNow(work, name);
      if (early) {
        await ack(responseFor(early));
        return;
      }
      await ack(WORKING);
      await safeRespond(ctx, respond, responseFor(await work));
    } catch (err) {
      // Only Slack transport failures land here (the core never rejects).
      openIncident(ctx.log, { platform: 'slack' }).log.error('slack: slash command failed', { command: command.command, error: err });
    }
  });

  app.action(BUTTON_ACTION_PATTERN, async ({ ack, body, action, respond, client }) => {
    await ack();
    const b = body as BlockAction;
    const decoded = decodeButtonValue((action as SlackButtonAction).value);
    const channel = b.channel?.id ?? (b.container as { channel_id?: string } | undefined)?.channel_id;
    try {
      const who = await asker({ id: b.user.id, name: b.user.name ?? b.user.username }, [b.team?.id, b.user.team_id], channel);
      const refused = await core.refusal(who, 'button');
      if (refused) return void (await safeRespond(ctx, respond, { ...responseFor(refused), replace_original: false }));
      if (!decoded) {
        await safeRespond(ctx, respond, {
          ...responseFor(errorReply('INVALID_ARGS', 'This button no longer works.', 'Run the command again.')),
          replace_original: false,
        });
        return;
      }
      if (decoded.kind === 'feedback-form') {
        await openFeedbackModal(deps, client, respond, b.trigger_id, channel, decoded.customerId);
        return;
      }
      if (decoded.kind === 'run') {
        // A pick from a list: the answer replaces the private list, and stays private.
        const { name, argsText } = splitCommand(decoded.command);
        const reply = await core.command(who, { name, text: argsText });
        const isEphemeral = (b.container as { is_ephemeral?: boolean } | undefined)?.is_ephemeral === true;
        await safeRespond(ctx, respond, { ...responseFor({ ...reply, visibility: 'private' }), replace_original: isEphemeral });
        return;
      }
      await share(deps, client, who, decoded.command, channel, respond);
    } catch (err) {
      await safeRespond(ctx, respond, { ...responseFor(core.failure('slack', 'That button', err)), replace_original: false });
    }
  });

  app.options(CUSTOMER_PICKER_ACTION, async ({ options, body, ack }) => {
    try {
      const b = body as { team?: { id?: string } | null; user?: { id: string; team_id?: string } };
      // A picker from another workspace lists nobody: customer names are customer data.
      if (await workspace.outside([b.team?.id ?? undefined, b.user?.team_id])) return void (await ack({ options: [] }));
      // Type-ahead must also answer within Slack's 3 seconds; a slow search shows no options.
      const found = await settleWithin(findCustomers(ctx.store.db, String(options.value ?? ''), 20), core.deferAfterMs);
      const list = (found?.matches ?? []).map((m) => customerOption(m.customer)).filter((o) => o !== undefined);
      await ack({ options: list.slice(0, SLACK_LIMITS.optionsPerMenu) });
    } catch (err) {
      ctx.log.error('slack: customer picker failed', { error: err });
      await ack({ options: [] });
    }
  });

  app.view(FEEDBACK_VIEW_CALLBACK, async ({ ack, body, view, client }) => {
    try {
      const who = await asker({ id: body.user.id, name: body.user.name }, [body.team?.id, body.user.team_id], readModalMetadata(view.private_metadata).channel);
      const refused = await core.refusal(who, 'feedback form');
      if (refused) return void (await ack({ response_action: 'update', view: noticeModal('Not available here', refused.error!.message) }));
      const read = readFeedbackSubmission(view.state.values);
      if (!read.ok) {
        await ack({ response_action: 'errors', errors: read.errors });
        return;
      }
      if (!registry.get('feedback')) {
        await ack({
          response_action: 'update',
          view: noticeModal(
            'Feedback is not available',
            'This Pulse server has no /feedback command yet, so nothing was logged. Ask your Pulse admin to update it.',
          ),
        });
        return;
      }
      const meta = readModalMetadata(view.private_metadata);
      const work = core.command(who, { name: 'feedback', args: { ...read.args } });
      const early = await settleWithin(work, core.deferAfterMs);
      if (early?.error?.code === 'INVALID_ARGS') {
        await ack({ response_action: 'errors', errors: errorsFromArgsMessage(early.error.message) });
        return;
      }
      await ack();
      await confirmPrivately(ctx, client, body.user.id, meta.channel, early ?? (await work));
    } catch (err) {
      const { incidentId, log } = openIncident(ctx.log, { platform: 'slack' });
      log.error('slack: feedback form failed', { error: err });
      await ack({ response_action: 'errors', errors: { [FEEDBACK_BLOCK.comment]: `Something went wrong (incident ${incidentId}). Try again.` } }).catch(
        () => undefined,
      );
    }
  });
}

/**
 * "Share in channel": the interaction core runs it again as the presser and hands back the channel
 * version. chat.postMessage needs the bot in the channel (or chat:write.public); when Slack refuses,
 * the response_url can still post into the conversation.
 */
async function share(
  deps: Deps,
  client: webApi.WebClient,
  who: Asker,
  command: string,
  channel: string | undefined,
  respond: RespondFn | undefined,
): Promise<void> {
  const { ctx, core } = deps;
  const shared = await core.share(who, command);
  const what = `share /${splitCommand(command).name}`;
  if (shared.error) {
    await safeRespond(ctx, respond, { ...responseFor(shared), replace_original: false });
    return;
  }
  try {
    if (!channel) throw Object.assign(new Error('no channel in the payload'), { data: { error: 'channel_not_found' } });
    const ts = await deps.postShared(client, channel, shared);
    await core.auditPost(who, what, 'ok', `message ${ts}`);
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    ctx.log.info('slack: chat.postMessage refused a share; posting through response_url', { code });
    const delivered = await safeRespond(ctx, respond, { response_type: 'in_channel', replace_original: false, ...renderBlocks(withoutPersonalData(shared)) });
    await core.auditPost(who, what, delivered ? 'ok' : 'INTERNAL', delivered ? 'through response_url' : undefined);
  }
}

async function openFeedbackModal(
  deps: Deps,
  client: webApi.WebClient,
  respond: RespondFn | undefined,
  triggerId: string,
  channel: string | undefined,
  customerId?: string,
): Promise<void> {
  const { ctx, core } = deps;
  if (!core.registry.get('feedback')) {
    await safeRespond(ctx, respond, {
      ...responseFor(errorReply('NOT_FOUND', 'Logging feedback is not available on this Pulse server yet (it has no /feedback command).')),
      replace_original: false,
    });
    return;
  }
  try {
    const customer = customerId ? await getCustomer(ctx.store.db, customerId) : undefined;
    await client.views.open({ trigger_id: triggerId, view: feedbackModal({ ...(customer ? { customer } : {}), metadata: channel ? { channel } : {} }) });
  } catch (err) {
    const { incidentId, log } = openIncident(ctx.log, { platform: 'slack' });
    log.error('slack: views.open failed', { error: err });
    const reply = internalErrorReply(incidentId, 'Opening the feedback form');
    const hint = 'Try `/feedback CUSTOMER SCORE "comment"` instead.';
    await safeRespond(ctx, respond, {
      ...responseFor({ ...reply, text: `${reply.text}\n${hint}`, error: { ...reply.error!, hint } }),
      replace_original: false,
    });
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

/** Posts to the response_url; true when Slack took it. */
async function safeRespond(ctx: Context, respond: RespondFn | undefined, message: SlackResponse): Promise<boolean> {
  if (!respond) {
    ctx.log.error('slack: no response_url to answer on');
    return false;
  }
  try {
    await respond(message);
    return true;
  } catch (err) {
    ctx.log.error('slack: response_url post failed', { error: err });
    return false;
  }
}
