// Bolt and the Web API client log through Pulse's logger (stderr, structured, level from config).
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../core/logger.ts';

export function slackLogger(log: Logger): SlackLogger {
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : safe(m))).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: (...msg) => log.debug(`slack: ${join(msg)}`),
    info: (...msg) => log.info(`slack: ${join(msg)}`),
    warn: (...msg) => log.warn(`slack: ${join(msg)}`),
    error: (...msg) => log.error(`slack: ${join(msg)}`),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function safe(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
