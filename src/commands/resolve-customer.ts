// Turns what a person typed ("acme", an email, an id) into one customer, or a short list to pick from.
import { findCustomers } from '../db/customers.ts';
import type { CustomerRow } from '../db/schema.ts';
import type { Context } from '../core/context.ts';
import { notFound } from '../core/errors.ts';
import type { Reply } from '../core/reply.ts';

export type Resolution = { customer: CustomerRow } | { choices: Reply };

/**
 * One clear match wins; several → a reply listing them with a button each that re-runs `rerun`
 * with the chosen id (`rerun(id)` builds the command text); none → NOT_FOUND with a hint.
 */
export async function resolveCustomer(ctx: Context, query: string, rerun: (customerId: string) => string): Promise<Resolution> {
  const { matches, total } = await findCustomers(ctx.store.db, query, 8);
  if (matches.length === 0) {
    throw notFound(`No customer matches “${query}”.`, 'Try part of the name, the company, an email address or the customer id.');
  }
  const [first, second] = matches;
  if (matches.length === 1 || (first!.score >= 90 && second!.score < 90) || first!.score - second!.score >= 30) {
    return { customer: first!.customer };
  }
  const label = (c: CustomerRow) => [c.name ?? c.customer_id, c.company].filter(Boolean).join(' · ');
  return {
    choices: {
      title: `${total} customers match “${query}”`,
      text: total > matches.length ? `Showing ${matches.length} of ${total}. Pick one, or type more of the name.` : 'Pick one:',
      tables: [
        {
          columns: [{ label: 'Id' }, { label: 'Name' }, { label: 'Company' }, { label: 'Owner' }],
          rows: matches.map((m) => [m.customer.customer_id, m.customer.name ?? '', m.customer.company ?? '', m.customer.owner ?? '']),
          total,
        },
      ],
      buttons: matches.slice(0, 5).map((m) => ({ label: label(m.customer), action: { kind: 'run', command: rerun(m.customer.customer_id) } })),
      visibility: 'private',
    },
  };
}
