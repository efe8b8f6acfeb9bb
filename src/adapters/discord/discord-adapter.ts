// The Discord adapter: a discord.js gateway client that turns interactions into registry calls and
// Replies into embeds. Slash commands run with their options as named arguments; buttons and select
// menus re-run a command (or share it, without personal data, in the channel); /feedback without
// arguments opens a form; customer options autocomplete from an in-memory index.
import { randomUUID } from 'node:crypto';
import { Client, DiscordAPIError, Events, GatewayIntentBits, MessageFlags, type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction, type ClientOptions, type Interaction, type ModalSubmitInteraction, type StringSelectMenuInteraction } from 'discord.js';
import { resolveActor } from '../../app/actors.ts';
import { enumValues } from '../../core/args.ts';
import type { Context, Invocation } from '../../core/context.ts';
import { errorReply, splitCommand, type Registry } from '../../core/registry.ts';
import { withoutPersonalData, type Reply } from '../../core/reply.ts';
import { argKey, argsFromOptions, CUSTOMER_OPTIONS } from './command-definitions.ts';
import { ActionStore, commandText, decodeAction, FEEDBACK_MODAL_ID } from './custom-ids.ts';
import { CustomerSuggestions, type CustomerSource } from './customer-suggestions.ts';
import { describeDiscordError, isUnknownInteraction } from './discord-errors.ts';
import { FEEDBACK_COMMAND, FEEDBACK_FIELDS, feedbackArgs, feedbackModal, needsFeedbackForm, type FeedbackField } from './feedback-form.ts';
import { DISCORD_LIMITS } from './limits.ts';
import { renderDiscord } from './render-embeds.ts';
import { answerInteraction, answerPrivately, DEFAULT_DEFER_AFTER_MS, type AnswerableInteraction, type AnswerEnv } from './respond.ts';
import { discordRestAgent } from './rest-agent.ts';

export interface StartDiscordOptions {
  /** Defer a command still running after this long (Discord allows 3 s for the first answer). */
  deferAfterMs?: number;
  /** Rebuild the autocomplete index this often (ms); 0 turns periodic rebuilds off. */
  indexRefreshMs?: number;
  /** Where the autocomplete index reads customers (default: the store). */
  customers?: CustomerSource;
  /** Give up if the gateway is not ready after this long (ms). */
  readyTimeoutMs?: number;
  /** Extra discord.js client options (tests tune REST timings here). */
  clientOptions?: Partial<ClientOptions>;
}

export interface DiscordHandle {
  stop(): Promise<void>;
  readonly client: Client;
  /** Rebuilds the autocomplete index now (it also rebuilds every `indexRefreshMs`). */
  refreshCustomerIndex(): Promise<void>;
  /** Settles when the first autocomplete index build has finished. */
  readonly indexReady: Promise<void>;
}

export const DEFAULT_INDEX_REFRESH_MS = 15 * 60_000;
const SHARE_LABEL = 'Share in channel';
/**
 * Commands that change data: "Share in channel" re-runs a command, so these never get one (sharing
 * /feedback would log it twice; /digest subscribe would subscribe twice). CommandDef has no such
 * flag yet; until it does, the names are listed here.
 */


