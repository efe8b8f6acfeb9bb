// The /feedback form (a Discord modal): what it shows, and its fields turned back into the feedback
// command's arguments (customer, scale, score, comment). Pure.
import type { APIModalInteractionResponseCallbackData } from 'discord.js';
import { FEEDBACK_MODAL_ID } from './custom-ids.ts';
import { clip, DISCORD_LIMITS as L } from './limits.ts';

export const FEEDBACK_COMMAND = 'feedback';
export const FEEDBACK_FIELDS = ['customer', 'scale', 'score', 'comment'] as const;
export type FeedbackField = (typeof FEEDBACK_FIELDS)[number];

const SHORT = 1;
const PARAGRAPH = 2;

export function feedbackModal(prefill: Partial<Record<FeedbackField, unknown>> = {}): APIModalInteractionResponseCallbackData {
  const value = (k: FeedbackField, max: number) => {
    const v = prefill[k];
    return v === undefined || v === null || String(v).trim() === '' ? {} : { value: clip(String(v), max) };
  };
  const input = (custom_id: FeedbackField, label: string, style: number, required: boolean, max: number, placeholder: string) => ({
    type: 1 as const,
    components: [{ type: 4 as const, custom_id, label, style, required, max_length: max, placeholder, ...value(custom_id, max) }],
  });
  return {
    custom_id: FEEDBACK_MODAL_ID,
    title: clip('Log customer feedback', L.modalTitle),
    components: [
      input('customer', 'Customer', SHORT, true, 200, 'Name, company, email or customer id'),
      input('scale', 'Scale: csat (1–5) or nps (0–10)', SHORT, false, 4, 'csat'),
      input('score', 'Score', SHORT, true, 2, 'e.g. 4'),
      input('comment', 'What did they say?', PARAGRAPH, false, 1000, 'late delivery again'),
    ],
  };
}

/** The submitted fields as the feedback command's arguments; blanks are left out so defaults apply. */
export function feedbackArgs(fields: Partial<Record<FeedbackField, string>>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const customer = fields.customer?.trim();
  if (customer) args.customer = customer;
  const scale = fields.scale?.trim().toLowerCase();
  if (scale) args.scale = scale;
  const score = fields.score?.trim();
  // Typed text; a number when it reads as one, else the text itself so validation can say what is wrong.
  if (score) args.score = /^-?\d+(\.\d+)?$/.test(score) ? Number(score) : score;
  const comment = fields.comment?.trim();
  if (comment) args.comment = comment;
  return args;
}

/** True when a /feedback invocation lacks what the form asks for, so the form should open instead. */
export function needsFeedbackForm(args: Record<string, unknown>): boolean {
  return args.customer === undefined || args.score === undefined;
}
