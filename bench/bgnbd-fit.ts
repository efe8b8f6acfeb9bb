// Timing of the CLV model fits on 1M synthetic customers in days (PRODUCT.md "The bar": BG/NBD fit ≤ 1.5 s). Run: npx tsx bench/bgnbd-fit.ts [customers] [seed]

import { bgnbdScores, fitBgnbd } from '../src/analytics/bgnbd.ts';
import { fitParetoNbd, paretoNbdScores } from '../src/analytics/pareto-nbd.ts';
import { cpus, loadavg } from 'node:os';
import { expandToCustomers, groupHistories, summarizeCustomers } from '../src/analytics/purchase-history.ts';
import { gamma as drawGamma, mulberry32 } from '../src/analytics/random.ts';

const customers = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 42);
const truth = { r: 1.2, alpha: 35, a: 0.8, b: 8 }; // days: ~12 purchases a year while active
const asOfDay = 730; // customers first buy uniformly over the two years before

const random = mulberry32(seed);
const gamma = (shape: number, rate: number) => drawGamma(random, shape, rate);

function time<T>(label: string, run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  const ms = performance.now() - start;
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms`);
  return { value, ms };
}

// BG/NBD story in continuous time, orders recorded on whole days (so same-day repeats collapse).
const simulated = time(`simulate ${customers.toLocaleString('en')} customers (not timed by the bar)`, () => {
  const offsets = new Int32Array(customers + 1);
  let days = new Int32Array(customers * 12);
  let amounts = new Float64Array(customers * 12);
  let n = 0;
  for (let i = 0; i < customers; i++) {
    const first = Math.floor(random() * asOfDay);
    const lambda = gamma(truth.r, truth.alpha);
    const x1 = gamma(truth.a, 1);
    const dropout = x1 / (x1 + gamma(truth.b, 1));
    const spend = 20 + 80 * random();
    let t = first;
    for (;;) {
      if (n + 1 >= days.length) {
        const grownDays = new Int32Array(days.length * 2);
        grownDays.set(days);
        days = grownDays;
        const grownAmounts = new Float64Array(amounts.length * 2);
        grownAmounts.set(amounts);
        amounts = grownAmounts;
      }
      days[n] = Math.floor(t);
      amounts[n] = Math.round(spend * (0.5 + random()) * 100) / 100;
      n++;
      if (t > first && random() < dropout) break;
      t += -Math.log(1 - random()) / lambda;
      if (t >= asOfDay + 1) break;
    }
    offsets[i + 1] = n;
  }
  return { offsets, days: days.subarray(0, n), amounts: amounts.subarray(0, n) };
}).value;
console.log(`orders: ${simulated.days.length.toLocaleString('en')}`);

const summaries = time('summarizeCustomers (orders → x, t_x, T, z̄)', () => summarizeCustomers(simulated, asOfDay)).value;

function fitRound(round: number): void {
  console.log(`\n— round ${round} —`);
  const grouped = time('groupHistories (x, t_x, T) → weighted rows', () =>
    groupHistories(summaries.frequency, summaries.recency, summaries.age, { keepCustomerRows: true }),
  );
  const groups = grouped.value;
  console.log(`distinct histories: ${groups.size.toLocaleString('en')}, distinct x: ${groups.frequencies.length}, distinct times: ${groups.times.length}`);
  const bg = time('fitBgnbd', () => fitBgnbd(groups));
  const f = bg.value;
  console.log(
    `  r=${f.r.toFixed(4)} α=${f.alpha.toFixed(3)} a=${f.a.toFixed(4)} b=${f.b.toFixed(4)} LL=${f.logLik.toFixed(1)} iterations=${f.iterations} converged=${f.converged}`,
  );
  console.log(`BG/NBD fit incl. grouping: ${(grouped.ms + bg.ms).toFixed(0)} ms (target ≤ 1500 ms)`);
  const pn = time('fitParetoNbd', () => fitParetoNbd(groups));
  const p = pn.value;
  console.log(
    `  r=${p.r.toFixed(4)} α=${p.alpha.toFixed(3)} s=${p.s.toFixed(4)} β=${p.beta.toFixed(3)} LL=${p.logLik.toFixed(1)} iterations=${p.iterations} converged=${p.converged}`,
  );
  console.log(`Pareto/NBD fit incl. grouping: ${(grouped.ms + pn.ms).toFixed(0)} ms`);
  time('BG/NBD P(alive) + E[Y(365)] for every customer', () => {
    const scores = bgnbdScores(f, groups, 365);
    return [expandToCustomers(scores.probabilityAlive, groups), expandToCustomers(scores.expectedPurchases, groups)];
  });
  time('Pareto/NBD P(alive) + E[Y(365)] for every customer', () => {
    const scores = paretoNbdScores(p, groups, 365);
    return [expandToCustomers(scores.probabilityAlive, groups), expandToCustomers(scores.expectedPurchases, groups)];
  });
}

console.log(`truth: r=${truth.r} α=${truth.alpha} a=${truth.a} b=${truth.b} (days)`);
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')} (timings are wall-clock; round 1 is cold, round 2 warm)`);
fitRound(1);
fitRound(2);
