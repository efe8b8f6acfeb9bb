// Whether a repeat-purchase fit can be trusted, in words a manager understands: convergence, a dropout
// the data cannot identify (a likelihood-ratio test against the NBD, the no-dropout limit; Wilks 1938,
// χ²₁ at 5%), parameters run to their bounds, a flat likelihood (no positive-definite observed
// information).
import type { RepeatPurchaseFit, RepeatPurchaseModel } from './repeat-purchase-model.ts';
import type { StandardErrors } from './standard-errors.ts';

/** Fewer customers with a repeat purchase than this and no model's P(alive) is trusted. */
export const MIN_REPEAT_BUYERS = 50;
/** χ²₁ 95% point: below it the fit is no better than "nobody ever leaves". */
export const DROPOUT_LR_THRESHOLD = 3.84;
/** A log-parameter this uncertain (a factor of e³ ≈ 20 either way) is not pinned down by the data. */
const MAX_LOG_SE = 3;

export interface FitDiagnosis {
  standardErrors: Record<string, number | null>;
  /** 2·(LL − LL of the NBD): the evidence that customers drop out at all; null when the NBD could not be fitted. */
  dropoutLikelihoodRatio: number | null;
  dropoutIdentified: boolean;
  /** Parameters the data do not pin down (run to a bound, or with a log standard error above 3). */
  atBound: string[];
  /** Its P(alive) can be shown as a fact: converged, dropout identified, curvature everywhere, enough repeat buyers. */
  trusted: boolean;
  warnings: string[];
}

const WORDS: Record<string, string> = {
  r: 'the spread of buying rates (r)',
  alpha: 'the buying-rate scale (α)',
  a: 'the chance of leaving after a purchase (a)',
  b: 'the chance of leaving after a purchase (b)',
  s: 'the spread of dropout rates (s)',
  beta: 'the dropout-rate scale (β)',
};
const DROPOUT_PARAMETERS = new Set(['a', 'b', 's', 'beta']);

/**
 * Diagnoses one fit. `nbdLogLik` is the NBD's maximum log-likelihood on the same histories.
 * @example diagnoseFit(PARETO_NBD, retailFit, se, nbd.logLik, 2790).warnings[0]
 *   // 'Pareto/NBD: the data cannot tell how fast customers drop out — …'
 */
export function diagnoseFit<P extends object>(
  model: RepeatPurchaseModel<P>,
  fit: RepeatPurchaseFit<P>,
  se: StandardErrors,
  nbdLogLik: number | null,
  repeatBuyers: number,
): FitDiagnosis {
  const warnings: string[] = [];
  const values = fit as unknown as Record<string, number>;
  const standardErrors = Object.fromEntries(model.parameterNames.map((name, i) => [name, se.standardErrors[i] ?? null]));
  const ratio = nbdLogLik === null ? null : Math.max(0, 2 * (fit.logLik - nbdLogLik));
  const dropoutIdentified = ratio === null ? true : ratio >= DROPOUT_LR_THRESHOLD;
  const atBound = model.parameterNames.filter((name, i) => {
    const logSe = se.logStandardErrors[i];
    return values[name]! < 1e-4 || values[name]! > 1e7 || (se.positiveDefinite && (logSe === null || logSe! > MAX_LOG_SE));
  });
  if (!fit.converged) {
    warnings.push(`${model.label} did not settle on an answer (the optimiser stopped after ${fit.iterations} steps): its figures are not used.`);
  }
  if (!dropoutIdentified) {
    warnings.push(
      `${model.label}: the data cannot tell how fast customers drop out — the fit is no better than assuming nobody ever leaves ` +
        `(likelihood-ratio ${ratio!.toFixed(2)}, below ${DROPOUT_LR_THRESHOLD}), so its P(alive) would read about 1 for everyone.`,
    );
  }
  const unexplained = atBound.filter((name) => dropoutIdentified || !DROPOUT_PARAMETERS.has(name));
  if (unexplained.length > 0) {
    const list = unexplained.map((name) => `${WORDS[name] ?? name} = ${formatValue(values[name]!)}`).join(', ');
    warnings.push(`${model.label}: the data do not pin down ${list}; it ran to the edge of its range where the likelihood is flat.`);
  }
  if (!se.positiveDefinite && dropoutIdentified && unexplained.length === 0) {
    warnings.push(`${model.label}: the likelihood is flat in some direction, so its parameters have no standard errors.`);
  }
  const trusted = fit.converged && dropoutIdentified && se.positiveDefinite && atBound.length === 0 && repeatBuyers >= MIN_REPEAT_BUYERS;
  return { standardErrors, dropoutLikelihoodRatio: ratio, dropoutIdentified, atBound, trusted, warnings };
}

/**
 * The store-level warning when few customers came back.
 * @example fewRepeatBuyersWarning(12, 300) // 'Only 12 of 300 buyers have bought more than once …'
 */
export function fewRepeatBuyersWarning(repeatBuyers: number, buyers: number): string | null {
  if (repeatBuyers >= MIN_REPEAT_BUYERS) return null;
  return (
    `Only ${repeatBuyers} of ${buyers} buyers have bought more than once: too few for the repeat-purchase models ` +
    `(they need at least ${MIN_REPEAT_BUYERS}), so their figures are rough and no P(alive) is shown as a model fact.`
  );
}

function formatValue(v: number): string {
  return v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(1) : v.toPrecision(3);
}
