import { describe, expect, it } from 'vitest';
import { buildCustomerIndex, CustomerIndex, customerLabel, lowerBound, sortedOrder, type IndexedCustomer } from '../../../src/adapters/discord/customer-index.ts';
import { Random } from '../../../src/demo/random.ts';

const rows: IndexedCustomer[] = [
  { customer_id: 'C00001', name: 'Ann Lee', company: 'Acme Coffee', email: 'ann.lee@acme.example' },
  { customer_id: 'C00002', name: 'Anna Smith', company: 'Birch Books', email: 'anna@birch.example' },
  { customer_id: 'C00003', name: 'Bob Annex', company: 'Acme Garden', email: 'bob@garden.example' },
  { customer_id: 'C00004', name: 'Zoë Müller', company: null, email: null },
  { customer_id: 'C00005', name: '王小明', company: '上海咖啡', email: 'wang@sh.example' },
  { customer_id: 'X-77', name: null, company: null, email: 'lonely@nowhere.example' },
  { customer_id: 'C00007', name: 'Ann', company: 'Ann', email: 'ann@solo.example' },
];
const index = CustomerIndex.build(rows);
const ids = (q: string, limit?: number) => index.search(q, limit).map((s) => s.customerId);

describe('CustomerIndex', () => {
  it('GIVEN a name prefix THEN customers with a word starting with it come back, exact words first', () => {
    // Customers holding the exact word, in row order, then longer words in alphabetical order.
    expect(ids('ann')).toEqual(['C00001', 'C00007', 'C00002', 'C00003']);
    expect(ids('annex')).toEqual(['C00003']);
  });

  it('GIVEN several words in any order THEN customers with every word come back', () => {
    expect(ids('lee ann')).toEqual(['C00001']);
    expect(ids('acme ga')).toEqual(['C00003']);
    expect(ids('ann zz')).toEqual([]);
  });

  it('GIVEN an id, an email, a company THEN they are found by prefix, case-insensitively', () => {
    expect(ids('c0000')).toHaveLength(6);
    expect(ids('X-7')).toEqual(['X-77']);
    expect(ids('anna@bi')).toEqual(['C00002']);
    expect(ids('BIRCH')).toEqual(['C00002']);
  });

  it('GIVEN accents and Chinese THEN they are matched as typed, with NFKC normalisation', () => {
    expect(ids('zoë')).toEqual(['C00004']);
    expect(ids('ＺＯＥ'.normalize('NFKC').toLowerCase().replace('e', 'ë'))).toEqual(['C00004']);
    expect(ids('王')).toEqual(['C00005']);
    expect(ids('上海')).toEqual(['C00005']);
  });

  it('GIVEN a limit THEN no more come back; an empty query gives nothing', () => {
    expect(ids('c', 2)).toHaveLength(2);
    expect(ids('   ')).toEqual([]);
    expect(CustomerIndex.empty().search('ann')).toEqual([]);
  });

  it('GIVEN customers THEN labels name them with company and id within 100 characters', () => {
    expect(index.search('C00001')[0]!.label).toBe('Ann Lee · Acme Coffee (C00001)');
    expect(index.search('C00007')[0]!.label).toBe('Ann (C00007)');
    expect(index.search('X-77')[0]!.label).toBe('X-77');
    const long = customerLabel({ customer_id: 'C1', name: 'N'.repeat(200), company: 'Co' });
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.endsWith(' (C1)')).toBe(true);
  });

  it('GIVEN the stepwise build THEN it yields many times and gives the same answers as the one-go build', () => {
    const rnd = new Random(3);
    const many = Array.from({ length: 5000 }, (_, i) => ({ customer_id: `K${(i * 7919) % 5000}`, name: `N${Math.floor(rnd.next() * 300)} L${i % 97}`, company: `Co ${i % 13}`, email: `e${i}@x.example` }));
    const steps = buildCustomerIndex(many, 500);
    let yields = 0;
    let built: CustomerIndex | undefined;
    for (;;) {
      const n = steps.next();
      if (n.done) {
        built = n.value;
        break;
      }
      yields++;
    }
    expect(yields).toBeGreaterThan(20);
    const once = CustomerIndex.build(many);
    for (const q of ['n1', 'l5', 'co 1', 'k12', 'e44', 'n2 l3']) expect(built.search(q, 25)).toEqual(once.search(q, 25));
    // Brute force agrees on a multi-word query.
    const expected = many.filter((r) => r.name.toLowerCase().split(' ').some((w) => w.startsWith('n2')) && r.name.toLowerCase().split(' ').some((w) => w.startsWith('l3'))).map((r) => r.customer_id);
    expect(new Set(built.search('n2 l3', 10_000).map((s) => s.customerId))).toEqual(new Set(expected));
  });
});

