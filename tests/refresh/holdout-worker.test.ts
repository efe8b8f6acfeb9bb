// The refresh's holdout on a worker thread (a big store's) is the holdout computed inline: the same
// sample, fits, diagnoses and table, each fitted model given back its code; and the models fitted
// beside it choose P(alive) from it exactly as fitModels does once it is done.
import { describe, expect, it } from 'vitest';
import { noFeedback } from '../../src/db/histories.ts';
import { customerStateAsOf } from '../../src/refresh/customer-state.ts';
import { fitModels, fitModelsBeside } from '../../src/refresh/fit-models.ts';
import { holdoutFor, holdoutInBackground, type HoldoutResult } from '../../src/refresh/holdout-step.ts';
import { cdnowHistories, cdnowStatus, dayNumber } from '../analytics/helpers/cdnow.ts';

const cdnow = cdnowStatus();

describe.skipIf(cdnow.skip)('GIVEN the CDNOW sample as of 1998-06-30', () => {
  const asOf = dayNumber('19980630');
  const h = cdnowHistories();
  const state = customerStateAsOf(h, noFeedback(), asOf);

  it('WHEN the holdout runs on a worker THEN it is the inline one, models and all', async () => {
    const inline = holdoutFor(h, state, undefined, 1) as HoldoutResult;
    expect(inline).not.toHaveProperty('error');
    const onWorker = (await holdoutInBackground(h, state, undefined, 1, 0).result) as HoldoutResult;
    expect(onWorker).toEqual(inline);
    for (const [name, f] of Object.entries(onWorker.fits.fitted)) expect(f.model).toBe(inline.fits.fitted[name as keyof typeof inline.fits.fitted]!.model);
    // Days asked for are honoured there too.
    const asked = (await holdoutInBackground(h, state, 60, 1, 0).result) as HoldoutResult;
    expect(asked.days).toBe(60);
    expect(asked).toEqual(holdoutFor(h, state, 60, 1));
  });

  it('WHEN a refresh fails and stops it THEN the worker ends and its result says so', async () => {
    const run = holdoutInBackground(h, state, undefined, 1, 0);
    await run.stop();
    await expect(run.result).rejects.toThrow(/the holdout worker exited/);
  });

  it('WHEN the history is too short for a holdout THEN the worker is not started and the reason comes back', async () => {
    const young = customerStateAsOf(h, noFeedback(), dayNumber('19970115'));
    expect(await holdoutInBackground(h, young, undefined, 1, 0).result).toEqual(holdoutFor(h, young, undefined, 1));
    expect(await holdoutInBackground(h, young, undefined, 1, 0).result).toHaveProperty('error', expect.stringMatching(/a holdout needs at least 28/));
  });

  it('WHEN the models are fitted beside the holdout THEN they are the models fitted after it', async () => {
    const inline = holdoutFor(h, state, undefined, 1) as HoldoutResult;
    const after = fitModels(state, { holdout: inline });
    let waited = false;
    const beside = await fitModelsBeside(
      state,
      holdoutInBackground(h, state, undefined, 1, 0).result.then((r) => {
        waited = true;
        return r as HoldoutResult;
      }),
    );
    expect(waited).toBe(true);
    const { timings: _a, ...a } = after;
    const { timings: _b, ...b } = beside;
    expect(b).toEqual(a);
    expect(beside.pAliveChoice.basis).toBe(after.pAliveChoice.basis);
  });

  it('WHEN the holdout fails THEN the models fitted beside it fail with it', async () => {
    await expect(fitModelsBeside(state, Promise.reject(new Error('holdout: the worker died')))).rejects.toThrow(/the worker died/);
  });
});
