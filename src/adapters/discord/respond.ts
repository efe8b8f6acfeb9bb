// Answering an interaction within Discord's 3 seconds. When to acknowledge first is the interaction
// core's rule (a command declared slow at once, any other after `deferAfterMs`); this file does it
// the Discord way: deferred, then edited. Private answers are ephemeral. When Discord
// says the interaction is gone (10062, the deadline was missed) the answer is still delivered if
// possible: through the interaction's follow-up webhook, else as a direct message.
import {
  MessageFlags,
  Routes,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { openIncident } from '../../core/incident.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reply, Visibility } from '../../core/reply.ts';
import { settleWithin } from '../interaction-core.ts';
import { describeDiscordError, isUnknownInteraction } from './discord-errors.ts';
import { limitProblems, type DiscordMessage } from './limits.ts';

export type AnswerableInteraction = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

export interface AnswerPlan {
  /** The answer being computed (already started). Must not reject: failures are error replies. */
  work: Promise<Reply>;
  /** The command may take seconds: acknowledge before waiting at all. */
  slow: boolean;
  /** Replace the (private) message the pressed component sits on, rather than answer below it. */
  update?: boolean;
  /** Who will likely see the answer; decides the deferral's visibility before the answer exists. */
  expect: Visibility;
  /** For logs: `/customer`, `button share`, … */
  what: string;
}

export interface AnswerEnv {
  deferAfterMs: number;
  log: Logger;
  render(reply: Reply): DiscordMessage;
}

type Deferral = 'private' | 'channel' | 'update';

/** Answers; true when the answer went out through the interaction itself. */
export async function answerInteraction(interaction: AnswerableInteraction, plan: AnswerPlan, env: AnswerEnv): Promise<boolean> {
  const started = performance.now();
  let deferred: Deferral | undefined;
  let reply: Reply | undefined;
  try {
    if (plan.slow || (await settleWithin(plan.work, env.deferAfterMs)) === undefined) {
      if (plan.update && 'deferUpdate' in interaction) {
        await interaction.deferUpdate();
        deferred = 'update';
      } else {
        await interaction.deferReply(plan.expect === 'private' ? { flags: MessageFlags.Ephemeral } : {});
        deferred = plan.expect;
      }
      env.log.debug('discord interaction deferred', { what: plan.what, ms: Math.round(performance.now() - started) });
    }
    reply = await plan.work;
    await send(interaction, plan, env, reply, deferred);
    env.log.debug('discord interaction answered', { what: plan.what, deferred: deferred ?? 'no', ms: Math.round(performance.now() - started) });
    return true;
  } catch (err) {
    reply ??= await plan.work;
    await recover(interaction, plan, env, reply, err, performance.now() - started);
    return false;
  }
}

/** A private answer in plain words, for answers that need no command (a missing feature, an expired button). */
export async function answerPrivately(interaction: AnswerableInteraction, text: string, log: Logger): Promise<void> {
  try {
    if (interaction.deferred || interaction.replied)
      await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    else await interaction.reply({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } catch (err) {
    log.warn('discord: could not send a private notice', { error: describeDiscordError(err) });
  }
}

async function send(interaction: AnswerableInteraction, plan: AnswerPlan, env: AnswerEnv, reply: Reply, deferred: Deferral | undefined): Promise<void> {
  const message = env.render(reply);
  const wantsPrivate = reply.visibility === 'private' || Boolean(reply.error);
  const body = payload(message);
  const ephemeral = { ...body, flags: MessageFlags.Ephemeral } as const;
  if (!deferred) {
    if (plan.update && wantsPrivate && 'update' in interaction) await interaction.update(body);
    else await interaction.reply(wantsPrivate ? ephemeral : body);
    return;
  }
  if (deferred === 'update') {
    if (wantsPrivate) await interaction.editReply(body);
    else await interaction.followUp(body);
    return;
  }
  if ((deferred === 'private') === wantsPrivate) {
    await interaction.editReply(body);
  } else if (deferred === 'private') {
    // Deferred privately, but the answer is for the channel: say so privately, post it publicly.
    await interaction.editReply({ content: 'Posted in the channel.', embeds: [], components: [] });
    await interaction.followUp(body);
  } else {
    // Deferred publicly (a share), but the answer is private (an error): withdraw, answer privately.
    await interaction.deleteReply();
    await interaction.followUp(ephemeral);
  }
}

async function recover(interaction: AnswerableInteraction, plan: AnswerPlan, env: AnswerEnv, reply: Reply, err: unknown, ms: number): Promise<void> {
  const { incidentId, log } = openIncident(env.log, { platform: 'discord' });
  const message = env.render(reply);
  const wantsPrivate = reply.visibility === 'private' || Boolean(reply.error);
  if (isUnknownInteraction(err)) {
    log.warn('discord: the interaction expired before Pulse answered (Unknown interaction, 10062)', {
      what: plan.what,
      interaction: interaction.id,
      ms: Math.round(ms),
    });
    try {
      await interaction.client.rest.post(Routes.webhook(interaction.applicationId, interaction.token), {
        body: { ...message, allowed_mentions: { parse: [] }, ...(wantsPrivate ? { flags: MessageFlags.Ephemeral } : {}) },
        auth: false,
      });
      log.info('discord: late answer delivered as a follow-up');
      return;
    } catch (followUpError) {
      log.warn('discord: follow-up after the missed deadline failed', { error: describeDiscordError(followUpError) });
    }
    try {
      await interaction.user.send({
        content: `Discord closed your ${plan.what} request before I could answer (it allows 3 seconds). Here is the answer:`,
        embeds: message.embeds,
        allowedMentions: { parse: [] },
      });
      log.info('discord: late answer delivered as a direct message');
    } catch (dmError) {
      log.error('discord: the late answer could not be delivered', { error: describeDiscordError(dmError) });
    }
    return;
  }
  log.error('discord: answering failed', { what: plan.what, error: err, reason: describeDiscordError(err), problems: limitProblems(message) });
  await answerPrivately(interaction, `✗ ${describeDiscordError(err)} (incident ${incidentId})`, env.log);
}

function payload(message: DiscordMessage) {
  return {
    ...(message.content !== undefined ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowedMentions: { parse: [] as [] },
  };
}
