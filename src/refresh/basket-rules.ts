// Basket rules for a refresh: mined on a worker thread with its own connection when the store is a
// file (a second core reads the order items while the first fits the models), inline otherwise
// (PostgreSQL: the server reads them while this process fits).
import { associationRules, type AssociationRule, type BasketOptions } from '../analytics/basket.ts';
import { inBackground } from '../core/threads.ts';
import type { RefreshReads } from '../db/refresh-io.ts';
import type { Store } from '../db/store.ts';

export function mineBasketRules(store: Store, reads: RefreshReads, asOfDay: number, options: BasketOptions): Promise<AssociationRule[]> {
  if (store.dialect === 'sqlite' && store.location !== ':memory:') {
    const data = { url: store.location, asOfDay, options };
    return inBackground<AssociationRule[]>(new URL('./basket-worker.ts', import.meta.url), 'basket-worker', data, import.meta.url, 'basket rules').result;
  }
  // PostgreSQL: read through the refresh's snapshot, on a connection of its own.
  return reads.readBasket(asOfDay).then((items) => (items.orderIndex.length === 0 ? [] : associationRules(items, options)));
}
