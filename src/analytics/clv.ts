// Discounted CLV = Σ_months spend × (E[purchases by month k] − E[purchases by month k−1]) / (1 + d)^k: lifetimes' `customer_lifetime_value` (utils._customer_lifetime_value, v0.11), after Fader, Hardie & Lee (2005) "RFM and CLV", §5.

/** Model time units per month, as lifetimes uses them (freq "D" = 30, "W" = 4.345, "M" = 1). */
export const PERIODS_PER_MONTH = { day: 30, week: 4.345, month: 1 } as const;

export interface ClvOptions {
  /** How many model time units make a month, e.g. PERIODS_PER_MONTH.day for a model fitted in days. */
  periodsPerMonth: number;
  /** Horizon in months. Default 12. */
  months?: number;
  /** Monthly discount rate. Default 0.01 (lifetimes' default). */
  discountRatePerMonth?: number;
}

/**
 * Discounted value of one customer over the horizon. `expectedPurchasesBy(t)` is the cumulative
 * number of purchases expected in (0, t] from now, t in model time units (e.g. a BG/NBD conditional
 * expectation); `expectedSpend` the value of one purchase (e.g. the Gamma-Gamma conditional mean).
 * @example customerLifetimeValue((t) => 2 * t, 10, { periodsPerMonth: 1, months: 1 }) // 20 / 1.01
 */
export function customerLifetimeValue(
  expectedPurchasesBy: (t: number) => number,
  expectedSpend: number,
  options: ClvOptions,
): number {
  const out = customerLifetimeValues((t) => [expectedPurchasesBy(t)], [expectedSpend], options);
  return out[0]!;
}

/**
 * `customerLifetimeValue` for many customers: `expectedPurchasesBy(t)` returns every customer's
 * cumulative expectation at t (it is called months + 1 times), `expectedSpend` one value per customer.
 * @example customerLifetimeValues((t) => bgnbdScores(fit, groups, t).expectedPurchases, spends, { periodsPerMonth: 30 })
 */
export function customerLifetimeValues(
  expectedPurchasesBy: (t: number) => ArrayLike<number>,
  expectedSpend: ArrayLike<number>,
  options: ClvOptions,
): Float64Array {
  const n = expectedSpend.length;
  const value = discountedPurchases((t) => {
    const purchases = expectedPurchasesBy(t);
    if (purchases.length !== n) throw new RangeError(`customerLifetimeValues: expected purchases for ${purchases.length} customers, spend for ${n}`);
    return purchases;
  }, options);
  for (let i = 0; i < n; i++) value[i] = value[i]! * expectedSpend[i]!;
  return value;
}

/**
 * The discounted number of purchases over the horizon, Σ_months (E[by month k] − E[by month k−1]) /
 * (1 + d)^k, for each entry of `expectedPurchasesBy(t)`: the CLV of one unit of spend per purchase.
 * The spend is one factor of every term, so CLV = spend × this, and customers whose histories are
 * alike share one value (see fit-models.ts: computed per history group, then spread).
 * @example discountedPurchases((t) => [t], { periodsPerMonth: 1, months: 1 }) // [1 / 1.01]
 */
export function discountedPurchases(expectedPurchasesBy: (t: number) => ArrayLike<number>, options: ClvOptions): Float64Array {
  const months = options.months ?? 12;
  const discount = options.discountRatePerMonth ?? 0.01;
  const step = options.periodsPerMonth;
  if (!(Number.isInteger(months) && months >= 0)) throw new RangeError(`CLV: months must be a whole number ≥ 0, got ${months}`);
  if (!(step > 0)) throw new RangeError(`CLV: periodsPerMonth must be > 0, got ${step}`);
  if (!(discount > -1)) throw new RangeError(`CLV: discount rate must be > −1, got ${discount}`);
  let previous = expectedPurchasesBy(0);
  const n = previous.length;
  const value = new Float64Array(n);
  for (let month = 1; month <= months; month++) {
    const current = expectedPurchasesBy(month * step);
    if (current.length !== n) throw new RangeError(`discountedPurchases: ${current.length} expectations at month ${month}, ${n} at the start`);
    const factor = Math.pow(1 + discount, -month);
    for (let i = 0; i < n; i++) value[i] = value[i]! + (current[i]! - previous[i]!) * factor;
    previous = current;
  }
  return value;
}