export async function startDiscord(ctx: Context, registry: Registry, options: StartDiscordOptions = {}): Promise<DiscordHandle> {
  const { token, applicationId, apiUrl } = ctx.config.discord;
  if (!token || !applicationId) throw new Error('DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set to start the Discord adapter (see docs/discord.md).');
  const agent = discordRestAgent();
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...options.clientOptions,
    rest: { ...(apiUrl ? { api: apiUrl } : {}), agent, ...options.clientOptions?.rest },
  });
  const suggestions = new CustomerSuggestions(ctx, options.customers);
  const actions = new ActionStore();
  const env: AnswerEnv = {
    deferAfterMs: options.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS,
    log: ctx.log,
    render: (reply) => renderDiscord(reply, { idFor: (a) => actions.idFor(a) }),
  };
  const handlers = new InteractionHandlers(ctx, registry, suggestions, actions, env);

  client.on(Events.InteractionCreate, (interaction) => {
    handlers.route(interaction).catch((err) => ctx.log.error('discord: interaction handler failed', { interaction: interaction.id, error: err }));
  });
  client.on(Events.Error, (err) => ctx.log.error('discord client error', { error: err }));
  client.on(Events.Warn, (message) => ctx.log.warn('discord client warning', { message }));

  let readyTimer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    readyTimer = setTimeout(() => reject(new Error('the Discord gateway did not become ready in time')), options.readyTimeoutMs ?? 30_000);
    client.once(Events.ClientReady, () => resolve());
  });
  ready.catch(() => undefined); // observed below; never an unhandled rejection if login fails first
  try {
    await client.login(token);
    await ready;
  } catch (err) {
    await client.destroy();
    await agent.close().catch(() => undefined);
    throw new Error(`Could not connect to Discord: ${err instanceof DiscordAPIError ? describeDiscordError(err) : err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    clearTimeout(readyTimer);
  }
  ctx.log.info('discord adapter ready', { user: client.user?.tag, application: applicationId });

  const indexReady = suggestions.refresh().catch((err) => ctx.log.error('discord autocomplete index failed to build', { error: err }));
  const every = options.indexRefreshMs ?? DEFAULT_INDEX_REFRESH_MS;
  const timer = every > 0 ? setInterval(() => void suggestions.refresh().catch((err) => ctx.log.error('discord autocomplete index failed to rebuild', { error: err })), every) : undefined;
  timer?.unref();

  return {
    client,
    indexReady: indexReady.then(() => undefined),
    refreshCustomerIndex: () => suggestions.refresh(),
    async stop() {
      if (timer) clearInterval(timer);
      await client.destroy();
      await agent.close().catch(() => undefined);
      ctx.log.info('discord adapter stopped');
    },
  };
}

/** One method per kind of interaction; every failure ends in a reply the person can read. */
class InteractionHandlers {
  constructor(
    private readonly ctx: Context,
    private readonly registry: Registry,
    private readonly suggestions: CustomerSuggestions,
    private readonly actions: ActionStore,
    private readonly env: AnswerEnv,
  ) {}

  async route(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return this.autocomplete(interaction);
    if (interaction.isChatInputCommand()) return this.slashCommand(interaction);
    if (interaction.isButton() || interaction.isStringSelectMenu()) return this.component(interaction);
    if (interaction.isModalSubmit()) return this.modalSubmit(interaction);
  }

  async slashCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const name = interaction.commandName;
    const command = this.registry.get(name);
    const args = command ? argsFromOptions(command, interaction.options.data) : Object.fromEntries(interaction.options.data.map((o) => [o.name, o.value]));
    if (name === FEEDBACK_COMMAND && command && needsFeedbackForm(args)) return this.showFeedbackForm(interaction, args);
    const work = this.safely(`/${name}`, async () => {
      const reply = await this.registry.runWithArgs(name, args, await this.invocation(interaction), this.ctx);
      return withShareButton(reply, this.registry.get(name)?.changesData ? undefined : commandText(name, args));
    });
    await answerInteraction(interaction, { work, slow: command?.slow ?? false, expect: 'private', what: `/${name}` }, this.env);
  }

  async component(interaction: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
    const id = interaction.isButton() ? interaction.customId : (interaction.values[0] ?? '');
    const decoded = decodeAction(id);
    const action = decoded?.kind === 'stored' ? this.actions.get(decoded.key) : decoded;
    if (!action) return answerPrivately(interaction, 'That button has expired. Please run the command again.', this.ctx.log);
    if (action.kind === 'feedback-form') return this.showFeedbackForm(interaction, action.customerId ? { customer: action.customerId } : {});
    const slow = this.registry.get(splitCommand(action.command).name)?.slow ?? false;
    if (action.kind === 'share') {
      const work = this.safely(`share ${action.command}`, async () => {
        const call = await this.invocation(interaction);
        const reply = await this.registry.run(action.command, call, this.ctx);
        if (reply.error) return reply;
        const shared = withoutPersonalData(reply);
        return { ...shared, footer: [`Shared by ${call.actor.name ?? 'a teammate'}`, shared.footer].filter(Boolean).join(' · ') };
      });
      return answerInteraction(interaction, { work, slow, expect: 'channel', what: `share ${action.command}` }, this.env);
    }
    const work = this.safely(action.command, async () => {
      const reply = await this.registry.run(action.command, await this.invocation(interaction), this.ctx);
      return withShareButton(reply, this.registry.get(splitCommand(action.command).name)?.changesData ? undefined : action.command);
    });
    // A choice on a private message is replaced by the answer; on a public one the answer comes privately.
    const update = interaction.message.flags.has(MessageFlags.Ephemeral);
    await answerInteraction(interaction, { work, slow, update, expect: 'private', what: action.command }, this.env);
  }

  async modalSubmit(interaction: ModalSubmitInteraction): Promise<void> {
    if (interaction.customId !== FEEDBACK_MODAL_ID) return answerPrivately(interaction, 'That form has expired. Please run the command again.', this.ctx.log);
    const command = this.registry.get(FEEDBACK_COMMAND);
    if (!command) return answerPrivately(interaction, 'Logging feedback from Discord is not available: this Pulse has no /feedback command yet.', this.ctx.log);
    const fields: Partial<Record<FeedbackField, string>> = {};
    for (const f of FEEDBACK_FIELDS) {
      try {
        fields[f] = interaction.fields.getTextInputValue(f);
      } catch {
        /* a field left out of the submission (older form) */
      }
    }
    const args = feedbackArgs(fields);
    const work = this.safely('feedback form', async () => this.registry.runWithArgs(FEEDBACK_COMMAND, args, await this.invocation(interaction), this.ctx));
    await answerInteraction(interaction, { work, slow: command.slow ?? false, expect: 'private', what: 'feedback form' }, this.env);
  }

  async autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const started = performance.now();
    try {
      const focused = interaction.options.getFocused(true);
      const command = this.registry.get(interaction.commandName);
      const key = command ? argKey(command, focused.name) : undefined;
      const typed = String(focused.value ?? '');
      let choices: { name: string; value: string }[] = [];
      if (command && key && CUSTOMER_OPTIONS.has(key)) {
        const found = await this.suggestions.suggest(typed);
        choices = found.filter((s) => s.customerId.length <= DISCORD_LIMITS.choiceValue).map((s) => ({ name: s.label, value: s.customerId }));
      } else if (command && key) {
        const lowered = typed.toLowerCase();
        choices = enumValues(command.args.shape[key]).filter((v) => v.toLowerCase().startsWith(lowered)).map((v) => ({ name: v, value: v }));
      }
      await interaction.respond(choices.slice(0, DISCORD_LIMITS.autocompleteChoices));
      this.ctx.log.debug('discord autocomplete', { command: interaction.commandName, option: focused.name, choices: choices.length, ms: Math.round(performance.now() - started) });
    } catch (err) {
      if (isUnknownInteraction(err)) this.ctx.log.warn('discord: autocomplete answered too late (Unknown interaction, 10062)', { ms: Math.round(performance.now() - started) });
      else this.ctx.log.error('discord: autocomplete failed', { error: err, reason: describeDiscordError(err) });
      if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
    }
  }

  async showFeedbackForm(interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction, prefill: Record<string, unknown>): Promise<void> {
    if (!this.registry.get(FEEDBACK_COMMAND)) {
      return answerPrivately(interaction, 'Logging feedback from Discord is not available: this Pulse has no /feedback command yet.', this.ctx.log);
    }
    try {
      await interaction.showModal(feedbackModal(prefill));
    } catch (err) {
      this.ctx.log.warn('discord: could not open the feedback form', { error: describeDiscordError(err) });
      if (!isUnknownInteraction(err)) await answerPrivately(interaction, `✗ Could not open the feedback form: ${describeDiscordError(err)}`, this.ctx.log);
    }
  }

  async invocation(interaction: AnswerableInteraction): Promise<Invocation> {
    const user = interaction.user;
    const actor = await resolveActor(this.ctx, `discord:${user.id}`, { name: user.globalName ?? user.username });
    return { actor, platform: 'discord', ...(interaction.channelId ? { channel: `discord:${interaction.channelId}` } : {}) };
  }

  /** Runs `fn`; anything it throws (the store, resolving the user) becomes an error reply with an incident id. */
  safely(what: string, fn: () => Promise<Reply>): Promise<Reply> {
    return fn().catch((err: unknown) => {
      const incidentId = randomUUID().slice(0, 8);
      this.ctx.log.error('discord: command failed outside the registry', { incidentId, what, error: err });
      const reply = errorReply('INTERNAL', `Something went wrong running ${what}. It has been logged as incident ${incidentId}.`);
      return { ...reply, error: { ...reply.error!, incidentId } };
    });
  }
}

/**
 * A private answer gets a "Share in channel" button (re-run, without personal data, in public)
 * unless it already has one, is an error, or is a list to pick from. `rerun` is the command text
 * that reproduces it; undefined for commands that change data (sharing re-runs them).
 */
export function withShareButton(reply: Reply, rerun: string | undefined): Reply {
  if (!rerun || reply.visibility !== 'private' || reply.error) return reply;
  if (reply.buttons?.some((b) => b.action.kind === 'share' || b.action.kind === 'run')) return reply;
  return { ...reply, buttons: [...(reply.buttons ?? []), { label: SHARE_LABEL, action: { kind: 'share', command: rerun } }] };
}
