// Matched controls for "does it help?": for each alert, one customer who was not alerted and is
// like the alerted one at the time — the same churn-risk band (10 points) and the same decile of
// value at risk. Chosen in one pass over every customer with a seeded reservoir per stratum (so each
// eligible customer of a stratum is equally likely, and a refresh picks the same ones again). Pure.
import { mulberry32 } from '../analytics/random.ts';

export interface ControlRequest {
  alertId: number;
  risk: number;
  valueAtRisk: number;
}

/** Cut points of value-at-risk deciles (9 values, ascending), from a sample of the positive finite values. */
export function valueDeciles(values: ArrayLike<number>, seed: number, sampleSize = 20_000): number[] {
  const finite: number[] = [];
  const n = values.length;
  const random = mulberry32(seed);
  // A uniform sample: every index with the same chance, without walking the array twice.
  const step = Math.max(1, n / sampleSize);
  for (let x = random() * step; x < n; x += step) {
    const v = values[Math.floor(x)]!;
    if (Number.isFinite(v) && v > 0) finite.push(v);
  }
  finite.sort((a, b) => a - b);
  if (finite.length === 0) return [];
  return Array.from({ length: 9 }, (_, k) => finite[Math.min(finite.length - 1, Math.floor(((k + 1) * finite.length) / 10))]!);
}

function decileOf(cuts: readonly number[], v: number): number {
  let d = 0;
  while (d < cuts.length && v >= cuts[d]!) d++;
  return d;
}

const STRATA = 11 * 10;

/** Stratum of a (risk, value at risk) pair, or -1 when either is missing. */
export function stratumOf(cuts: readonly number[], risk: number, valueAtRisk: number): number {
  if (!Number.isFinite(risk) || !Number.isFinite(valueAtRisk)) return -1;
  return Math.min(10, Math.floor(risk / 10)) * 10 + decileOf(cuts, Math.max(0, valueAtRisk));
}

/**
 * For each request, a customer index from its stratum that `eligible` allows (or none when the
 * stratum has no one left); controls are distinct within one call.
 */
export function pickControls(
  requests: readonly ControlRequest[],
  risk: Float64Array,
  valueAtRisk: Float64Array,
  eligible: (i: number) => boolean,
  cuts: readonly number[],
  seed: number,
): Map<number, number> {
  const wanted = new Map<number, ControlRequest[]>();
  for (const r of requests) {
    const s = stratumOf(cuts, r.risk, r.valueAtRisk);
    if (s >= 0) wanted.set(s, [...(wanted.get(s) ?? []), r]);
  }
  if (wanted.size === 0) return new Map();
  // Arrays by stratum (at most 11 × 10): the loop below runs once per customer.
  const needs = new Int32Array(STRATA);
  for (const [s, reqs] of wanted) needs[s] = reqs.length;
  const seen = new Int32Array(STRATA);
  const reservoirs: number[][] = Array.from({ length: STRATA }, () => []);
  const random = mulberry32(seed);
  // Most customers sit in a risk band no alert needs: skipped before their value decile is looked up.
  const bandNeeded = new Uint8Array(11);
  for (const s of wanted.keys()) bandNeeded[Math.floor(s / 10)] = 1;
  for (let i = 0; i < risk.length; i++) {
    const r = risk[i]!;
    if (!(r >= 0) || bandNeeded[Math.min(10, Math.floor(r / 10))] === 0) continue;
    const s = stratumOf(cuts, r, valueAtRisk[i]!);
    if (s < 0 || needs[s] === 0 || !eligible(i)) continue;
    const count = ++seen[s]!;
    const res = reservoirs[s]!;
    if (res.length < needs[s]!) res.push(i);
    else {
      const j = Math.floor(random() * count);
      if (j < needs[s]!) res[j] = i;
    }
  }
  const out = new Map<number, number>();
  for (const [s, reqs] of wanted) {
    const res = reservoirs[s]!;
    reqs.forEach((r, k) => {
      if (k < res.length) out.set(r.alertId, res[k]!);
    });
  }
  return out;
}
