// BasketTally counts whole baskets by content, read many to a string and looked up in place: the
// counts must be those of splitting the string, whatever the products hold, and a basket taken
// back must be one that was counted.
import { describe, expect, it } from 'vitest';
import { BasketTally, type BasketInput } from '../../src/db/histories.ts';

const SEP = '\u001f';

/** basket text → orders it stands for, from the tally's input for the rules. */
function counts(input: BasketInput): Map<string, number> {
  const lists = new Map<number, string[]>();
  for (let k = 0; k < input.orderIndex.length; k++) {
    const o = input.orderIndex[k]!;
    if (!lists.has(o)) lists.set(o, []);
    lists.get(o)!.push(input.productIds[input.productIndex[k]!]!);
  }
  const out = new Map<string, number>();
  for (const [o, products] of lists) out.set(JSON.stringify(products), (out.get(JSON.stringify(products)) ?? 0) + (input.orderWeights?.[o] ?? 1));
  return out;
}

describe('BasketTally', () => {
  const products = ['tea', 'cup', 'sep \u001e', 'quote " \\', 'emoji 🛒 ü', 'a'.repeat(40), ''];
  // Deterministic pseudo-random baskets, many repeated, some long.
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const orders = Array.from({ length: 5_000 }, () => {
    const size = 1 + Math.floor(next() * 4);
    return JSON.stringify([...new Set(Array.from({ length: size }, () => products[Math.floor(next() * products.length)]!))]);
  });

  it('GIVEN baskets many to a string THEN each is counted as if the string were split', () => {
    const tally = new BasketTally();
    for (let i = 0; i < orders.length; i += 777) expect(tally.addLists(orders.slice(i, i + 777).join(SEP), SEP)).toBe(true);
    const want = new Map<string, number>();
    for (const o of orders) want.set(o, (want.get(o) ?? 0) + 1);
    expect(counts(tally.build())).toEqual(want);
  });

  it('GIVEN baskets added one by one and many to a string THEN they are counted together', () => {
    const one = new BasketTally();
    const mixed = new BasketTally();
    for (const o of orders) one.add(o);
    mixed.addLists(orders.slice(0, 2_500).join(SEP), SEP);
    for (const o of orders.slice(2_500)) mixed.add(o);
    expect(counts(mixed.build())).toEqual(counts(one.build()));
  });

  it('GIVEN a basket taken back THEN it counts one order less, and one never counted (or taken back once too often) is refused', () => {
    const tally = new BasketTally();
    tally.addLists(['["tea","cup"]', '["tea"]', '["tea","cup"]'].join(SEP), SEP);
    expect(tally.remove('["tea","cup"]')).toBe(true);
    expect(tally.remove('["tea"]')).toBe(true);
    expect(tally.remove('["tea"]')).toBe(false);
    expect(tally.remove('["jam"]')).toBe(false);
    expect(counts(tally.build())).toEqual(new Map([['["tea","cup"]', 1]]));
  });

  it('GIVEN baskets THEN products are numbered, and baskets listed, in order of first sight (as the item-by-item reader does)', () => {
    const tally = new BasketTally();
    tally.addLists(['["tea","cup"]', '["jam"]', '["cup","pot"]', '["jam"]'].join(SEP), SEP);
    const input = tally.build();
    expect(input.productIds).toEqual(['tea', 'cup', 'jam', 'pot']);
    expect([...input.orderIndex]).toEqual([0, 0, 1, 2, 2]);
    expect([...input.orderWeights!]).toEqual([1, 2, 1]);
  });

  it('GIVEN more distinct baskets than it keeps THEN it says so instead of counting them', () => {
    const tally = new BasketTally(3);
    expect(tally.addLists(['["a"]', '["b"]', '["a"]', '["c"]'].join(SEP), SEP)).toBe(true);
    expect(tally.addLists(['["a"]', '["d"]'].join(SEP), SEP)).toBe(false);
    expect(tally.add('["b"]')).toBe(true);
    expect(tally.add('["e"]')).toBe(false);
  });

  it('GIVEN equal texts in different strings THEN they are one basket (compared by content, not identity)', () => {
    const tally = new BasketTally();
    tally.addLists(['["jam"]', '["tea","cup"]', '["cup"]'].join(SEP), SEP);
    tally.addLists(['["tea","cup"]', '["jam"]'].join(SEP), SEP);
    expect(counts(tally.build())).toEqual(new Map([['["jam"]', 2], ['["tea","cup"]', 2], ['["cup"]', 1]]));
  });
});
