// Which Slack workspace this Pulse serves: the team of its bot token, as auth.test says. A request
// naming any other team (a Slack Connect guest's, another workspace's) is answered with a refusal
// and no data. Until auth.test has answered, a request waits for it (briefly); if Slack cannot say,
// the request is refused too: customer data is never served to a workspace Pulse cannot confirm.
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../core/logger.ts';
import { settleWithin } from '../interaction-core.ts';

export interface SlackIdentity {
  teamId: string;
  botId?: string;
  botUserId?: string;
}

/** Why a request is refused when Slack never said which workspace the token belongs to. */
export const UNKNOWN_WORKSPACE = 'the workspace of this bot token is not known (auth.test failed)';
export const UNKNOWN_WORKSPACE_REFUSAL =
  'Pulse cannot confirm which Slack workspace it serves (Slack refused its bot token), so it answers nothing for now. ' +
  'Ask your Pulse admin to check SLACK_BOT_TOKEN.';

export class SlackWorkspace {
  readonly #client: webApi.WebClient;
  readonly #log: Logger;
  readonly #waitMs: number;
  #identity: SlackIdentity | undefined;
  #pending: Promise<SlackIdentity | undefined> | undefined;

  constructor(client: webApi.WebClient, log: Logger, opts: { waitMs?: number } = {}) {
    this.#client = client;
    this.#log = log;
    this.#waitMs = opts.waitMs ?? 1_500;
  }

  /** The identity once known (undefined before auth.test answered). */
  get identity(): SlackIdentity | undefined {
    return this.#identity;
  }

  /** Asks auth.test (once at a time); the answer is kept. */
  verify(): Promise<SlackIdentity | undefined> {
    if (this.#identity) return Promise.resolve(this.#identity);
    this.#pending ??= this.#client.auth
      .test()
      .then((r) => {
        if (!r.team_id) throw new Error('auth.test named no team');
        this.#identity = { teamId: r.team_id, ...(r.bot_id ? { botId: r.bot_id } : {}), ...(r.user_id ? { botUserId: r.user_id } : {}) };
        this.#log.info('slack: signed in', { team: r.team_id, bot: r.user_id });
        return this.#identity;
      })
      .catch((err: { data?: { error?: string }; message?: string }) => {
        this.#log.error('slack: the bot token was refused by auth.test; requests are refused until SLACK_BOT_TOKEN works', {
          code: err.data?.error ?? err.message,
        });
        return undefined;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  /** Why a request naming these teams is from outside this workspace, or undefined when it is inside. */
  async outside(teamIds: (string | undefined | null)[]): Promise<string | undefined> {
    const named = teamIds.filter((t): t is string => typeof t === 'string' && t !== '');
    const identity = this.#identity ?? (await settleWithin(this.verify(), this.#waitMs));
    if (!identity) return UNKNOWN_WORKSPACE;
    const foreign = named.find((t) => t !== identity.teamId);
    return foreign ? `team ${foreign} is not this workspace (${identity.teamId})` : undefined;
  }
}
