// /feedback CUSTOMER [csat|nps] SCORE [COMMENT] — log what a customer said, right after the call.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { invalidArgs } from '../core/errors.ts';
import { localDay } from '../core/time.ts';
import { recordFeedback } from '../db/feedback.ts';
import { customerSatisfactionFields } from './customer-satisfaction.ts';
import { resolveCustomer } from './resolve-customer.ts';

const SCALES = { csat: [1, 5], nps: [0, 10] } as const;
const DEDUPE_SECONDS = 60;

export const feedbackCommand = defineCommand({
  name: 'feedback',
  description: 'Log customer feedback: a CSAT score 1–5 or an NPS score 0–10, with a comment',
  usage: '/feedback CUSTOMER [csat|nps] SCORE [COMMENT]',
  examples: ['/feedback acme 2 late delivery again', '/feedback C1042 nps 9 "loves the new app"', '/feedback "Acme Corp" 4'],
  args: z.object({
    customer: z.string().trim().min(1, 'say which customer').max(200).describe('Customer name, company, email or id'),
    score: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number({ error: 'give a score, e.g. 4' }).int('the score must be a whole number')).describe('CSAT 1–5, or NPS 0–10 with scale nps'),
    scale: z.enum(['csat', 'nps'], { error: 'the scale is csat (1–5) or nps (0–10)' }).default('csat').describe('csat (1–5, default) or nps (0–10)'),
    comment: z.string().trim().max(2000, 'keep the comment under 2,000 characters').optional().describe('What the customer said'),
  }),
  positional: ['customer', 'scale', 'score', 'comment'],
  rest: true,
  role: 'rep',
  changesData: true,
  prepare: splitFeedbackWords,
  async run({ customer, scale, score, comment }, call, ctx) {
    const [lo, hi] = SCALES[scale];
    if (score < lo || score > hi) {
      const hint = scale === 'csat' && score >= 0 && score <= 10 ? `For an NPS answer write \`/feedback ${customer} nps ${score}\`.` : undefined;
      throw invalidArgs(`${score} is outside the ${scale.toUpperCase()} scale ${lo}–${hi}.`, hint);
    }
    const found = await resolveCustomer(ctx, customer, (id) => `/feedback ${id} ${scale} ${score}${comment ? ` "${comment.replace(/"/g, "'")}"` : ''}`);
    if ('choices' in found) return found.choices;
    const c = found.customer;
    const now = ctx.clock.now();
    const author = call.actor.name ?? call.actor.id;
    const { duplicate } = await recordFeedback(
      ctx.store.db,
      {
        feedback_id: `fb_${randomUUID()}`,
        customer_id: c.customer_id,
        scale,
        score,
        comment: comment || null,
        author,
        platform: call.platform,
        created_at: now.toISOString(),
        day: localDay(now.getTime(), ctx.config.timeZone),
        attributes: null,
        import_id: null,
        import_line: null,
      },
      { key: dedupeKey(call.actor.id, c.customer_id, scale, score, comment), since: new Date(now.getTime() - DEDUPE_SECONDS * 1000).toISOString() },
    );
    return {
      title: duplicate ? `Already logged: ${c.name ?? c.customer_id}` : `Feedback logged for ${c.name ?? c.customer_id}`,
      text: `${scale.toUpperCase()} ${score}/${hi}${comment ? ` — “${comment}”` : ''}${duplicate ? '\nThe same feedback arrived within the last minute, so it was stored once.' : ''}`,
      fields: await customerSatisfactionFields(ctx, c.customer_id),
      buttons: [{ label: 'Open customer', action: { kind: 'run', command: `/customer ${c.customer_id}` } }],
      visibility: 'private',
    };
  },
});

/** Who sent what about whom: the same submission always derives the same key. */
export function dedupeKey(actorId: string, customerId: string, scale: string, score: number, comment: string | undefined): string {
  const text = (comment ?? '').trim().replace(/\s+/g, ' ');
  return createHash('sha256').update(JSON.stringify([actorId, customerId, scale, score, text])).digest('hex');
}

/**
 * Words arrive by position as customer, scale, score, comment; but a customer name may be several
 * words and the scale is optional. The score is the first number (or the word after csat/nps)
 * after the customer's first word; everything before it is the customer.
 */
export function splitFeedbackWords(raw: Record<string, unknown>): Record<string, unknown> {
  const isScale = (v: unknown) => typeof v === 'string' && /^(csat|nps)$/i.test(v);
  const isNumber = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && /^[+-]?\d+(\.\d+)?$/.test(v));
  if ((raw.scale === undefined || isScale(raw.scale)) && (raw.score === undefined || isNumber(raw.score))) {
    return raw.scale === undefined ? raw : { ...raw, scale: String(raw.scale).toLowerCase() };
  }
  const head = raw.customer;
  const words: unknown[] = [raw.scale, raw.score].filter((v) => v !== undefined);
  if (typeof raw.comment === 'string') words.push(...raw.comment.split(/\s+/).filter(Boolean));
  const at = words.findIndex((w) => isScale(w) || isNumber(w));
  if (at === -1) return raw; // no score anywhere: let validation say so
  const customer = [head, ...words.slice(0, at)].join(' ');
  let rest = words.slice(at);
  let scale: string | undefined;
  if (isScale(rest[0])) {
    scale = String(rest[0]).toLowerCase();
    rest = rest.slice(1);
  }
  const out: Record<string, unknown> = { customer, score: rest[0] };
  if (scale) out.scale = scale;
  if (rest.length > 1) out.comment = rest.slice(1).join(' ');
  return out;
}
