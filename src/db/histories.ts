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