describe('sortedOrder and lowerBound', () => {
  it('GIVEN random strings THEN the stepwise merge sort agrees with Array.prototype.sort', () => {
    const rnd = new Random(11);
    const keys = Array.from({ length: 20_000 }, () => Math.floor(rnd.next() * 1e9).toString(36) + (rnd.next() < 0.1 ? 'é😀' : ''));
    const steps = sortedOrder(keys, 1000);
    let n = steps.next();
    while (!n.done) n = steps.next();
    const sorted = Array.from(n.value, (i) => keys[i]!);
    expect(sorted).toEqual([...keys].sort());
    expect(lowerBound(sorted, sorted[500]!)).toBe(sorted.indexOf(sorted[500]!));
    expect(lowerBound(sorted, '')).toBe(0);
    expect(lowerBound(sorted, '\uffff')).toBe(sorted.length);
  });
});

describe('CustomerIndex at a million customers', () => {
  // The brief: a few typed characters answer "well under 100 ms" at 1M customers. Measured here as
  // the median of five runs after three warm-up runs: the first multi-word searches after a build
  // run partly interpreted (and beside the build's garbage collection) and can take tens of ms.
  // Single-word prefixes take well under 1 ms even cold. A bound from the brief, not a benchmark.
  it('GIVEN 1,000,000 customers THEN short queries answer correctly and within 100 ms', () => {
    const rnd = new Random(99);
    const first = ['Ann', 'Bob', 'Carla', 'Dev', 'Elena', 'Femi', 'Greta', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lena', 'Marco', 'Nia', 'Omar', 'Priya'];
    const last = ['Lee', 'Smith', 'Garcia', 'Chen', 'Okafor', 'Rossi', 'Silva', 'Müller', 'Nair', 'Wang', 'Ito', 'Larsen'];
    const co = ['Acme', 'Birch', 'Cobalt', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor'];
    const pick = (a: string[]) => a[Math.floor(rnd.next() * a.length)]!;
    function* million(): Generator<IndexedCustomer> {
      for (let i = 0; i < 1_000_000; i++) {
        const f = pick(first);
        const l = pick(last);
        const c = `${pick(co)} ${pick(co)}`;
        yield { customer_id: `C${String(i).padStart(7, '0')}`, name: `${f} ${l}`, company: c, email: `${f}.${l}.${i}@${c.split(' ')[0]}.example`.toLowerCase() };
      }
    }
    const big = CustomerIndex.build(million());
    expect(big.size).toBe(1_000_000);
    const cases: [string, (label: string) => boolean][] = [
      ['a', (l) => /\b(ann|acme)/i.test(l)],
      ['an', (l) => /\bann/i.test(l)],
      ['ann l', (l) => /^ann l/i.test(l)],
      ['lee ann', (l) => /^ann lee /i.test(l)],
      ['c00012', (l) => l.includes('(C00012')],
      ['ann.lee.4', (l) => /^ann lee /i.test(l)],
      ['müll', (l) => l.includes('Müller')],
      ['falcon gr', (l) => /falcon/i.test(l) && /granite|greta/i.test(l)],
    ];
    const timings: string[] = [];
    for (const [q, ok] of cases) {
      const found = big.search(q);
      expect(found.length, q).toBe(25);
      for (const s of found) expect(ok(s.label), `${q} → ${s.label}`).toBe(true);
      for (let k = 0; k < 3; k++) big.search(q);
      const ms: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        big.search(q);
        ms.push(performance.now() - t);
      }
      const median = ms.sort((x, y) => x - y)[2]!;
      timings.push(`${q}: ${median.toFixed(2)} ms`);
      expect(median, timings.join(', ')).toBeLessThan(100);
    }
    expect(big.search('x y z')).toEqual([]);
  }, 120_000);
});
