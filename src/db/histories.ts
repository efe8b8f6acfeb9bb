// The shapes the refresh works on: every customer's orders in compressed-row layout, the answers
// the churn model uses, and basket items as flat index pairs. RefreshIO reads them from a store.

export interface OrderHistories {
  /** Every customer, sorted by id; index i is "customer i" in the arrays below. */
  customerIds: string[];
  owners: (string | null)[];
  /** Customer i's orders are offsets[i] … offsets[i+1]−1 of days/amounts, oldest first. */
  offsets: Int32Array;
  days: Int32Array;
  amounts: Float64Array;
}

export interface FeedbackPoint {
  customerIndex: number;
  day: number;
  scale: 'csat' | 'nps';
  score: number;
}

export interface BasketInput {
  orderIndex: Int32Array;
  productIndex: Int32Array;
  productIds: string[];
}

/** Order items as (order number, product number) pairs, appended in order; grows by doubling. */
export class BasketBuilder {
  #orders = new Int32Array(1 << 16);
  #products = new Int32Array(1 << 16);
  #n = 0;

  add(order: number, product: number): void {
    if (this.#n === this.#orders.length) {
      this.#orders = grown(this.#orders);
      this.#products = grown(this.#products);
    }
    this.#orders[this.#n] = order;
    this.#products[this.#n] = product;
    this.#n++;
  }

  build(productIds: string[]): BasketInput {
    // A view, not a copy: the spare capacity costs less than holding two copies at once.
    return { orderIndex: this.#orders.subarray(0, this.#n), productIndex: this.#products.subarray(0, this.#n), productIds };
  }
}

function grown(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
