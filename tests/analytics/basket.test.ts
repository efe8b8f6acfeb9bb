import { describe, expect, it } from 'vitest';
import { associationRules, crossSell, encodeBaskets, type AssociationRule } from '../../src/analytics/basket.ts';

/*
 * Eight orders (N = 8); order 7 lists butter twice, which counts once.
 *   1 bread butter milk   2 bread butter   3 bread milk   4 bread butter jam
 *   5 milk                6 butter jam     7 bread butter butter   8 tea
 * Orders containing:  bread 5 (1,2,3,4,7)   butter 5 (1,2,4,6,7)   milk 3 (1,3,5)   jam 2 (4,6)   tea 1
 * Pairs:  bread+butter 4 (1,2,4,7)   bread+milk 2 (1,3)   butter+jam 2 (4,6)   butter+milk 1   bread+jam 1
 * Triples: bread+butter+milk 1 (order 1)   bread+butter+jam 1 (order 4)
 *
 * Rules (support = pair/8, confidence = pair/antecedent, lift = confidence / (consequent/8)):
 *   jam → butter     0.25   2/2 = 1.0    1.0 / 0.625 = 1.6
 *   butter → jam     0.25   2/5 = 0.4    0.4 / 0.25  = 1.6
 *   bread → butter   0.5    4/5 = 0.8    0.8 / 0.625 = 1.28
 *   butter → bread   0.5    4/5 = 0.8    0.8 / 0.625 = 1.28
 *   milk → bread     0.25   2/3          0.6667 / 0.625 = 1.0667
 *   bread → milk     0.25   2/5 = 0.4    0.4 / 0.375 = 1.0667
 *   milk → butter    0.125  1/3          0.3333 / 0.625 = 0.5333   (count 1)
 *   jam → bread      0.125  1/2          0.5 / 0.625 = 0.8          (count 1)
 */
const orders = [
  ['bread', 'butter', 'milk'],
  ['bread', 'butter'],
  ['bread', 'milk'],
  ['bread', 'butter', 'jam'],
  ['milk'],
  ['butter', 'jam'],
  ['bread', 'butter', 'butter'],
  ['tea'],
];

const everything = { minSupport: 0, minConfidence: 0, minLift: 0 };
const summary = (rules: readonly AssociationRule[]): string[] =>
  rules.map((rule) => `${rule.antecedent.join('+')}→${rule.consequent}`);
const find = (rules: readonly AssociationRule[], name: string): AssociationRule | undefined =>
  rules.find((rule) => `${rule.antecedent.join('+')}→${rule.consequent}` === name);

