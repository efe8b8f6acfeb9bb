// The "Log feedback" modal: its view, the customer picker's options, and reading (and checking) a
// submission into the /feedback command's arguments. Pure.
import type { types } from '@slack/bolt';
import type { CustomerRow } from '../../db/schema.ts';
import { SLACK_LIMITS } from './limits.ts';
import { cut } from './mrkdwn.ts';

export const FEEDBACK_VIEW_CALLBACK = 'pulse_feedback';
/** action_id of the customer picker; block_suggestion requests for it are answered from the store. */
export const CUSTOMER_PICKER_ACTION = 'pulse_customer_pick';

/** Block ids, named as the /feedback command's arguments so argument errors land on the right input. */
export const FEEDBACK_BLOCK = Object.freeze({ customer: 'customer', scale: 'scale', score: 'score', comment: 'comment' });
const INPUT_ACTION = 'value';

export const SCALE_RANGE = Object.freeze({ csat: { min: 1, max: 5 }, nps: { min: 0, max: 10 } });
export type Scale = keyof typeof SCALE_RANGE;
export const COMMENT_MAX = 2000;

export interface FeedbackArgs {
  customer: string;
  scale: Scale;
  /** As typed: the command's schema coerces it, the same as typed text. */
  score: string;
  comment?: string;
}

/** Carried in the view's private_metadata: where to confirm once the modal is submitted. */
export interface FeedbackModalMetadata {
  channel?: string;
}

export function customerOption(c: Pick<CustomerRow, 'customer_id' | 'name' | 'company'>): types.PlainTextOption | undefined {
  if (c.customer_id.length > SLACK_LIMITS.optionValue) return undefined;
  const name = [c.name ?? c.customer_id, c.company && c.company !== c.name ? c.company : undefined].filter(Boolean).join(' · ');
  const suffix = c.name ? ` (${c.customer_id})` : '';
  const text = name.length + suffix.length <= SLACK_LIMITS.optionText ? name + suffix : cut(name, SLACK_LIMITS.optionText);
  return { text: { type: 'plain_text', text, emoji: false }, value: c.customer_id };
}

export function feedbackModal(opts: { customer?: Pick<CustomerRow, 'customer_id' | 'name' | 'company'>; metadata?: FeedbackModalMetadata }): types.ModalView {
  const initial = opts.customer ? customerOption(opts.customer) : undefined;
  const picker: types.ExternalSelect = {
    type: 'external_select',
    action_id: CUSTOMER_PICKER_ACTION,
    placeholder: { type: 'plain_text', text: 'Type a name, company, email or id' },
    min_query_length: 1,
    ...(initial ? { initial_option: initial } : {}),
  };
  const metadata = JSON.stringify(opts.metadata ?? {});
  return {
    type: 'modal',
    callback_id: FEEDBACK_VIEW_CALLBACK,
    title: { type: 'plain_text', text: 'Log feedback' },
    submit: { type: 'plain_text', text: 'Log it' },
    close: { type: 'plain_text', text: 'Cancel' },
    ...(metadata.length <= SLACK_LIMITS.privateMetadata ? { private_metadata: metadata } : {}),
    blocks: [
      { type: 'input', block_id: FEEDBACK_BLOCK.customer, label: { type: 'plain_text', text: 'Customer' }, element: picker },
      {
        type: 'input',
        block_id: FEEDBACK_BLOCK.scale,
        label: { type: 'plain_text', text: 'Scale' },
        element: {
          type: 'radio_buttons',
          action_id: INPUT_ACTION,
          initial_option: scaleOption('csat'),
          options: [scaleOption('csat'), scaleOption('nps')],
        },
      },
      {
        type: 'input',
        block_id: FEEDBACK_BLOCK.score,
        label: { type: 'plain_text', text: 'Score' },
        hint: { type: 'plain_text', text: 'CSAT: 1 (very unhappy) to 5 (very happy). NPS: 0 to 10, how likely to recommend.' },
        element: { type: 'number_input', action_id: INPUT_ACTION, is_decimal_allowed: false, min_value: '0', max_value: '10' },
      },
      {
        type: 'input',
        block_id: FEEDBACK_BLOCK.comment,
        optional: true,
        label: { type: 'plain_text', text: 'Comment' },
        element: { type: 'plain_text_input', action_id: INPUT_ACTION, multiline: true, max_length: COMMENT_MAX, placeholder: { type: 'plain_text', text: 'What did they say?' } },
      },
    ],
  };
}

