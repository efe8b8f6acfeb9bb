// The Discord adapter: a discord.js gateway client whose interactions go to the interaction core
// (scope, running the command as the person, the share policy, answer-now-or-defer), answered as
// embeds. Slash commands run with their options as named arguments; buttons and select menus run a
// command again (or share it, without personal data, in the channel); /feedback without arguments
// opens a form; customer options autocomplete from an in-memory index. With DISCORD_GUILD_ID, an
// interaction from any other guild or from a DM gets a refusal and no data (autocomplete: nothing).
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  REST,
  Routes,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ClientOptions,
  type Interaction,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { resolveActor } from '../../app/actors.ts';
import { enumValues } from '../../core/args.ts';
import type { Context } from '../../core/context.ts';
import type { Registry } from '../../core/registry.ts';
import { splitCommand } from '../../core/registry.ts';
import type { Reply } from '../../core/reply.ts';
import type { ChatAdapter, PostOptions, Posted } from '../chat-adapter.ts';
import { InteractionCore, type Asker } from '../interaction-core.ts';
import { argKey, argsFromOptions, CUSTOMER_OPTIONS } from './command-definitions.ts';
import { ActionStore, decodeAction, FEEDBACK_MODAL_ID } from './custom-ids.ts';
import { CustomerSuggestions, type CustomerSource } from './customer-suggestions.ts';
import { describeDiscordError, isUnknownInteraction } from './discord-errors.ts';
import { FEEDBACK_COMMAND, FEEDBACK_FIELDS, feedbackArgs, feedbackModal, needsFeedbackForm, type FeedbackField } from './feedback-form.ts';
import { DISCORD_LIMITS } from './limits.ts';
import { postToDiscordChannel } from './post-to-channel.ts';
import { renderDiscord } from './render-embeds.ts';
import { answerInteraction, answerPrivately, type AnswerableInteraction, type AnswerEnv } from './respond.ts';
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

export interface DiscordAdapter extends ChatAdapter {
  readonly client: Client;
  /** Rebuilds the autocomplete index now (it also rebuilds every `indexRefreshMs`). */
  refreshCustomerIndex(): Promise<void>;
  /** Settles when the first autocomplete index build after start has finished. */
  readonly indexReady: Promise<void>;
}

/** @deprecated the adapter itself; kept for callers that named the handle. */
export type DiscordHandle = DiscordAdapter;

export const DEFAULT_INDEX_REFRESH_MS = 15 * 60_000;

/**
 * The Discord adapter. `registry` may be left out by a process that only posts (`pulse digest
 * tick`): it can `post` (REST only, no gateway), not `start`.
 */
