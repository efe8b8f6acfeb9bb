// Maximum likelihood on grouped histories, fitted first on a systematic sample and then finished on
// everyone: the same estimate as a full fit, in a handful of full passes instead of ~30.
import { minimizeInStages, type MinimizeResult, type ObjectiveWithGradient } from './optimize.ts';
import { sampleHistories, type HistoryGroups } from './purchase-history.ts';

export const DEFAULT_WARM_UP_SAMPLE = 20_000;

export interface StagedFitOptions {
  /** Above 4× this many customers, warm up on a sample of this size; 0 turns it off. Default 20 000. */
  warmUpSample?: number;
  gradientTolerance?: number;
  maxIterations?: number;
}

/**
 * `prepare` turns histories into a model's precomputed form, `identified` says whether it can be
 * fitted at all (some repeat purchases), `objective` is the mean negative log-likelihood over
 * log-parameters. Throws `notIdentified` when the full data cannot identify the model.
 */
export function fitInStages<M>(
  groups: HistoryGroups,
  model: { prepare(g: HistoryGroups): M; identified(m: M): boolean; objective(m: M, customers: number): ObjectiveWithGradient; notIdentified: string },
  startLogParams: number[],
  options: StagedFitOptions = {},
): MinimizeResult {
  const full = model.prepare(groups);
  if (!model.identified(full)) throw new RangeError(model.notIdentified);
  const warmUp = options.warmUpSample ?? DEFAULT_WARM_UP_SAMPLE;
  const stages = [model.objective(full, groups.customers)];
  if (warmUp > 0 && groups.customers > 4 * warmUp) {
    const sample = sampleHistories(groups, warmUp);
    const prepared = model.prepare(sample);
    if (model.identified(prepared)) stages.unshift(model.objective(prepared, sample.customers));
  }
  return minimizeInStages(stages, startLogParams, { gradientTolerance: options.gradientTolerance ?? 1e-9, maxIterations: options.maxIterations ?? 200 });
}
