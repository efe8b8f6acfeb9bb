// Value at risk = churn risk × what a year of the customer is worth if they stay: 365 × E[λ | alive,
// x, T] × their expected spend per purchase day, with E[λ | alive, x, T] = (r+x)/(α+T), the Gamma
// posterior mean of the purchase rate shared by BG/NBD, MBG/NBD and Pareto/NBD (FHL 2005 §3; Fader &
// Hardie 2005 note, eq. 14). The spend is Gamma-Gamma's conditional expectation when it is fitted —
// the same figure the 12-month CLV uses, so one large first order is not a large yearly value on one
// card and a small CLV on the next line — else the customer's own mean.

/** Gamma(r, α) prior of the purchase rate, per day. */
export interface PurchaseRatePrior {
  readonly r: number;
  readonly alpha: number;
}

/**
 * Yearly value if the customer stays. With a fitted prior the rate is shrunk toward the store's
 * (a first purchase yesterday is not twelve a year); without one, their own pace over at least 30 days.
 * Refunds that leave the spend at or below 0 make the value 0.
 * @example yearlyValueIfTheyStay({ repeatPurchases: 20, ageDays: 365, revenue: 2100, purchaseDays: 21 }, { r: 0.8, alpha: 70 }) // ≈ 1750
 */
export function yearlyValueIfTheyStay(
  customer: { readonly repeatPurchases: number; readonly ageDays: number; readonly revenue: number; readonly purchaseDays: number; readonly expectedSpend?: number | null },
  prior: PurchaseRatePrior | null,
  daysPerYear = 365,
): number {
  const { repeatPurchases: x, ageDays: T, revenue, purchaseDays } = customer;
  if (!(purchaseDays > 0) || !(revenue > 0)) return 0;
  const rate = prior ? (prior.r + x) / (prior.alpha + T) : purchaseDays / Math.max(T, 30);
  const spend = customer.expectedSpend != null && Number.isFinite(customer.expectedSpend) && customer.expectedSpend > 0 ? customer.expectedSpend : revenue / purchaseDays;
  return daysPerYear * rate * spend;
}

/**
 * @example valueAtRisk(1750, 64) // 1120
 */
export function valueAtRisk(yearlyValue: number, churnRisk: number): number {
  return (yearlyValue * churnRisk) / 100;
}
