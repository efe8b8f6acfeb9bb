// Times behaviour clustering (fit on a sample + assign everyone) on 1,000,000 × 4 synthetic customers.
import { clusterCustomers } from '../src/analytics/clusters.ts';
import { mulberry32 } from '../src/analytics/random.ts';

const N = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);


/** Four behaviour groups of customers with lognormal-ish recency, frequency, monetary, tenure. */
function syntheticCustomers(n: number, seed: number) {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const groups = [
    { recency: 15, frequency: 12, monetary: 1500, tenure: 700 }, // high-value regulars
    { recency: 20, frequency: 1, monetary: 60, tenure: 25 }, // recent newcomers
    { recency: 400, frequency: 1, monetary: 40, tenure: 420 }, // lapsed one-timers
    { recency: 90, frequency: 4, monetary: 300, tenure: 500 }, // occasional buyers
  ];
  const recency = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  const tenure = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = groups[Math.floor(random() * groups.length)]!;
    recency[i] = Math.round(g.recency * Math.exp(0.35 * normal()));
    frequency[i] = Math.max(1, Math.round(g.frequency * Math.exp(0.3 * normal())));
    monetary[i] = g.monetary * Math.exp(0.4 * normal());
    tenure[i] = Math.max(recency[i]!, Math.round(g.tenure * Math.exp(0.2 * normal())));
  }
  return [recency, frequency, monetary, tenure];
}

const columns = syntheticCustomers(N, 42);
const names = ['recency', 'frequency', 'monetary', 'tenure'];

function time(label: string, runs: number, run: () => ReturnType<typeof clusterCustomers>): number {
  const times: number[] = [];
  let model: ReturnType<typeof clusterCustomers> | null = null;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    model = run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const summary = model!.clusters.map((c) => `${c.id}:${c.name} ${(100 * c.share).toFixed(1)}%`).join(', ');
  console.log(
    `${label}: median ${(median / 1000).toFixed(3)} s of ${runs} (${times.map((t) => (t / 1000).toFixed(2)).join(', ')})` +
      `  k=${model!.k} silhouette=${model!.silhouette?.toFixed(3)}\n    [${summary}]`,
  );
  return median;
}

/** The same population shape with no planted groups: the slow case for Lloyd iterations. */
function unstructuredCustomers(n: number, seed: number) {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const [recency, frequency, monetary, tenure] = [0, 1, 2, 3].map(() => new Float64Array(n)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < n; i++) {
    const a = normal();
    recency[i] = Math.round(Math.exp(3 + a));
    frequency[i] = Math.max(1, Math.round(Math.exp(0.8 * normal() - 0.3 * a)));
    monetary[i] = frequency[i]! * Math.exp(4 + 0.5 * normal());
    tenure[i] = recency[i]! + Math.round(Math.exp(5 + normal()));
  }
  return [recency, frequency, monetary, tenure];
}

console.log(`k-means fit on a 20,000-row sample + assign everyone, ${N.toLocaleString('en')} × 4, node ${process.version}`);
const cold = time('first call in process, k by silhouette', 1, () => clusterCustomers(columns, names, { seed: 7 }));
const given = time('four groups, k given (4)             ', 5, () => clusterCustomers(columns, names, { k: 4, seed: 7 }));
const chosen = time('four groups, k by silhouette 2..8    ', 5, () => clusterCustomers(columns, names, { seed: 7 }));
const flat = unstructuredCustomers(N, 43);
const unstructured = time('no planted groups, k by silhouette   ', 5, () => clusterCustomers(flat, names, { seed: 7 }));
const verdict = (ms: number) => (ms <= 1500 ? 'met' : 'MISSED');
console.log(
  `target ≤ 1.5 s: first call ${verdict(cold)}, k given ${verdict(given)}, k by silhouette ${verdict(chosen)}, no planted groups ${verdict(unstructured)}`,
);