export function createDiscordAdapter(ctx: Context, registry: Registry | undefined, options: StartDiscordOptions = {}): DiscordAdapter {
  const { token, applicationId, apiUrl } = ctx.config.discord;
  if (!token || !applicationId) throw new Error('DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set to start the Discord adapter (see docs/discord.md).');
  const log = ctx.log.child?.({ platform: 'discord' }) ?? ctx.log;
  const agent = discordRestAgent();
  // Posts get a REST client of their own: no retries (a retried POST may duplicate a message the
  // first one delivered) and rate limits handed back, so the outbox decides.
  const posting = new REST({ ...(apiUrl ? { api: apiUrl } : {}), rejectOnRateLimit: () => true, retries: 0, agent }).setToken(token);
  let botUserId: Promise<string> | undefined;
  const botId = () =>
    (botUserId ??= (posting.get(Routes.user('@me')) as Promise<{ id: string }>)
      .then((u) => u.id)
      .catch((err: unknown) => {
        botUserId = undefined;
        throw err;
      }));
  const post = (channel: string, reply: Reply, opts: PostOptions = {}): Promise<Posted> =>
    postToDiscordChannel(posting, channel, reply, { ...opts, botUserId: botId });

  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...options.clientOptions,
    rest: { ...(apiUrl ? { api: apiUrl } : {}), agent, ...options.clientOptions?.rest },
  });
  const suggestions = new CustomerSuggestions(ctx, options.customers);
  let timer: NodeJS.Timeout | undefined;
  let indexReady: Promise<void> = Promise.resolve();

  return {
    platform: 'discord',
    client,
    post,
    get indexReady() {
      return indexReady;
    },
    refreshCustomerIndex: () => suggestions.refresh(),
    async start() {
      if (!registry) throw new Error('Discord: this adapter was made for posting only.');
      const core = new InteractionCore(ctx, registry, options.deferAfterMs !== undefined ? { deferAfterMs: options.deferAfterMs } : {});
      const actions = new ActionStore();
      const env: AnswerEnv = { deferAfterMs: core.deferAfterMs, log, render: (reply) => renderDiscord(reply, { idFor: (a) => actions.idFor(a) }) };
      const handlers = new InteractionHandlers(ctx, core, suggestions, actions, env);
      client.on(Events.InteractionCreate, (interaction) => {
        handlers.route(interaction).catch((err) => log.error('discord: interaction handler failed', { interaction: interaction.id, error: err }));
      });
      client.on(Events.Error, (err) => log.error('discord client error', { error: err }));
      client.on(Events.Warn, (message) => log.warn('discord client warning', { message }));

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
        throw new Error(
          `Could not connect to Discord: ${err instanceof DiscordAPIError ? describeDiscordError(err) : err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      } finally {
        clearTimeout(readyTimer);
      }
      log.info('discord adapter ready', { user: client.user?.tag, application: applicationId });
      indexReady = suggestions.refresh().catch((err) => log.error('discord autocomplete index failed to build', { error: err }));
      const every = options.indexRefreshMs ?? DEFAULT_INDEX_REFRESH_MS;
      timer =
        every > 0
          ? setInterval(() => void suggestions.refresh().catch((err) => log.error('discord autocomplete index failed to rebuild', { error: err })), every)
          : undefined;
      timer?.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await client.destroy();
      await agent.close().catch(() => undefined);
      log.info('discord adapter stopped');
    },
  };
}

/** Creates and starts the Discord adapter; the caller stops it. */
export async function startDiscord(ctx: Context, registry: Registry, options: StartDiscordOptions = {}): Promise<DiscordAdapter> {
  const discord = createDiscordAdapter(ctx, registry, options);
  await discord.start();
  return discord;
}

/** One method per kind of interaction; every failure ends in a reply the person can read. */
class InteractionHandlers {
  constructor(
    private readonly ctx: Context,
    private readonly core: InteractionCore,
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
    const command = this.core.registry.get(name);
    const asker = this.asker(interaction);
    const args = command ? argsFromOptions(command, interaction.options.data) : Object.fromEntries(interaction.options.data.map((o) => [o.name, o.value]));
    if (name === FEEDBACK_COMMAND && command && needsFeedbackForm(args) && !asker.outside) return this.showFeedbackForm(interaction, args);
    const work = this.core.command(asker, { name, args });
    await answerInteraction(interaction, { work, slow: this.core.isSlow(name), expect: 'private', what: `/${name}` }, this.env);
  }

  async component(interaction: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
    const asker = this.asker(interaction);
    const refused = await this.core.refusal(asker, 'button');
    if (refused) return answerPrivately(interaction, refused.error!.message, this.env.log);
    const id = interaction.isButton() ? interaction.customId : (interaction.values[0] ?? '');
    const decoded = decodeAction(id);
    const action = decoded?.kind === 'stored' ? this.actions.get(decoded.key) : decoded;
    if (!action) return answerPrivately(interaction, 'That button has expired. Please run the command again.', this.env.log);
    if (action.kind === 'feedback-form') return this.showFeedbackForm(interaction, action.customerId ? { customer: action.customerId } : {});
    const { name, argsText } = splitCommand(action.command);
    const slow = this.core.isSlow(name);
    if (action.kind === 'share') {
      const work = this.core.share(asker, action.command);
      const posted = await answerInteraction(interaction, { work, slow, expect: 'channel', what: `share /${name}` }, this.env);
      const reply = await work;
      await this.core.auditPost(asker, `share /${name}`, reply.error ? reply.error.code : posted ? 'ok' : 'INTERNAL');
      return;
    }
    const work = this.core.command(asker, { name, text: argsText });
    // A choice on a private message is replaced by the answer; on a public one the answer comes privately.
    const update = interaction.message.flags.has(MessageFlags.Ephemeral);
    await answerInteraction(interaction, { work, slow, update, expect: 'private', what: action.command }, this.env);
  }

  async modalSubmit(interaction: ModalSubmitInteraction): Promise<void> {
    if (interaction.customId !== FEEDBACK_MODAL_ID) return answerPrivately(interaction, 'That form has expired. Please run the command again.', this.env.log);
    const asker = this.asker(interaction);
    if (!this.core.registry.get(FEEDBACK_COMMAND))
      return answerPrivately(interaction, 'Logging feedback from Discord is not available: this Pulse has no /feedback command yet.', this.env.log);
    const fields: Partial<Record<FeedbackField, string>> = {};
    for (const f of FEEDBACK_FIELDS) {
      try {
        fields[f] = interaction.fields.getTextInputValue(f);
      } catch {
        /* a field left out of the submission (older form) */
      }
    }
    const work = this.core.command(asker, { name: FEEDBACK_COMMAND, args: feedbackArgs(fields) });
    await answerInteraction(interaction, { work, slow: this.core.isSlow(FEEDBACK_COMMAND), expect: 'private', what: 'feedback form' }, this.env);
  }

  async autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const started = performance.now();
    try {
      // Suggestions are customer names: nothing for a guild or DM this Pulse does not serve.
      if (this.asker(interaction).outside) return void (await interaction.respond([]));
      const focused = interaction.options.getFocused(true);
      const command = this.core.registry.get(interaction.commandName);
      const key = command ? argKey(command, focused.name) : undefined;
      const typed = String(focused.value ?? '');
      let choices: { name: string; value: string }[] = [];
      if (command && key && CUSTOMER_OPTIONS.has(key)) {
        const found = await this.suggestions.suggest(typed);
        choices = found.filter((s) => s.customerId.length <= DISCORD_LIMITS.choiceValue).map((s) => ({ name: s.label, value: s.customerId }));
      } else if (command && key) {
        const lowered = typed.toLowerCase();
        choices = enumValues(command.args.shape[key])
          .filter((v) => v.toLowerCase().startsWith(lowered))
          .map((v) => ({ name: v, value: v }));
      }
      await interaction.respond(choices.slice(0, DISCORD_LIMITS.autocompleteChoices));
      this.env.log.debug('discord autocomplete', {
        command: interaction.commandName,
        option: focused.name,
        choices: choices.length,
        ms: Math.round(performance.now() - started),
      });
    } catch (err) {
      if (isUnknownInteraction(err))
        this.env.log.warn('discord: autocomplete answered too late (Unknown interaction, 10062)', { ms: Math.round(performance.now() - started) });
      else this.env.log.error('discord: autocomplete failed', { error: err, reason: describeDiscordError(err) });
      if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
    }
  }

  async showFeedbackForm(
    interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction,
    prefill: Record<string, unknown>,
  ): Promise<void> {
    if (!this.core.registry.get(FEEDBACK_COMMAND)) {
      return answerPrivately(interaction, 'Logging feedback from Discord is not available: this Pulse has no /feedback command yet.', this.env.log);
    }
    try {
      await interaction.showModal(feedbackModal(prefill));
    } catch (err) {
      this.env.log.warn('discord: could not open the feedback form', { error: describeDiscordError(err) });
      if (!isUnknownInteraction(err)) await answerPrivately(interaction, `✗ Could not open the feedback form: ${describeDiscordError(err)}`, this.env.log);
    }
  }

  /** Who asks, from where; outside when DISCORD_GUILD_ID names another guild than the interaction's (or it is a DM). */
  asker(interaction: AnswerableInteraction | AutocompleteInteraction): Asker {
    const user = interaction.user;
    const guild = this.ctx.config.discord.guildId;
    const outside =
      guild === undefined
        ? undefined
        : interaction.guildId === null
          ? 'a direct message'
          : interaction.guildId !== guild
            ? `guild ${interaction.guildId} is not DISCORD_GUILD_ID`
            : undefined;
    return {
      platform: 'discord',
      userId: user.id,
      actor: () => resolveActor(this.ctx, `discord:${user.id}`, { name: user.globalName ?? user.username }),
      ...(interaction.channelId ? { channel: `discord:${interaction.channelId}` } : {}),
      ...(outside ? { outside } : {}),
    };
  }
}
