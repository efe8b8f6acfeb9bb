// What a button or a select option does, carried in its custom_id (≤ 100 characters) so a press
// still works after a restart. An action too long for that is kept in memory and named by a key.
import type { ButtonAction } from '../../core/reply.ts';
import { DISCORD_LIMITS } from './limits.ts';

export const FEEDBACK_MODAL_ID = 'pulse:feedback';
export const PICK_MENU_ID = 'pulse:pick';

/** A decoded custom_id: the action itself, or the key of one kept by an `ActionStore`. */
export type DecodedAction = ButtonAction | { kind: 'stored'; key: string };

const PREFIX: Record<ButtonAction['kind'], string> = { run: 'pulse:run:', share: 'pulse:share:', 'feedback-form': 'pulse:form:' };
const STORED = 'pulse:key:';

/** The custom_id for `action`, or undefined when it would not fit in Discord's 100 characters. */
export function encodeAction(action: ButtonAction): string | undefined {
  const id = PREFIX[action.kind] + (action.kind === 'feedback-form' ? (action.customerId ?? '') : action.command);
  return id.length <= DISCORD_LIMITS.customId ? id : undefined;
}

export function storedActionId(key: string): string {
  return STORED + key;
}

export function decodeAction(customId: string): DecodedAction | undefined {
  if (customId.startsWith(STORED)) return { kind: 'stored', key: customId.slice(STORED.length) };
  if (customId.startsWith(PREFIX.run)) return { kind: 'run', command: customId.slice(PREFIX.run.length) };
  if (customId.startsWith(PREFIX.share)) return { kind: 'share', command: customId.slice(PREFIX.share.length) };
  if (customId.startsWith(PREFIX['feedback-form'])) {
    const customerId = customId.slice(PREFIX['feedback-form'].length);
    return customerId ? { kind: 'feedback-form', customerId } : { kind: 'feedback-form' };
  }
  return undefined;
}

/**
 * Remembers actions too long for a custom_id (most recent `capacity` of them). Lost on restart, which
 * is acceptable: those buttons sit on private, short-lived messages.
 */
export class ActionStore {
  readonly #actions = new Map<string, ButtonAction>();
  readonly #capacity: number;
  #next = 0;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Returns the custom_id for `action`: the encoded action when it fits, else a stored key. */
  idFor(action: ButtonAction): string {
    const direct = encodeAction(action);
    if (direct) return direct;
    const key = `${Date.now().toString(36)}${(this.#next++).toString(36)}`;
    this.#actions.set(key, action);
    if (this.#actions.size > this.#capacity) this.#actions.delete(this.#actions.keys().next().value!);
    return storedActionId(key);
  }

  get(key: string): ButtonAction | undefined {
    return this.#actions.get(key);
  }
}

// Re-run text for named arguments lives with the share policy, in the interaction core.
export { commandText } from '../interaction-core.ts';
