// Every repeat-purchase model fitted on the same histories, each with its standard errors and an
// honest diagnosis, plus the NBD (no dropout) they are judged against.
import { BGNBD } from './bgnbd.ts';
import { diagnoseFit, fewRepeatBuyersWarning, type FitDiagnosis } from './fit-diagnostics.ts';
import { MBGNBD } from './mbg-nbd.ts';
import { fitNbd, type NbdFit } from './nbd.ts';
import { PARETO_NBD } from './pareto-nbd.ts';
import type { HistoryGroups } from './purchase-history.ts';
import type { RepeatPurchaseFit, RepeatPurchaseModel, RepeatPurchaseModelName } from './repeat-purchase-model.ts';
import type { StagedFitOptions } from './staged-fit.ts';
import { standardErrors } from './standard-errors.ts';

/** In the order the card lists them. */
export const REPEAT_PURCHASE_MODELS: readonly RepeatPurchaseModel[] = [BGNBD, PARETO_NBD, MBGNBD] as RepeatPurchaseModel[];

export interface ModelFitResult {
  model: RepeatPurchaseModel;
  fit: RepeatPurchaseFit<object>;
  diagnosis: FitDiagnosis;
}

export interface ModelFits {
  fitted: Partial<Record<RepeatPurchaseModelName, ModelFitResult>>;
  /** Why a model has no fit ("no repeat purchases, …"). */
  failed: Partial<Record<RepeatPurchaseModelName, string>>;
  nbd: NbdFit | null;
  buyers: number;
  repeatBuyers: number;
  /** Σx over the histories: converts a log-likelihood in days to weeks (`logLikelihoodInUnit`). */
  totalRepeatPurchases: number;
  /** Every diagnosis sentence, store-level first. */
  warnings: string[];
}

/**
 * Fits BG/NBD, Pareto/NBD and MBG/NBD (and the NBD) on grouped histories and diagnoses each.
 * `time` wraps each fit, for the refresh's timings.
 * @example fitEveryModel(groups).fitted.paretoNbd?.diagnosis.trusted
 */
export function fitEveryModel(
  groups: HistoryGroups,
  options: StagedFitOptions = {},
  time: <T>(name: string, fn: () => T) => T = (_, fn) => fn(),
): ModelFits {
  let repeatBuyers = 0;
  let totalRepeatPurchases = 0;
  for (let row = 0; row < groups.size; row++) {
    if (groups.frequency[row]! > 0) repeatBuyers += groups.weight[row]!;
    totalRepeatPurchases += groups.weight[row]! * groups.frequency[row]!;
  }
  const out: ModelFits = { fitted: {}, failed: {}, nbd: null, buyers: groups.customers, repeatBuyers, totalRepeatPurchases, warnings: [] };
  const few = fewRepeatBuyersWarning(repeatBuyers, groups.customers);
  if (few) out.warnings.push(few);
  try {
    out.nbd = time('nbd fit', () => fitNbd(groups));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
  }
  for (const model of REPEAT_PURCHASE_MODELS) {
    try {
      const fit = time(`${model.label.toLowerCase()} fit`, () => model.fit(groups, options));
      const se = time(`${model.label.toLowerCase()} standard errors`, () => standardErrors(model.logLikelihoodOf(groups), model.parameterNames, fit));
      const diagnosis = diagnoseFit(model, fit, se, out.nbd?.converged ? out.nbd.logLik : null, repeatBuyers);
      out.fitted[model.name] = { model, fit, diagnosis };
      out.warnings.push(...diagnosis.warnings);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      out.failed[model.name] = err.message;
    }
  }
  return out;
}
