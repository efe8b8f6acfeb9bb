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

/**
 * Names from centroid z-scores (|z| ≥ 0.5 counts as high/low). With RFM roles: a noun from
 * frequency and tenure (regulars, newcomers, one-timers, occasional buyers), "Lapsed"/"Recent" from
 * recency, "high-value"/"low-value" from monetary. Without roles: the two most extreme features.
 * Duplicate names are told apart by the feature on which they differ most.
 */
export function nameClusters(zScores: number[][], featureNames: readonly string[], roles: FeatureRoles): string[] {
  const hasRfm = roles.recency !== undefined || roles.frequency !== undefined || roles.monetary !== undefined;
  const names = zScores.map((z) => (hasRfm ? rfmName(z, roles) : genericName(z, featureNames)));
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
    const label = featureNames[feature]!;
    ordered.forEach((c, rank) => {
      const qualifier =
        ordered.length === 2 ? `${rank === 0 ? 'lower' : 'higher'} ${label}` : `${label} tier ${rank + 1} of ${ordered.length}`;
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
