// The refresh's read helpers: the interner hands back every value unchanged (shared copies are a
// memory matter only), nulls included, and keeps passing values through once it holds its limit.
import { describe, expect, it } from 'vitest';
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
