// A Reply button's ButtonAction travels in the Slack button's `value` as JSON, and comes back in the
// block_actions payload. Values are untrusted on the way back: decoding checks the shape.
import type { ButtonAction } from '../../core/reply.ts';
import { SLACK_LIMITS } from './limits.ts';

/** Every Pulse button's action_id starts with this; the rest is its position (unique per message). */
export const BUTTON_ACTION_PREFIX = 'pulse_button_';
export const BUTTON_ACTION_PATTERN = /^pulse_button_\d+$/;

/** The button value, or undefined when the action does not fit Slack's 2,000 characters. */
export function encodeButtonValue(action: ButtonAction): string | undefined {
  const value = JSON.stringify(action);
  return value.length <= SLACK_LIMITS.buttonValue ? value : undefined;
}

export function decodeButtonValue(value: string | undefined): ButtonAction | undefined {
  if (!value) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  if ((o.kind === 'run' || o.kind === 'share') && typeof o.command === 'string' && o.command.trim() !== '') {
    return { kind: o.kind, command: o.command };
  }
  if (o.kind === 'feedback-form') {
    return typeof o.customerId === 'string' && o.customerId !== '' ? { kind: 'feedback-form', customerId: o.customerId } : { kind: 'feedback-form' };
  }
  return undefined;
}