describe('associationRules', () => {
  it('GIVEN eight small orders THEN support, confidence and lift of each pair match the hand count', () => {
    const rules = associationRules(orders, { ...everything, minSupport: 0.2 });
    // minSupport 0.2 of 8 orders = 1.6 → pairs seen in at least 2 orders; sorted by lift, then confidence, then count, then ids
    expect(summary(rules)).toEqual([
      'jam→butter',
      'butter→jam',
      'bread→butter',
      'butter→bread',
      'milk→bread',
      'bread→milk',
    ]);
    expect(find(rules, 'jam→butter')).toEqual({ antecedent: ['jam'], consequent: 'butter', support: 0.25, confidence: 1, lift: 1.6, count: 2 });
    expect(find(rules, 'butter→jam')).toMatchObject({ support: 0.25, confidence: 0.4, count: 2 });
    expect(find(rules, 'butter→jam')!.lift).toBeCloseTo(1.6, 12);
    expect(find(rules, 'bread→butter')).toMatchObject({ support: 0.5, confidence: 0.8, count: 4 });
    expect(find(rules, 'bread→butter')!.lift).toBeCloseTo(1.28, 12);
    expect(find(rules, 'milk→bread')!.confidence).toBeCloseTo(2 / 3, 12);
    expect(find(rules, 'milk→bread')!.lift).toBeCloseTo(16 / 15, 12);
    expect(find(rules, 'bread→milk')!.lift).toBeCloseTo(16 / 15, 12);
  });

  it('GIVEN minimum confidence, lift and support THEN weaker rules are dropped', () => {
    // default minLift 1 drops milk→butter (0.53) and jam→bread (0.8); minConfidence 0.5 drops butter→jam (0.4), bread→milk (0.4)
    const rules = associationRules(orders, { minSupport: 0.1, minConfidence: 0.5 });
    expect(summary(rules)).toEqual(['jam→butter', 'bread→butter', 'butter→bread', 'milk→bread']);
    // minSupport 0.3 of 8 = 2.4 → only bread+butter (4 orders) is left
    expect(summary(associationRules(orders, { ...everything, minSupport: 0.3 }))).toEqual(['bread→butter', 'butter→bread']);
    // minLift 1.5 → only the jam/butter pair
    expect(summary(associationRules(orders, { ...everything, minLift: 1.5 }))).toEqual(['jam→butter', 'butter→jam']);
    // minCount 3 → only bread+butter
    expect(summary(associationRules(orders, { ...everything, minCount: 3 }))).toEqual(['bread→butter', 'butter→bread']);
  });

  it('GIVEN no threshold THEN pairs seen once appear with their hand-computed figures', () => {
    const rules = associationRules(orders, everything);
    expect(find(rules, 'milk→butter')).toMatchObject({ support: 0.125, count: 1 });
    expect(find(rules, 'milk→butter')!.lift).toBeCloseTo(8 / 15, 12);
    expect(find(rules, 'jam→bread')).toMatchObject({ support: 0.125, confidence: 0.5, lift: 0.8, count: 1 });
    expect(find(rules, 'tea→bread')).toBeUndefined(); // never bought together
  });

  it('GIVEN triples allowed THEN {butter, milk} → bread has support 1/8, confidence 1, lift 1.6', () => {
    // bread+butter+milk is in order 1 only; butter+milk is in order 1 only → confidence 1/1; lift 1/(5/8) = 1.6
    // {bread, milk} → butter: 1/2, lift 0.5/0.625 = 0.8; {bread, butter} → milk: 1/4, lift 0.25/0.375 = 0.6667
    const rules = associationRules(orders, { ...everything, maxAntecedent: 2 });
    expect(find(rules, 'butter+milk→bread')).toEqual({
      antecedent: ['butter', 'milk'],
      consequent: 'bread',
      support: 0.125,
      confidence: 1,
      lift: 1.6,
      count: 1,
    });
    expect(find(rules, 'bread+milk→butter')).toMatchObject({ confidence: 0.5, lift: 0.8 });
    expect(find(rules, 'bread+butter→milk')!.lift).toBeCloseTo(2 / 3, 12);
    expect(find(rules, 'bread+butter→jam')).toMatchObject({ confidence: 0.25, lift: 1 });
    // triples seen once fall under a support of 2 orders
    expect(associationRules(orders, { ...everything, minSupport: 0.2, maxAntecedent: 2 }).every((rule) => rule.antecedent.length === 1)).toBe(true);
  });

  it('GIVEN the flat encoding, shuffled items or the sparse counter THEN the rules are the same', () => {
    const expected = associationRules(orders, { ...everything, maxAntecedent: 2 });
    const flat = encodeBaskets(orders);
    expect(Array.from(flat.orderIndex)).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 6, 6, 7]);
    expect(associationRules(flat, { ...everything, maxAntecedent: 2 })).toEqual(expected);
    const reversed = {
      orderIndex: Int32Array.from(flat.orderIndex).reverse(),
      productIndex: Int32Array.from(flat.productIndex).reverse(),
      productIds: flat.productIds,
    };
    expect(associationRules(reversed, { ...everything, maxAntecedent: 2 })).toEqual(expected);
    expect(associationRules(orders, { ...everything, maxAntecedent: 2, denseProductLimit: 0 })).toEqual(expected);
    // the sparse counter skips pairs of products rarer than the threshold; the rules must not change
    const pruned = { ...everything, minSupport: 0.25, maxAntecedent: 2 as const };
    expect(associationRules(orders, { ...pruned, denseProductLimit: 0 })).toEqual(associationRules(orders, pruned));
  });

  it('GIVEN repeated orders given once with a weight THEN the rules equal those of every order listed', () => {
    // 1 bread butter milk ×3, 2 bread butter ×2, 3 milk ×1, 4 butter jam ×4, 5 tea ×0 (counts nothing)
    const distinct = [['bread', 'butter', 'milk'], ['bread', 'butter'], ['milk'], ['butter', 'jam'], ['tea']];
    const weights = [3, 2, 1, 4, 0];
    const expanded = distinct.flatMap((basket, o) => Array.from({ length: weights[o]! }, () => basket));
    const weighted = { ...encodeBaskets(distinct), orderWeights: weights };
    for (const options of [{ ...everything, maxAntecedent: 2 as const }, { ...everything, maxAntecedent: 2 as const, denseProductLimit: 0 }, { minSupport: 0.3 }]) {
      const want = associationRules(expanded, options);
      expect(want.length).toBeGreaterThan(0);
      expect(associationRules(weighted, options)).toEqual(want);
    }
    // 10 orders: bread+butter in 5, butter in 9 → bread → butter confidence 5/5, lift 1 / 0.9
    const rule = find(associationRules(weighted, everything), 'bread→butter')!;
    expect(rule.count).toBe(5);
    expect(rule.support).toBeCloseTo(0.5, 12);
    expect(rule.lift).toBeCloseTo(1 / 0.9, 12);
    expect(() => associationRules({ ...weighted, orderWeights: [1, -1, 1, 1, 1] })).toThrow(/^associationRules: order 1 has weight -1/);
    expect(() => associationRules({ ...weighted, orderWeights: [1, 0.5, 1, 1, 1] })).toThrow(/^associationRules: order 1 has weight 0.5/);
  });

  it('GIVEN no orders THEN there are no rules', () => {
    expect(associationRules([])).toEqual([]);
    expect(associationRules([[], []])).toEqual([]);
  });

  it('GIVEN a bad encoding or option THEN it throws naming associationRules', () => {
    const bad = { orderIndex: [0, 0], productIndex: [0, 2], productIds: ['a', 'b'] };
    expect(() => associationRules(bad)).toThrow(/^associationRules: item 1 has product index 2/);
    expect(() => associationRules({ orderIndex: [0], productIndex: [], productIds: [] })).toThrow(/^associationRules:/);
    expect(() => associationRules(orders, { minSupport: 2 })).toThrow(/^associationRules: minSupport/);
  });
});

