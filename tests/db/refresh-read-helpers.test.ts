// The refresh's read helpers: the interner hands back every value unchanged (shared copies are a
// memory matter only), nulls included, and keeps passing values through once it holds its limit;
// the answers' columns hold every answer pushed, in order, past their growth.
import { describe, expect, it } from 'vitest';
import { FeedbackBuilder, noFeedback, scaleOf } from '../../src/db/histories.ts';
import { interner } from '../../src/db/refresh-read-helpers.ts';

describe('interner', () => {
  it('GIVEN repeated, new and null values THEN each comes back as given, before and past the limit', () => {
    const shared = interner(2);
    const values = ['csat', 'nps', 'csat', null, 'active', 'nps', 'active', ''];
    expect(values.map((v) => shared(v))).toEqual(values);
    // built at run time, as the driver does: equal text, another string
    expect(shared(['cs', 'at'].join(''))).toBe('csat');
    expect(() => interner(-1)('x')).not.toThrow();
  });
});

describe('FeedbackBuilder', () => {
  it('GIVEN 3,000 answers (past two doublings of the columns) THEN each comes back in order with its customer, day, scale and score', () => {
    const b = new FeedbackBuilder();
    for (let k = 0; k < 3_000; k++) b.push(k % 17, 20_000 + k, k % 3 ? 'csat' : 'nps', k % 3 ? 1 + (k % 5) : k % 11);
    const answers = b.finish();
    expect(answers.length).toBe(3_000);
    for (const k of [0, 1, 1_023, 1_024, 2_047, 2_048, 2_999]) {
      expect([answers.customerIndex[k], answers.day[k], scaleOf(answers, k), answers.score[k]]).toEqual([k % 17, 20_000 + k, k % 3 ? 'csat' : 'nps', k % 3 ? 1 + (k % 5) : k % 11]);
    }
    expect(answers.day.length).toBe(3_000); // trimmed to the answers, not the capacity
    expect(noFeedback().length).toBe(0);
  });
});
