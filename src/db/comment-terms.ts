// How a comment's terms are kept in `feedback.terms`: terms separated by newlines, the two words of
// a phrase by a tab (a phrase in Chinese has no space to split on). Words never hold either.
import { termOfParts, type CommentTerm } from '../analytics/themes.ts';

export function encodeTerms(terms: readonly CommentTerm[]): string {
  return terms.map((t) => t.parts.join('\t')).join('\n');
}

export function decodeTerms(text: string): CommentTerm[] {
  if (text === '') return [];
  return text.split('\n').map((line) => termOfParts(line.split('\t')));
}