describe('crossSell', () => {
  const rules = associationRules(orders, { ...everything, maxAntecedent: 2 });

  it('GIVEN a customer with bread THEN butter comes first (1.28 × 0.8 = 1.024), then milk (1.0667 × 0.4 = 0.4267), then jam', () => {
    // candidates: bread→butter 1.024, bread→milk 0.4267, bread→jam 0.8 × 0.2 = 0.16; bread itself is owned
    const suggestions = crossSell(rules, ['bread'], 5);
    expect(suggestions.map((suggestion) => suggestion.product)).toEqual(['butter', 'milk', 'jam']);
    expect(suggestions[0]!.score).toBeCloseTo(1.024, 12);
    expect(summary([suggestions[0]!.rule])).toEqual(['bread→butter']);
    expect(suggestions[1]!.score).toBeCloseTo(0.4 * (16 / 15), 12);
  });

  it('GIVEN a customer owning butter and milk THEN bread is justified by the stronger triple rule and owned products are never offered', () => {
    // bread: butter→bread 1.024, milk→bread 0.7111, {butter, milk}→bread 1.6 × 1 = 1.6 → the triple wins
    // jam:   butter→jam 1.6 × 0.4 = 0.64 (no milk→jam rule)
    const suggestions = crossSell(rules, new Set(['butter', 'milk']), 5);
    expect(suggestions.map((suggestion) => suggestion.product)).toEqual(['bread', 'jam']);
    expect(suggestions[0]!.score).toBeCloseTo(1.6, 12);
    expect(suggestions[1]!.score).toBeCloseTo(0.64, 12);
    expect(suggestions[0]!.rule.antecedent).toEqual(['butter', 'milk']);
    expect(suggestions.some((suggestion) => suggestion.product === 'butter' || suggestion.product === 'milk')).toBe(false);
  });

  it('GIVEN a limit THEN at most that many suggestions come back', () => {
    expect(crossSell(rules, ['butter', 'milk'], 1).map((suggestion) => suggestion.product)).toEqual(['bread']);
    expect(crossSell(rules, ['bread'], 0)).toEqual([]);
  });

  it('GIVEN a customer who owns nothing that any rule starts from THEN there is nothing to suggest', () => {
    expect(crossSell(rules, ['tea'])).toEqual([]);
    expect(crossSell(rules, [])).toEqual([]);
  });
});
