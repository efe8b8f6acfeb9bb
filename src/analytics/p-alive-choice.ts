// Which figure stands for "is this customer still with us": a trusted model's P(alive), picked among
// the models that let one-time buyers drop out by per-customer error on the holdout; else, when no fit
// can tell dropout, the store's calibrated chance of buying again (one minus the churn risk, fitted on
// the store's own history); else nothing (it cannot be told).
import type { PerCustomerError } from './holdout.ts';
import type { ModelFits } from './model-fits.ts';
import type { RepeatPurchaseModelName } from './repeat-purchase-model.ts';

export type PAliveBasis = 'model' | 'calibrated' | 'unknown';

export interface PAliveChoice {
  /**
   * The model whose P(alive) is shown (basis `model`), or whose expected purchases feed the churn
   * risk the calibrated chance comes from; null when none could be fitted.
   */
  chosen: RepeatPurchaseModelName | null;
  basis: PAliveBasis;
  /** What the figure is called wherever it is shown. */
  label: string;
  /** Which model and why, in one or two sentences. */
  why: string;
  /** For the calibrated chance: the days it looks ahead (the churn risk's horizon). */
  horizonDays: number | null;
}

export interface HoldoutEvidence {
  days: number;
  error: Partial<Record<RepeatPurchaseModelName, PerCustomerError>>;
}

/** The churn risk's horizon, and so the calibrated chance's: "no purchase in the next 90 days". */
export const CHURN_HORIZON_DAYS = 90;

/**
 * Picks the P(alive) figure from today's fits and, when there is one, the holdout.
 * @example choosePAlive(fits, holdout) // { chosen: 'paretoNbd', basis: 'model', label: 'P(alive)', why: 'Pareto/NBD scores P(alive): …' }
 */
export function choosePAlive(fits: ModelFits, holdout: HoldoutEvidence | null): PAliveChoice {
  const candidates = Object.values(fits.fitted).filter((f) => f.model.oneTimeBuyersCanDropOut && f.fit.converged);
  const rmse = (name: RepeatPurchaseModelName) => holdout?.error[name]?.rmse ?? NaN;
  const judged = holdout !== null && candidates.every((c) => Number.isFinite(rmse(c.model.name)));
  const ranked = [...candidates].sort((p, q) => (judged ? rmse(p.model.name) - rmse(q.model.name) : q.fit.logLik - p.fit.logLik));
  const trusted = ranked.filter((c) => c.diagnosis.trusted);
  if (trusted.length > 0) {
    const best = trusted[0]!;
    const others = trusted.slice(1).map((c) => `${rmse(c.model.name).toFixed(3)} for ${c.model.label}`);
    const untrusted = ranked.filter((c) => !c.diagnosis.trusted).map((c) => c.model.label);
    const versus = others.length ? ` vs ${others.join(', ')}` : '';
    const evidence = judged
      ? `the lowest per-customer error over the ${holdout!.days}-day holdout (RMSE ${rmse(best.model.name).toFixed(3)} purchase days${versus})`
      : 'the higher likelihood (there is no holdout yet to judge them by)';
    const one = untrusted.length === 1;
    const skipped = untrusted.length
      ? ` ${untrusted.join(' and ')} ${one ? 'was' : 'were'} left out: ${one ? 'its fit' : 'their fits'} cannot be trusted.`
      : '';
    return {
      chosen: best.model.name,
      basis: 'model',
      label: 'P(alive)',
      why: `${best.model.label} scores P(alive): of the models that let one-time buyers drop out, it has ${evidence}.${skipped}`,
      horizonDays: null,
    };
  }
  const best = ranked[0];
  if (best) {
    return {
      chosen: best.model.name,
      basis: 'calibrated',
      label: `Chance of buying again in ${CHURN_HORIZON_DAYS} days`,
      why:
        `No model can tell how fast customers drop out on this data, so no P(alive) is shown as a fact. In its place: the chance ` +
        `of buying again in the next ${CHURN_HORIZON_DAYS} days, one minus the churn risk, whose weights are fitted on what this ` +
        `store's customers did after a cutoff (the churn backtest), with ${best.model.label}'s expected purchases among its inputs.`,
      horizonDays: CHURN_HORIZON_DAYS,
    };
  }
  return {
    chosen: null,
    basis: 'unknown',
    label: 'P(alive)',
    why: 'No repeat-purchase model could be fitted: P(alive) cannot be told.',
    horizonDays: null,
  };
}

/**
 * The calibrated chance needs calibrated churn weights: without a churn backtest (too little
 * history) it would be a guess, so P(alive) then cannot be told.
 * @example withChurnCalibration(choice, 'default').basis // 'unknown' when choice.basis was 'calibrated'
 */
export function withChurnCalibration(choice: PAliveChoice, weightsSource: 'fitted' | 'default'): PAliveChoice {
  if (choice.basis !== 'calibrated' || weightsSource === 'fitted') return choice;
  return {
    ...choice,
    basis: 'unknown',
    label: 'P(alive)',
    why:
      'No model can tell how fast customers drop out on this data, and the history is too short to calibrate a chance of buying ' +
      'again on: P(alive) cannot be told.',
    horizonDays: null,
  };
}
