// Turning what a person typed (`owner:"Maya Chen"`, `segment:champions`, `mine`) into a ReportFilter.
import { RFM_SEGMENTS, type RfmSegment } from '../analytics/rfm.ts';
import type { Actor } from '../core/context.ts';
import { notFound } from '../core/errors.ts';
import { ownerKey, type ReportFilter } from './report-data.ts';

/** `mine` → the actor's own name (owners are named in the customers file), else `owner:` as typed. */
export function ownerName(mine: boolean, owner: string | undefined, actor: Pick<Actor, 'name' | 'email' | 'id'>): string | undefined {
  if (owner) return owner;
  if (mine) return actor.name ?? actor.email ?? actor.id;
  return undefined;
}

/** A segment as typed (any case, or the start of its name) → its name; NOT_FOUND with the list otherwise. */
export function segmentNamed(text: string): RfmSegment {
  const t = text.trim().toLowerCase();
  const found = RFM_SEGMENTS.find((s) => s.toLowerCase() === t) ?? RFM_SEGMENTS.find((s) => s.toLowerCase().startsWith(t));
  if (!found) throw notFound(`There is no segment “${text}”.`, `Segments: ${RFM_SEGMENTS.join(', ')}.`);
  return found;
}

export function reportFilter(owner: string | undefined, segment: string | undefined): ReportFilter {
  return { ...(owner ? { owner: ownerKey(owner) } : {}), ...(segment ? { segment: segmentNamed(segment) } : {}) };
}

/** `segment champions, owner Maya Chen` — the words a title uses for a filter, as typed. */
export function scopeWords(parts: { segment?: string | null | undefined; owner?: string | null | undefined }, order: ('owner' | 'segment')[] = ['owner', 'segment']): string {
  return order.map((k) => (parts[k] ? `${k} ${parts[k]}` : '')).filter(Boolean).join(', ');
}
