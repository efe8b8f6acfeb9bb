// Cluster names from centroid z-scores ("High-value regulars", "Lapsed one-timers"): what a rep reads instead of a cluster number.
import type { FeatureRoles } from './clusters.ts';

/** Naming threshold: a centroid |z| at or above this is "high"/"low" on that feature. */
const NAMING_Z = 0.5;

/** Roles from names: tenure ("tenure", "first"), recency ("recen", "since", "last"), monetary, frequency. */
export function inferRoles(featureNames: readonly string[]): FeatureRoles {
  const patterns: [keyof FeatureRoles, RegExp][] = [
    ['tenure', /tenure|first|age/i],
    ['recency', /recen|since|last/i],
    ['monetary', /monet|revenue|spend|value|amount|sales/i],
    ['frequency', /freq|purchase|order|count|visit/i],
  ];
  const roles: { -readonly [K in keyof FeatureRoles]: number } = {};
  featureNames.forEach((name, j) => {
    const match = patterns.find(([role, pattern]) => roles[role] === undefined && pattern.test(name));
    if (match) roles[match[0]] = j;
  });
  return roles;
}

/** A cluster most of whose members spent nothing or got refunded more than they paid. */
export const NO_SPEND_NAME = 'No net spend (refunds or free orders)';

/** How a rep says "lower" and "higher" on each role, and what the role is. */
const ROLE_WORDS: Record<keyof FeatureRoles, { low: string; high: string; noun: string }> = {
  recency: { low: 'more recent', high: 'longer gone', noun: 'time since last purchase' },
  frequency: { low: 'fewer purchases', high: 'more purchases', noun: 'purchase count' },
  monetary: { low: 'smaller orders', high: 'bigger orders', noun: 'order size' },
  tenure: { low: 'newer', high: 'longer-standing', noun: 'time as a customer' },
};

/**
 * Names from centroid z-scores (|z| ≥ 0.5 counts as high/low). With RFM roles: a noun from
 * frequency and tenure (regulars, newcomers, one-timers, occasional buyers), "Lapsed"/"Recent" from
 * recency, "high-value"/"low-value" from monetary; a cluster where at least half the members spent
 * nothing or were refunded more than they paid is named for that. Without roles: the two most
 * extreme features. Duplicate names are told apart, in a rep's words, by the feature on which they
 * differ most ("Newcomers (bigger orders)").
 */
export function nameClusters(
  zScores: number[][],
  featureNames: readonly string[],
  roles: FeatureRoles,
  extras: { readonly noSpendShare?: readonly number[] } = {},
): string[] {
  const hasRfm = roles.recency !== undefined || roles.frequency !== undefined || roles.monetary !== undefined;
  const names = zScores.map((z, c) => ((extras.noSpendShare?.[c] ?? 0) >= 0.5 ? NO_SPEND_NAME : hasRfm ? rfmName(z, roles) : genericName(z, featureNames)));
  const roleOf = (j: number) => (Object.keys(roles) as (keyof FeatureRoles)[]).find((role) => roles[role] === j);
  const groups = new Map<string, number[]>();
  names.forEach((name, c) => groups.set(name, [...(groups.get(name) ?? []), c]));
  for (const [name, members] of groups) {
    if (members.length < 2) continue;
    let feature = 0;
    let widest = -1;
    for (let j = 0; j < featureNames.length; j++) {
      const values = members.map((c) => zScores[c]![j]!);
      const range = Math.max(...values) - Math.min(...values);
      if (range > widest) {
        widest = range;
        feature = j;
      }
    }
    const ordered = [...members].sort((a, b) => zScores[a]![feature]! - zScores[b]![feature]! || a - b);
    const role = roleOf(feature);
    const words = role ? ROLE_WORDS[role] : { low: `lower ${featureNames[feature]}`, high: `higher ${featureNames[feature]}`, noun: featureNames[feature]! };
    ordered.forEach((c, rank) => {
      const middle = ordered.length === 3 ? `mid ${words.noun}` : `${words.noun} ${rank + 1} of ${ordered.length}`;
      const qualifier = rank === 0 ? words.low : rank === ordered.length - 1 ? words.high : middle;
      names[c] = `${name} (${qualifier})`;
    });
  }
  return names;
}

function rfmName(z: number[], roles: FeatureRoles): string {
  const at = (j: number | undefined) => (j === undefined ? 0 : z[j]!);
  const recency = at(roles.recency);
  const frequency = at(roles.frequency);
  const monetary = at(roles.monetary);
  const tenure = at(roles.tenure);
  const noun =
    frequency >= NAMING_Z
      ? 'regulars'
      : roles.tenure !== undefined && tenure <= -NAMING_Z
        ? 'newcomers'
        : frequency <= -NAMING_Z
          ? 'one-timers'
          : 'occasional buyers';
  const recencyWord = recency >= NAMING_Z ? 'lapsed' : recency <= -NAMING_Z && noun !== 'regulars' ? 'recent' : '';
  const valueWord =
    monetary >= NAMING_Z ? 'high-value' : monetary <= -NAMING_Z && (noun === 'regulars' || noun === 'occasional buyers') ? 'low-value' : '';
  return capitalise([recencyWord, valueWord, noun].filter(Boolean).join(' '));
}

function genericName(z: number[], featureNames: readonly string[]): string {
  const extremes = z
    .map((value, j) => ({ value, j }))
    .filter(({ value }) => Math.abs(value) >= NAMING_Z)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.j - b.j)
    .slice(0, 2);
  if (extremes.length === 0) return 'Typical';
  return capitalise(extremes.map(({ value, j }) => `${value > 0 ? 'high' : 'low'} ${featureNames[j]}`).join(', '));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
