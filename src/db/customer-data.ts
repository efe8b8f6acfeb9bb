// Data rights: everything stored about one customer, as one document (`pulse export customer ID`),
// and erasing what identifies them (`pulse forget CUSTOMER`) while the anonymous figures stay.
import type { Kysely } from 'kysely';
import type { CustomerRow, Database } from './schema.ts';
import { searchTerms, searchText } from './search-terms.ts';

/** The customer an id, or else an exact email, names; undefined when neither does. */
export async function findCustomerExactly(db: Kysely<Database>, idOrEmail: string): Promise<CustomerRow | undefined> {
  const t = idOrEmail.trim();
  const byId = await db.selectFrom('customers').selectAll().where('customer_id', '=', t).executeTakeFirst();
  if (byId) return byId;
  const byEmail = await db.selectFrom('customers').selectAll().where('email', '=', t.toLowerCase()).limit(2).execute();
  return byEmail.length === 1 ? byEmail[0] : undefined;
}

const parse = (json: string | null): unknown => {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
};

/** Everything stored about `customerId`: the customer, orders with their items, feedback, insights, lifecycle moves, search words. */
export async function customerDocument(db: Kysely<Database>, customerId: string): Promise<Record<string, unknown> | undefined> {
  const customer = await db.selectFrom('customers').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  if (!customer) return undefined;
  const orders = await db.selectFrom('orders').selectAll().where('customer_id', '=', customerId).orderBy('ordered_at').orderBy('order_id').execute();
  const ids = orders.map((o) => o.order_id);
  const items = ids.length ? await db.selectFrom('order_items').selectAll().where('order_id', 'in', ids).orderBy('order_id').orderBy('product').execute() : [];
  const itemsOf = new Map<string, typeof items>();
  for (const i of items) itemsOf.set(i.order_id, [...(itemsOf.get(i.order_id) ?? []), i]);
  const feedback = await db.selectFrom('feedback').selectAll().where('customer_id', '=', customerId).orderBy('created_at').execute();
  const insights = await db.selectFrom('insights').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  const transitions = await db.selectFrom('lifecycle_transitions').selectAll().where('customer_id', '=', customerId).orderBy('run_id').execute();
  const terms = await db.selectFrom('customer_terms').select('term').where('customer_id', '=', customerId).orderBy('term').execute();
  return {
    customer: { ...customer, attributes: parse(customer.attributes) },
    orders: orders.map((o) => ({
      ...o,
      attributes: parse(o.attributes),
      items: (itemsOf.get(o.order_id) ?? []).map((i) => ({ ...i, attributes: parse(i.attributes) })),
    })),
    feedback: feedback.map((f) => ({ ...f, attributes: parse(f.attributes) })),
    insights: insights ? { ...insights, churn_drivers: parse(insights.churn_drivers) } : null,
    lifecycleTransitions: transitions,
    searchTerms: terms.map((t) => t.term),
  };
}

export interface Forgotten {
  customerId: string;
  /** Fields of the customer row erased (name, email, company, attributes). */
  customerFields: string[];
  /** Words the customer could be found by, removed from the search index (the id stays). */
  searchTermsRemoved: number;
  feedbackCommentsErased: number;
  ordersWithAttributesErased: number;
  orderItemsWithAttributesErased: number;
}

/**
 * Erases what identifies a customer — name, email, company and every free-text attribute (where
 * phone numbers and addresses live), feedback comments, the search words made of them — in one
 * transaction. Orders, amounts, scores, insights and figures stay, under the bare id.
 */
export async function forgetCustomer(db: Kysely<Database>, customerId: string): Promise<Forgotten | undefined> {
  return db.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('customers').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
    if (!c) return undefined;
    const erased = (['name', 'email', 'company', 'attributes'] as const).filter((k) => c[k] !== null);
    const bare = { customer_id: customerId, name: null, email: null, company: null };
    await trx
      .updateTable('customers')
      .set({ name: null, email: null, company: null, attributes: null, search_text: searchText(bare) })
      .where('customer_id', '=', customerId)
      .execute();
    const before = await trx
      .selectFrom('customer_terms')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    await trx.deleteFrom('customer_terms').where('customer_id', '=', customerId).execute();
    const keep = searchTerms(bare);
    if (keep.length)
      await trx
        .insertInto('customer_terms')
        .values(keep.map((term) => ({ term, customer_id: customerId })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    const feedbackIds = (await trx.selectFrom('feedback').select('feedback_id').where('customer_id', '=', customerId).execute()).map((f) => f.feedback_id);
    const comments = await trx
      .updateTable('feedback')
      .set({ comment: null, attributes: null })
      .where('customer_id', '=', customerId)
      .where((eb) => eb.or([eb('comment', 'is not', null), eb('attributes', 'is not', null)]))
      .executeTakeFirst();
    // The dedupe keys are hashes of the submission, comment included.
    if (feedbackIds.length) await trx.deleteFrom('feedback_keys').where('feedback_id', 'in', feedbackIds).execute();
    const orders = await trx
      .updateTable('orders')
      .set({ attributes: null })
      .where('customer_id', '=', customerId)
      .where('attributes', 'is not', null)
      .executeTakeFirst();
    const items = await trx
      .updateTable('order_items')
      .set({ attributes: null })
      .where('order_id', 'in', (eb) => eb.selectFrom('orders').select('order_id').where('customer_id', '=', customerId))
      .where('attributes', 'is not', null)
      .executeTakeFirst();
    return {
      customerId,
      customerFields: [...erased],
      searchTermsRemoved: Math.max(0, Number(before?.n ?? 0) - keep.length),
      feedbackCommentsErased: Number(comments.numUpdatedRows),
      ordersWithAttributesErased: Number(orders.numUpdatedRows),
      orderItemsWithAttributesErased: Number(items.numUpdatedRows),
    };
  });
}
