// /customer QUERY — the card a rep reads before a call (see reports/customer-card.ts).
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { customerCard } from '../reports/customer-card.ts';
import { resolveCustomer } from './resolve-customer.ts';

export const customerCommand = defineCommand({
  name: 'customer',
  description: 'Look up a customer: profile, owner, orders, revenue and buying rhythm',
  usage: '/customer QUERY   (a name, company, email or customer id)',
  examples: ['/customer acme', '/customer ann@acme.com', '/customer C1042'],
  args: z.object({
    query: z.string().trim().min(1, 'say which customer, e.g. `/customer acme`').max(200).describe('Name, company, email or customer id'),
  }),
  positional: ['query'],
  rest: true,
  role: 'rep',
  async run({ query }, _call, ctx) {
    const found = await resolveCustomer(ctx, query, (id) => `/customer ${id}`);
    if ('choices' in found) return found.choices;
    return customerCard(ctx, found.customer);
  },
});
