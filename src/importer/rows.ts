// What each import kind's rows must hold, and how a raw record (strings by header) becomes the
// values the store writes. Validation is a zod schema per kind; reasons name the field.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ImportKind, RowValues } from '../db/bulk.ts';
import { parseAmount, parseDateField, parseEmail, parseInteger, type FieldResult } from './fields.ts';

export const REQUIRED_COLUMNS: Record<ImportKind, readonly string[]> = {
  customers: ['customer_id'],
  orders: ['order_id', 'customer_id', 'ordered_at', 'amount'],
  'order-items': ['order_id', 'product'],
  feedback: ['customer_id', 'score', 'created_at'],
};

export const KNOWN_COLUMNS: Record<ImportKind, readonly string[]> = {
  customers: ['customer_id', 'name', 'email', 'company', 'owner', 'created_at'],
  orders: ['order_id', 'customer_id', 'ordered_at', 'amount'],
  'order-items': ['order_id', 'product', 'quantity', 'unit_price'],
  feedback: ['feedback_id', 'customer_id', 'score', 'scale', 'comment', 'author', 'created_at', 'platform'],
};

/** Header spellings seen in CRM and survey-tool exports, mapped to ours. */
const ALIASES: Record<string, string> = {
  id: 'customer_id',
  customer: 'customer_id',
  customerid: 'customer_id',
  client_id: 'customer_id',
  account_id: 'customer_id',
  orderid: 'order_id',
  date: 'ordered_at',
  order_date: 'ordered_at',
  ordered_on: 'ordered_at',
  total: 'amount',
  value: 'amount',
  sku: 'product',
  product_id: 'product',
  qty: 'quantity',
  price: 'unit_price',
  rating: 'score',
  response: 'comment',
  feedback: 'comment',
  comments: 'comment',
  submitted_at: 'created_at',
  timestamp: 'created_at',
  response_id: 'feedback_id',
  survey_type: 'scale',
  type: 'scale',
  account_owner: 'owner',
  sales_rep: 'owner',
  organization: 'company',
  full_name: 'name',
};

export function normalizeHeader(h: string, kind: ImportKind): string {
  const base = h.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_|_$/g, '');
  if (KNOWN_COLUMNS[kind].includes(base)) return base;
  const alias = ALIASES[base];
  // A bare `id` is the record's own id: the customer's in a customers file, the response's in a
  // survey export; in orders and items it is ambiguous and kept as an attribute.
  if (base === 'id') return kind === 'customers' ? 'customer_id' : kind === 'feedback' ? 'feedback_id' : base;
  if (alias && KNOWN_COLUMNS[kind].includes(alias)) return alias;
  return base;
}

export type RawRow = Record<string, string | undefined>;

export interface RowProblem {
  field: string;
  reason: string;
}

export type Validated = { ok: true; values: RowValues; id: string } | { ok: false; problems: RowProblem[] };

function fromField<T>(r: FieldResult<T>, ctx: z.RefinementCtx): T {
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.reason });
    return z.NEVER;
  }
  return r.value;
}

const text = z.string().optional().transform((s) => (s === undefined || s.trim() === '' ? null : s.trim()));
const id = z
  .string({ error: 'is missing' })
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'is missing').max(200, 'is longer than 200 characters'));

function schemaFor(kind: ImportKind, timeZone: string) {
  const date = z.string({ error: 'is missing' }).transform((s, ctx) => fromField(parseDateField(s, timeZone), ctx));
  const optionalDate = z
    .string()
    .optional()
    .transform((s, ctx) => (s === undefined || s.trim() === '' ? null : fromField(parseDateField(s, timeZone), ctx).iso));
  const amount = z.string({ error: 'is missing' }).transform((s, ctx) => fromField(parseAmount(s), ctx));
  switch (kind) {
    case 'customers':
      return z.object({
        customer_id: id,
        name: text,
        email: z.string().optional().transform((s, ctx) => fromField(parseEmail(s ?? ''), ctx)),
        company: text,
        owner: text,
        created_at: optionalDate,
      });
    case 'orders':
      return z.object({ order_id: id, customer_id: id, ordered_at: date, amount });
    case 'order-items':
      return z.object({
        order_id: id,
        product: id,
        quantity: z.string().optional().transform((s, ctx) => (s === undefined || s.trim() === '' ? 1 : fromField(parseAmount(s), ctx))).pipe(z.number().positive('must be more than 0')),
        unit_price: z.string().optional().transform((s, ctx) => (s === undefined || s.trim() === '' ? 0 : fromField(parseAmount(s), ctx))),
      });
    case 'feedback':
      return z
        .object({
          feedback_id: text,
          customer_id: id,
          scale: z
            .string()
            .optional()
            .transform((s) => (s ?? '').trim().toLowerCase())
            .pipe(z.union([z.literal(''), z.literal('csat'), z.literal('nps')], { error: 'must be csat (1–5) or nps (0–10)' })),
          score: z.string({ error: 'is missing' }).transform((s, ctx) => fromField(parseInteger(s), ctx)),
          comment: text,
          author: text,
          platform: text,
          created_at: date,
        })
        .transform((r, ctx) => {
          // A survey export without a scale column: 0–10 answers are NPS, 1–5 are CSAT.
          const scale: 'csat' | 'nps' = r.scale === '' ? (r.score > 5 || r.score === 0 ? 'nps' : 'csat') : r.scale;
          const [lo, hi] = scale === 'csat' ? [1, 5] : [0, 10];
          if (r.score < lo || r.score > hi) {
            ctx.addIssue({ code: 'custom', path: ['score'], message: `${r.score} is outside the ${scale.toUpperCase()} scale ${lo}–${hi}` });
            return z.NEVER;
          }
          return { ...r, scale };
        });
  }
}

export type RowValidator = (raw: RawRow, extras: Record<string, string> | null) => Validated;

export function rowValidator(kind: ImportKind, timeZone: string): RowValidator {
  const schema = schemaFor(kind, timeZone);
  return (raw, extras) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, problems: parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'row'), reason: i.message })) };
    }
    const attributes = extras && Object.keys(extras).length > 0 ? JSON.stringify(extras) : null;
    const r = parsed.data as any;
    switch (kind) {
      case 'customers':
        return { ok: true, id: r.customer_id, values: [r.customer_id, r.name, r.email, r.company, r.owner, r.created_at, attributes] };
      case 'orders':
        return { ok: true, id: r.order_id, values: [r.order_id, r.customer_id, r.ordered_at.iso, r.ordered_at.day, r.amount, attributes] };
      case 'order-items':
        return { ok: true, id: `${r.order_id}/${r.product}`, values: [r.order_id, r.product, r.quantity, r.unit_price, attributes] };
      case 'feedback': {
        const fid = r.feedback_id ?? feedbackId(r.customer_id, r.scale, r.score, r.comment, r.created_at.iso);
        return { ok: true, id: fid, values: [fid, r.customer_id, r.scale, r.score, r.comment, r.author, r.platform, r.created_at.iso, r.created_at.day, attributes] };
      }
    }
  };
}

/** Feedback files rarely carry an id: the content is the identity, so re-importing changes nothing. */
export function feedbackId(customerId: string, scale: string, score: number, comment: string | null, createdAt: string): string {
  return 'fb_' + createHash('sha1').update([customerId, scale, score, comment ?? '', createdAt].join('\u0000')).digest('hex').slice(0, 20);
}
