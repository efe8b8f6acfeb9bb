// Worker thread: mines the basket rules on its own connection while the refresh fits the models
// (reading every order item is the longest single read of a refresh).
import { workerData } from 'node:worker_threads';
import { associationRules, type BasketOptions } from '../analytics/basket.ts';
import { replyOnce, setThreadNice } from '../core/threads.ts';
import { openStore } from '../db/store.ts';

/**
 * How much lower this thread runs than the rest of its refresh. The rules are needed only when the
 * run is published, seconds after they are mined; meanwhile the model fits, the holdout, the churn
 * backtest and the scoring wait for each other, and on two cores this thread took their turns.
 */
const BASKET_NICE_STEP = 5;

const { url, asOfDay, options } = workerData as { url: string; asOfDay: number; options: BasketOptions };
setThreadNice((nice) => nice + BASKET_NICE_STEP);
await replyOnce(async () => {
  // One pass over the order items in key order: a page cache would only hold pages never read again.
  const store = await openStore(url, { migrate: false, readonly: true, cacheMiB: 4 });
  try {
    const reads = await store.refresh.reads();
    const items = await reads.readBasket(asOfDay).finally(() => reads.close());
    return items.orderIndex.length === 0 ? [] : associationRules(items, options);
  } finally {
    await store.close();
  }
});
