// Structured logs (pino, one JSON object a line) to stderr: stdout is reserved for command output
// (`--json` prints one document). What people type and what Pulse answers never reaches the log at
// info level or above: fields that carry it are redacted wherever they appear, and only `debug`
// shows them. An incident is a child logger, so every line about it carries its id.
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  /** The same logger with `bindings` on every line (`{ incidentId }`, `{ platform }`). */
  child?(bindings: Record<string, unknown>): Logger;
}

/**
 * Keys whose values are what a person typed or was shown (command text, reply text, form fields,
 * Slack and Discord message bodies) or personal data (emails, names of customers, comments).
 * Redacted at every level but debug, one and two levels deep.
 */
export const REDACTED_KEYS = [
  'text',
  'argsText',
  'args',
  'reply',
  'blocks',
  'embeds',
  'content',
  'comment',
  'email',
  'payload',
  'body',
  'view',
  'values',
] as const;

export const REDACTED = '[redacted]';

/**
 * A logger writing JSON lines to stderr, or to `write` (tests capture lines with it). At `debug`
 * nothing is redacted: debug logs are for a developer's own machine.
 */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  const stream: DestinationStream = write ? { write: (line: string) => write(line.replace(/\n$/, '')) } : pino.destination({ dest: 2, sync: true });
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const base = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: errorSerializer, err: errorSerializer },
      ...(level === 'debug' ? {} : { redact: { paths, censor: REDACTED } }),
    },
    stream,
  );
  return wrap(base);
}

function wrap(p: PinoLogger): Logger {
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => (msg: string, data?: Record<string, unknown>) => (data ? p[lvl](data, msg) : p[lvl](msg));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (bindings) => wrap(p.child(bindings)) };
}

/** `log.child(bindings)`, for loggers that have no children (a test's memory logger) the logger itself. */
export function childLogger(log: Logger, bindings: Record<string, unknown>): Logger {
  return log.child ? log.child(bindings) : log;
}

export const silentLogger: Logger = createLogger('silent');

/**
 * An error as name, message, code and stack. Slack's and Discord's client errors carry the request
 * they failed on (with the message being posted): only what identifies the failure is kept.
 */
function errorSerializer(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: unknown; status?: unknown; data?: { error?: unknown } };
  return {
    name: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.data?.error !== undefined ? { platformError: e.data.error } : {}),
    stack: e.stack,
  };
}