function scaleOption(scale: Scale): types.PlainTextOption {
  const text = scale === 'csat' ? 'CSAT (1–5)' : 'NPS (0–10)';
  return { text: { type: 'plain_text', text }, value: scale };
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null } | undefined> | undefined>;

/** The submitted values as /feedback arguments, or the errors to show beside the inputs. */
export function readFeedbackSubmission(values: StateValues): { ok: true; args: FeedbackArgs } | { ok: false; errors: Record<string, string> } {
  const pick = (block: string, action = INPUT_ACTION) => values[block]?.[action];
  const customer = pick(FEEDBACK_BLOCK.customer, CUSTOMER_PICKER_ACTION)?.selected_option?.value?.trim() ?? '';
  const scale = pick(FEEDBACK_BLOCK.scale)?.selected_option?.value ?? '';
  const scoreText = (pick(FEEDBACK_BLOCK.score)?.value ?? '').trim();
  const comment = (pick(FEEDBACK_BLOCK.comment)?.value ?? '').trim();
  const errors: Record<string, string> = {};
  if (!customer) errors[FEEDBACK_BLOCK.customer] = 'Pick a customer: type part of a name, company, email or id.';
  if (scale !== 'csat' && scale !== 'nps') errors[FEEDBACK_BLOCK.scale] = 'Choose CSAT or NPS.';
  if (!/^\d{1,2}$/.test(scoreText)) {
    errors[FEEDBACK_BLOCK.score] = 'Enter a whole number.';
  } else if (scale === 'csat' || scale === 'nps') {
    const { min, max } = SCALE_RANGE[scale];
    const score = Number(scoreText);
    if (score < min || score > max) errors[FEEDBACK_BLOCK.score] = `${scale.toUpperCase()} scores go from ${min} to ${max}.`;
  }
  if (comment.length > COMMENT_MAX) errors[FEEDBACK_BLOCK.comment] = `Keep it under ${COMMENT_MAX} characters.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const args: FeedbackArgs = { customer, scale: scale as Scale, score: String(Number(scoreText)) };
  if (comment) args.comment = comment;
  return { ok: true, args };
}

/**
 * An INVALID_ARGS message from the registry as errors beside the inputs: "`score`: must be at most 5"
 * lands on the input it names; a message naming none lands on the input it mentions, else the score.
 */
export function errorsFromArgsMessage(message: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const blocks = Object.values(FEEDBACK_BLOCK);
  for (const part of message.split(/;\s*/)) {
    const m = /^`?(\w+)`?\s*:\s*(.+)$/.exec(part.trim());
    const block = m ? blocks.find((b) => b === m[1]) : undefined;
    if (block) errors[block] = cut(m![2]!.replace(/`/g, ''), 150);
  }
  if (Object.keys(errors).length > 0) return errors;
  const mentioned = [FEEDBACK_BLOCK.customer, FEEDBACK_BLOCK.comment].find((b) => new RegExp(`\\b${b}\\b`, 'i').test(message));
  return { [mentioned ?? FEEDBACK_BLOCK.score]: cut(message.replace(/`/g, ''), 150) };
}

export function readModalMetadata(text: string | undefined): FeedbackModalMetadata {
  try {
    const o = JSON.parse(text || '{}') as Record<string, unknown>;
    return typeof o.channel === 'string' && o.channel ? { channel: o.channel } : {};
  } catch {
    return {};
  }
}
