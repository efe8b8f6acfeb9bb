// The store's calibrated chance of buying again: a model's expected purchases in the next N days turned into the chance of at least one purchase by logistic (Platt 1999) calibration on a holdout — observed on this store, so it can be told even when dropout cannot.
import { fitLogistic } from './logistic-regression.ts';

export interface BuyAgainCalibration {
  /** P(buys in the next `horizonDays`) = σ(intercept + slope · ln E[purchases in that time]). */
  intercept: number;
  slope: number;
  horizonDays: number;
  /** Customers the calibration was fitted on, and the share of them who bought in the holdout. */
  customers: number;
  boughtShare: number;
}

/** ln of expected purchases, floored so that a model's 0 stays finite. */
const logExpected = (e: number) => Math.log(Math.max(e, 1e-9));

/**
 * Fits the calibration on a holdout: `expected[i]` from the fit on the calibration period, `bought[i]`
 * 1 when the customer bought in the holdout. Null when it cannot be fitted honestly: fewer than 30
 * customers, no one (or everyone) bought, or more expected purchases would not mean a higher chance.
 * @example fitBuyAgainCalibration([0.1, 0.5, 2, 3], [0, 0, 1, 1], 90) // { slope > 0, … }
 */
export function fitBuyAgainCalibration(expected: ArrayLike<number>, bought: ArrayLike<number>, horizonDays: number): BuyAgainCalibration | null {
  const n = expected.length;
  if (bought.length !== n) throw new RangeError('fitBuyAgainCalibration requires aligned arrays');
  let buyers = 0;
  for (let i = 0; i < n; i++) buyers += bought[i]! ? 1 : 0;
  if (n < 30 || buyers === 0 || buyers === n) return null;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = logExpected(expected[i]!);
  const labels = Uint8Array.from({ length: n }, (_, i) => (bought[i]! ? 1 : 0));
  const fit = fitLogistic(x, 1, labels, { l2: 1e-6 });
  const [intercept, slope] = fit.coefficients as [number, number];
  if (!(slope > 0) || !fit.converged) return null;
  return { intercept, slope, horizonDays, customers: n, boughtShare: buyers / n };
}

/**
 * The calibrated chance of at least one purchase in the calibration's horizon.
 * @example chanceOfBuyingAgain(calibration, 0.2) // e.g. 0.15
 */
export function chanceOfBuyingAgain(calibration: BuyAgainCalibration, expected: number): number {
  const eta = calibration.intercept + calibration.slope * logExpected(expected);
  return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
}
