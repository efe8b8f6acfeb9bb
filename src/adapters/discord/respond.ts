// Answering an interaction within Discord's 3 seconds. The transport owns the deadline: a command
// known to be slow is acknowledged at once (deferred) and edited later; any other is given
// `deferAfterMs` to finish before it is deferred too. Private answers are ephemeral. When Discord
// says the interaction is gone (10062, the deadline was missed) the answer is still delivered if
// possible: through the interaction's follow-up webhook, else as a direct message.
import { randomUUID } from 'node:crypto';
import { MessageFlags, Routes, type ButtonInteraction, type ChatInputCommandInteraction, type ModalSubmitInteraction, type StringSelectMenuInteraction } from 'discord.js';
import type { Logger } from '../../core/logger.ts';
import type { Reply, Visibility } from '../../core/reply.ts';
import { describeDiscordError, isUnknownInteraction } from './discord-errors.ts';
import { limitProblems, type DiscordMessage } from './limits.ts';

export type AnswerableInteraction = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

/** Discord's deadline for the first answer is 3 s; deferring at 2 s leaves room for the network. */
export const DEFAULT_DEFER_AFTER_MS = 2000;

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

export async function answerInteraction(interaction: AnswerableInteraction, plan: AnswerPlan, env: AnswerEnv): Promise<void> {
  const started = performance.now();
  let deferred: Deferral | undefined;
  let reply: Reply | undefined;
  try {
    if (plan.slow || !(await settlesWithin(plan.work, env.deferAfterMs))) {
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
  } catch (err) {
    reply ??= await plan.work;
    await recover(interaction, plan, env, reply, err, performance.now() - started);
  }
}

/** A private answer in plain words, for answers that need no command (a missing feature, an expired button). */
export async function answerPrivately(interaction: AnswerableInteraction, text: string, log: Logger): Promise<void> {
  try {
    if (interaction.deferred || interaction.replied) await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    else await interaction.reply({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } catch (err) {
    log.warn('discord: could not send a private notice', { error: describeDiscordError(err), text });
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
  const incidentId = randomUUID().slice(0, 8);
  const message = env.render(reply);
  const wantsPrivate = reply.visibility === 'private' || Boolean(reply.error);
  if (isUnknownInteraction(err)) {
    env.log.warn('discord: the interaction expired before Pulse answered (Unknown interaction, 10062)', { incidentId, what: plan.what, interaction: interaction.id, ms: Math.round(ms) });
    try {
      await interaction.client.rest.post(Routes.webhook(interaction.applicationId, interaction.token), {
        body: { ...message, allowed_mentions: { parse: [] }, ...(wantsPrivate ? { flags: MessageFlags.Ephemeral } : {}) },
        auth: false,
      });
      env.log.info('discord: late answer delivered as a follow-up', { incidentId });
      return;
    } catch (followUpError) {
      env.log.warn('discord: follow-up after the missed deadline failed', { incidentId, error: describeDiscordError(followUpError) });
    }
    try {
      await interaction.user.send({
        content: `Discord closed your ${plan.what} request before I could answer (it allows 3 seconds). Here is the answer:`,
        embeds: message.embeds,
        allowedMentions: { parse: [] },
      });
      env.log.info('discord: late answer delivered as a direct message', { incidentId });
    } catch (dmError) {
      env.log.error('discord: the late answer could not be delivered', { incidentId, error: describeDiscordError(dmError) });
    }
    return;
  }
  env.log.error('discord: answering failed', { incidentId, what: plan.what, error: err, reason: describeDiscordError(err), problems: limitProblems(message) });
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

/** True if `work` settles within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
