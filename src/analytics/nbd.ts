// The NBD model (Ehrenberg 1959; Morrison & Schmittlein 1988): Poisson purchases at rate λ ~ Gamma(r,
// α) and nobody ever drops out — the limit BG/NBD, MBG/NBD and Pareto/NBD reach when their dropout
// goes to 0, so the yardstick for "can the data tell dropout at all".
import type { HistoryGroups } from './purchase-history.ts';
import { fitOnLogParameters, purchasesAndExposure, type RepeatPurchaseFit } from './repeat-purchase-model.ts';
import { digamma, lnGamma } from './special-functions.ts';

export interface NbdParams {
  r: number;
  alpha: number;
}

export type NbdFit = RepeatPurchaseFit<NbdParams>;

interface PreparedNbd {
  repeatPurchases: number;
  evaluate(params: NbdParams, gradient?: Float64Array): number;
}

/**
 * LL = Σ_x W_x·[ln Γ(r+x) − ln Γ(r) + r ln α] − Σ_T (r·W_T + X_T)·ln(α+T): the likelihood of
 * (x, t_x, T) with the purchase times' constant left out exactly as BG/NBD and Pareto/NBD leave it,
 * so log-likelihoods of the four models compare directly.
 */
function prepare(groups: HistoryGroups): PreparedNbd {
  const xs = groups.frequencies;
  const times = groups.times;
  const weightOfX = new Float64Array(xs.length);
  const weightOfT = new Float64Array(times.length);
  const purchasesOfT = new Float64Array(times.length);
  let repeatPurchases = 0;
  for (let row = 0; row < groups.size; row++) {
    const w = groups.weight[row]!;
    weightOfX[groups.frequencyIndex[row]!]! += w;
    weightOfT[groups.ageIndex[row]!]! += w;
    purchasesOfT[groups.ageIndex[row]!]! += w * groups.frequency[row]!;
    repeatPurchases += w * groups.frequency[row]!;
  }
  const evaluate = (params: NbdParams, gradient?: Float64Array): number => {
    const { r, alpha } = params;
    if (!(r > 0 && alpha > 0)) return NaN;
    const logAlpha = Math.log(alpha);
    const lnGammaR = lnGamma(r);
    const psiR = gradient ? digamma(r) : 0;
    let ll = 0;
    let gR = 0;
    let gAlpha = 0;
    for (let k = 0; k < xs.length; k++) {
      const w = weightOfX[k]!;
      if (w === 0) continue;
      ll += w * (lnGamma(r + xs[k]!) - lnGammaR + r * logAlpha);
      if (gradient) {
        gR += w * (digamma(r + xs[k]!) - psiR + logAlpha);
        gAlpha += (w * r) / alpha;
      }
    }
    for (let j = 0; j < times.length; j++) {
      const lt = Math.log(alpha + times[j]!);
      const exponent = r * weightOfT[j]! + purchasesOfT[j]!;
      ll -= exponent * lt;
      gR -= weightOfT[j]! * lt;
      gAlpha -= exponent / (alpha + times[j]!);
    }
    if (gradient) {
      gradient[0] = gR;
      gradient[1] = gAlpha;
    }
    return ll;
  };
  return { repeatPurchases, evaluate };
}

/**
 * Maximum-likelihood NBD fit on grouped histories.
 * @example fitNbd(cdnowWeeks).logLik // ≈ −9764 (FHL 2005 report −9763.7 for the NBD on CDNOW)
 */
export function fitNbd(groups: HistoryGroups): NbdFit {
  const { purchases, exposure } = purchasesAndExposure(groups);
  const alpha = Math.min(Math.max(exposure / Math.max(purchases, Number.MIN_VALUE), 1e-6), 1e12);
  return fitOnLogParameters<NbdParams, PreparedNbd>(
    groups,
    ['r', 'alpha'],
    { prepare, logLik: (m) => m.evaluate, identified: (m) => m.repeatPurchases > 0, notIdentified: 'fitNbd: no repeat purchases, the model is not identified' },
    { r: 1, alpha },
    { warmUpSample: 0 },
  );
}
