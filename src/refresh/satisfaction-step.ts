// The refresh's satisfaction step: the answers inside the standard windows, read from the snapshot in
// customer order, their comments tokenised once (and the terms saved with them), tallied into the
// rollups. It needs no score, so it runs beside the insights' writing: the store's reader yields to the
// event loop between slices, and this step fills the time the scoring waits for the writer's thread.
import type { CommentTerm } from '../analytics/themes.ts';
import { decodeTerms, encodeTerms, termsOfComment } from '../db/comment-terms.ts';
import type { FeedbackAnswers } from '../db/histories.ts';
import type { RefreshIO, RefreshReads } from '../db/refresh-io.ts';
import { walker } from '../db/refresh-read-helpers.ts';
import { standardWindows } from '../reports/satisfaction.ts';
import { SatisfactionRollupBuilder, type SatisfactionRollups } from './satisfaction-rollups.ts';

export interface SatisfactionStepInput {
  runId: number;
  asOf: number;
  /** The snapshot's newest answer: later ones are added at read time. */
  feedbackWatermark: number;
  customerIds: readonly string[];
  answers: FeedbackAnswers;
  ownerKeys: readonly string[];
  segmentKeys: readonly string[];
  /** What a detractor is worth (12-month CLV, else revenue), per customer. */
  worth: Float64Array;
}

/** Distinct term lists kept decoded at once (comments repeat; a flood of unique ones must not fill memory). */
const DECODED_TERMS_KEPT = 200_000;

/** Reads the window answers through `reads` (then closes it) and builds the satisfaction rollups. */
export async function rollUpSatisfaction(reads: RefreshReads, io: Pick<RefreshIO, 'saveTerms'>, input: SatisfactionStepInput): Promise<SatisfactionRollups> {
  const { runId, asOf, answers, ownerKeys, segmentKeys, worth } = input;
  const windows = standardWindows(asOf);
  const from = Math.min(...windows.map((x) => x.from));
  const to = Math.max(...windows.map((x) => x.to));
  const tally = new SatisfactionRollupBuilder({ runId, answers, windows, ownerKeys, segmentKeys, valueOf: (i) => worth[i]!, detractorsPerWindow: 5 });
  // A comment is tokenised once, here, and its terms kept with it.
  const memo = new Map<string, string>();
  // Equal stored terms decode to one shared list (the rollups then look its terms up once).
  const decoded = new Map<string, CommentTerm[]>();
  const decode = (text: string) => {
    let terms = decoded.get(text);
    if (!terms) {
      terms = decodeTerms(text);
      if (decoded.size < DECODED_TERMS_KEPT) decoded.set(text, terms);
    }
    return terms;
  };
  const saves: { seq: number; terms: string }[] = [];
  const find = walker(input.customerIds); // the answers come in customer order
  await reads.readWindowAnswers(from, to, input.feedbackWatermark, (a) => {
    const i = find(a.customerId);
    if (i < 0) return;
    let terms = a.terms;
    if (terms === null && a.comment) {
      terms = memo.get(a.comment) ?? encodeTerms(termsOfComment(a.comment));
      memo.set(a.comment, terms);
      saves.push({ seq: a.seq, terms });
    }
    const { day, scale, score, feedbackId, hasComment } = a;
    tally.addWindowAnswer({ customerIndex: i, day, scale, score, feedbackId, hasComment, terms: terms ? decode(terms) : [] });
  });
  await reads.close();
  await io.saveTerms(saves);
  return tally.build();
}
