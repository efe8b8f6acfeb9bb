// Keeps the in-memory customer index fresh and answers autocomplete from it; until the first build
// finishes, the store's own (indexed) search answers instead.
import type { Context } from '../../core/context.ts';
import { turnLoop } from '../../core/loop-slices.ts';
import { customerNamesPage, findCustomers } from '../../db/customers.ts';
import { buildCustomerIndex, CustomerIndex, customerLabel, type CustomerSuggestion, type IndexedCustomer } from './customer-index.ts';
import { DISCORD_LIMITS } from './limits.ts';

/** Rows read per query while loading the index; the event loop runs between pages. */
export const PAGE_SIZE = 5000;

/** Where the index reads customers: pages of rows, in any order. */
export type CustomerSource = (ctx: Context) => AsyncIterable<readonly IndexedCustomer[]>;

/**
 * Every customer, a page at a time in customer_id order (the primary key), so that reading a
 * million rows never blocks the event loop for more than one page. (Whole-table reads blocked it
 * for seconds.)
 */
export function pagedStoreCustomers(pageSize = PAGE_SIZE): CustomerSource {
  return async function* (ctx) {
    let after: string | undefined;
    for (;;) {
      const page = await customerNamesPage(ctx.store.db, after, pageSize);
      if (page.length === 0) return;
      yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.customer_id;
      await turnLoop();
    }
  };
}

export const storeCustomers: CustomerSource = pagedStoreCustomers();

export class CustomerSuggestions {
  readonly #ctx: Context;
  readonly #source: CustomerSource;
  #index: CustomerIndex = CustomerIndex.empty();
  #ready = false;
  #refreshing: Promise<void> | undefined;
  #again = false;

  constructor(ctx: Context, source: CustomerSource = storeCustomers) {
    this.#ctx = ctx;
    this.#source = source;
  }

  /** True once the index has been built at least once. */
  get ready(): boolean {
    return this.#ready;
  }

  get size(): number {
    return this.#index.size;
  }

  /**
   * Rebuilds the index from the store and swaps it in; yields to the event loop between bounded
   * pieces of work so interactions keep being answered. A call during a rebuild queues one more.
   */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = this.#rebuild().finally(() => {
      this.#refreshing = undefined;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#refreshing;
  }

  async #rebuild(): Promise<void> {
    const started = performance.now();
    const rows: IndexedCustomer[] = [];
    for await (const page of this.#source(this.#ctx)) for (const r of page) rows.push(r);
    const steps = buildCustomerIndex(rows);
    for (;;) {
      const next = steps.next();
      if (next.done) {
        this.#index = next.value;
        break;
      }
      await turnLoop();
    }
    this.#ready = true;
    this.#ctx.log.info('discord autocomplete index built', { customers: this.#index.size, ms: Math.round(performance.now() - started) });
  }

  async suggest(query: string, limit: number = DISCORD_LIMITS.autocompleteChoices): Promise<CustomerSuggestion[]> {
    if (query.trim() === '') return [];
    if (this.#ready) return this.#index.search(query, limit);
    const { matches } = await findCustomers(this.#ctx.store.db, query, limit);
    return matches.map((m) => ({ customerId: m.customer.customer_id, label: customerLabel(m.customer) }));
  }
}
