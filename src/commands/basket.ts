// /basket PRODUCT — what is bought together with a product (association rules from the last refresh).
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { formatCount, formatPercent } from '../core/format.ts';
import { notFound } from '../core/errors.ts';
import { basketProducts, basketRulesFor } from '../db/insights.ts';

export const basketCommand = defineCommand({
  name: 'basket',
  description: 'What customers buy together with a product (support, confidence, lift)',
  usage: '/basket PRODUCT',
  examples: ['/basket espresso machine', '/basket "Yoga Mat"'],
  args: z.object({ product: z.string().trim().min(1, 'say which product, e.g. `/basket espresso machine`').max(200).describe('Product name (or part of it)') }),
  positional: ['product'],
  rest: true,
  role: 'rep',
  async run({ product }, _call, ctx) {
    const products = await basketProducts(ctx.store.db);
    if (products.length === 0) {
      throw notFound('No basket rules yet.', 'Import order items (`pulse import order-items FILE`); rules are mined at each refresh.');
    }
    const q = product.toLowerCase();
    const exact = products.find((p) => p.toLowerCase() === q);
    const partial = products.filter((p) => p.toLowerCase().includes(q));
    const name = exact ?? (partial.length === 1 ? partial[0] : undefined);
    if (!name) {
      if (partial.length > 1) {
        return {
          title: `${partial.length} products match “${product}”`,
          text: partial.slice(0, 15).join('\n'),
          buttons: partial.slice(0, 5).map((p) => ({ label: p, action: { kind: 'run', command: `/basket "${p}"` } })),
          visibility: 'private',
        };
      }
      throw notFound(`No rule starts from “${product}”.`, `Products with rules: ${products.slice(0, 12).join(', ')}${products.length > 12 ? ', …' : ''}`);
    }
    const rules = await basketRulesFor(ctx.store.db, name, 10);
    return {
      title: `Bought with ${name}`,
      text: `Of the orders with **${name}**, the share that also had each product (confidence), and how much more likely that is than for any order (lift).`,
      tables: [
        {
          columns: [{ label: 'Also bought' }, { label: 'Confidence', align: 'right' }, { label: 'Lift', align: 'right' }, { label: 'Support', align: 'right' }, { label: 'Orders', align: 'right' }],
          rows: rules.map((r) => [r.consequent, formatPercent(r.confidence), `${r.lift.toFixed(1)}×`, formatPercent(r.support, 1), formatCount(r.count)]),
        },
      ],
      visibility: 'private',
    };
  },
});
