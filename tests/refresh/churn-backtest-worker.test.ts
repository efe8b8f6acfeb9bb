// The refresh's churn backtest on a worker thread (a big store's) calibrates exactly as inline: the
// same sample, weights and measures; and it can start as soon as the models have chosen how P(alive)
// is scored, which fitModelsBeside says before it goes on to spend and CLV.
import { describe, expect, it } from 'vitest';
import { FeedbackBuilder } from '../../src/db/histories.ts';
import { calibrateChurn, calibrateChurnInBackground } from '../../src/refresh/churn-backtest.ts';
import { customerStateAsOf } from '../../src/refresh/customer-state.ts';
import { fitModels, fitModelsBeside } from '../../src/refresh/fit-models.ts';
import type { PAliveChoice } from '../../src/analytics/p-alive-choice.ts';
import { cdnowHistories, cdnowStatus, dayNumber } from '../analytics/helpers/cdnow.ts';

const cdnow = cdnowStatus();

describe.skipIf(cdnow.skip)('GIVEN the CDNOW sample as of 1998-06-30, with some answers', () => {
  const asOf = dayNumber('19980630');
  const h = cdnowHistories();
  const answers = new FeedbackBuilder();
  for (let i = 0; i < h.customerIds.length; i += 7) answers.push(i, h.days[h.offsets[i]!]! + 3, i % 2 ? 'nps' : 'csat', i % 2 ? i % 11 : 1 + (i % 5));
  const feedback = answers.finish();
  const state = customerStateAsOf(h, feedback, asOf);
  let first = Infinity;
  for (const i of state.buyers) first = Math.min(first, state.summaries.firstPurchaseDay[i]!);
  const choice = fitModels(state).pAliveChoice;

  it('WHEN the backtest runs on a worker THEN it is the inline one', async () => {
    const inline = calibrateChurn(h, feedback, asOf, first, 90, 1, choice);
    expect(inline.weightsSource).toBe('fitted');
    expect(await calibrateChurnInBackground(h, feedback, asOf, first, 90, 1, choice, 0).result).toEqual(inline);
    // Another seed, another sample of halves: still the inline one.
    expect(await calibrateChurnInBackground(h, feedback, asOf, first, 90, 3, choice, 0).result).toEqual(calibrateChurn(h, feedback, asOf, first, 90, 3, choice));
  });

  it('WHEN the history is too short THEN no worker runs and the note says why', async () => {
    const got = await calibrateChurnInBackground(h, feedback, asOf, asOf - 100, 90, 1, choice, 0).result;
    expect(got).toEqual(calibrateChurn(h, feedback, asOf, asOf - 100, 90, 1, choice));
    expect(got.note).toMatch(/needs at least 180 days/);
  });

  it('WHEN the models are fitted beside a holdout THEN the choice is told before they are done, and is the one they keep', async () => {
    const told: PAliveChoice[] = [];
    const models = await fitModelsBeside(state, Promise.resolve(null), {}, (c) => told.push(c));
    expect(told).toEqual([models.pAliveChoice]);
    expect(models.pAliveChoice).toEqual(choice);
  });
});
