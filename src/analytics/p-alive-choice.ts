// Which figure stands for "is this customer still with us": a trusted model's P(alive), picked among the models that let one-time buyers drop out by per-customer error on the holdout; else, when no fit can tell dropout, the store's calibrated chance of buying again; else nothing (it cannot be told).
import type { BuyAgainCalibration } from './buy-again-calibration.ts';
import type { PerCustomerError } from './holdout.ts';
import type { ModelFits } from './model-fits.ts';
import type { RepeatPurchaseModelName } from './repeat-purchase-model.ts';

export type PAliveBasis = 'model' | 'calibrated' | 'unknown';

export interface PAliveChoice {
  /** The model whose P(alive) is shown (basis `model`) or whose expectations the calibrated chance is built on; null when none could be fitted. */
  chosen: RepeatPurchaseModelName | null;
  basis: PAliveBasis;
  /** What the figure is called wherever it is shown. */
  label: string;
  /** Which model and why, in one or two sentences. */
  why: string;
  /** For the calibrated chance: the days it looks ahead. */
  horizonDays: number | null;
}

export interface HoldoutEvidence {
  days: number;
  error: Partial<Record<RepeatPurchaseModelName, PerCustomerError>>;
  calibration: Partial<Record<RepeatPurchaseModelName, BuyAgainCalibration | null>>;
}

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
    const evidence = judged
      ? `the lowest per-customer error over the ${holdout!.days}-day holdout (RMSE ${rmse(best.model.name).toFixed(3)} purchase days${others.length ? ` vs ${others.join(', ')}` : ''})`
      : 'the higher likelihood (there is no holdout yet to judge them by)';
    const skipped = untrusted.length ? ` ${untrusted.join(' and ')} ${untrusted.length === 1 ? 'was' : 'were'} left out: ${untrusted.length === 1 ? 'its fit' : 'their fits'} cannot be trusted.` : '';
    return {
      chosen: best.model.name,
      basis: 'model',
      label: 'P(alive)',
      why: `${best.model.label} scores P(alive): of the models that let one-time buyers drop out, it has ${evidence}.${skipped}`,
      horizonDays: null,
    };
  }
  const best = ranked[0];
  const calibration = best && holdout ? holdout.calibration[best.model.name] ?? null : null;
  if (best && calibration) {
    const days = calibration.horizonDays;
    return {
      chosen: best.model.name,
      basis: 'calibrated',
      label: `Chance of buying again in ${days} days`,
      why:
        `No model can tell how fast customers drop out on this data, so no P(alive) is shown as a fact. In its place: the chance ` +
        `of buying again in the next ${days} days, ${best.model.label}'s expected purchases calibrated on what customers did in the ` +
        `${days}-day holdout (${Math.round(calibration.boughtShare * 100)}% of ${calibration.customers} bought in it).`,
      horizonDays: days,
    };
  }
  return {
    chosen: best?.model.name ?? null,
    basis: 'unknown',
    label: 'P(alive)',
    why: best
      ? 'No model can tell how fast customers drop out on this data and there is no holdout to calibrate a chance of buying again on: P(alive) cannot be told.'
      : 'No repeat-purchase model could be fitted: P(alive) cannot be told.',
    horizonDays: null,
  };
}
