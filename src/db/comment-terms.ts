// How a comment's terms are kept in `feedback.terms`: terms separated by newlines, the two words of
// a phrase by a tab (a phrase in Chinese has no space to split on). Words never hold either.
import { commentTermList, termOfParts, type CommentTerm } from '../analytics/themes.ts';
import { scrubPersonalData } from '../core/reply.ts';

/**
 * A comment's terms as they are kept and counted: tokenised after its email addresses and phone
 * numbers are hidden, so no theme or pain point (which reports post into channels) is made of them.
 */
export function termsOfComment(comment: string): CommentTerm[] {
  return commentTermList(scrubPersonalData(comment));
}

export function encodeTerms(terms: readonly CommentTerm[]): string {
  return terms.map((t) => t.parts.join('\t')).join('\n');
}

export function decodeTerms(text: string): CommentTerm[] {
  if (text === '') return [];
  return text.split('\n').map((line) => termOfParts(line.split('\t')));
}
