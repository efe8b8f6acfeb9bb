// `pulse export customer ID` (everything stored about a customer, as one JSON document on stdout)
// and `pulse forget CUSTOMER` (erase what identifies them; the anonymous figures stay). The operator
// of the terminal is an admin; each run is an audit entry naming the customer id, nothing else.
import os from 'node:os';
import { createContext } from '../app/context.ts';
import type { Context } from '../core/context.ts';
import { recordAudit } from '../db/audit.ts';
import { customerDocument, findCustomerExactly, forgetCustomer } from '../db/customer-data.ts';
import { parseCli, UsageError } from './cli-args.ts';

export const EXPORT_USAGE = 'pulse export customer ID';
export const FORGET_USAGE = 'pulse forget CUSTOMER [--json]   (CUSTOMER: the customer id, or their exact email)';

export async function exportCommand(args: string[]): Promise<number> {
  const { positionals } = parseCli(args, {});
  const [what, id, ...extra] = positionals;
  if (what !== 'customer' || !id || extra.length) throw new UsageError(`usage: ${EXPORT_USAGE}`);
  const ctx = await createContext();
  try {
    const c = await findCustomerExactly(ctx.store.db, id);
    const doc = c ? await customerDocument(ctx.store.db, c.customer_id) : undefined;
    if (!c || !doc) return notFound(id);
    const now = ctx.clock.now();
    process.stdout.write(JSON.stringify({ exportedAt: now.toISOString(), store: ctx.store.location, ...doc }, null, 2) + '\n');
    await audit(ctx, 'export customer', c.customer_id);
    return 0;
  } finally {
    await ctx.store.close();
  }
}

export async function forgetCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, { json: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new UsageError(`usage: ${FORGET_USAGE}`);
  const ctx = await createContext();
  try {
    const c = await findCustomerExactly(ctx.store.db, positionals[0]!);
    const done = c ? await forgetCustomer(ctx.store.db, c.customer_id) : undefined;
    if (!done) return notFound(positionals[0]!);
    await audit(ctx, 'forget customer', done.customerId);
    if (values.json) process.stdout.write(JSON.stringify(done, null, 2) + '\n');
    else {
      process.stdout.write(
        [
          `Forgot customer ${done.customerId}:`,
          `  erased from the customer: ${done.customerFields.length ? done.customerFields.join(', ') : 'nothing was left'}`,
          `  search words removed: ${done.searchTermsRemoved} (found by id only from now on)`,
          `  feedback comments erased: ${done.feedbackCommentsErased}`,
          `  orders / order lines with free-text columns erased: ${done.ordersWithAttributesErased} / ${done.orderItemsWithAttributesErased}`,
          '  kept: orders, amounts, scores and insights, under the bare id.',
        ].join('\n') + '\n',
      );
    }
    return 0;
  } finally {
    await ctx.store.close();
  }
}

function notFound(id: string): number {
  process.stderr.write(`No customer has the id or email ${JSON.stringify(id)}. Use the exact id (/customer shows it) or the exact email.\n`);
  return 1;
}

async function audit(ctx: Context, command: string, customerId: string): Promise<void> {
  let user = 'console';
  try {
    user = os.userInfo().username || user;
  } catch {
    /* no passwd entry in some containers */
  }
  await recordAudit(ctx.store.db, {
    at: ctx.clock.now().toISOString(),
    actorId: `console:${user}`,
    platform: 'console',
    command,
    outcome: 'ok',
    detail: `customer ${customerId}`,
  });
}
