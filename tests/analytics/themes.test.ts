import { describe, expect, it } from 'vitest';
import { commentTerms, painPoints, scoreBand, topThemes, type ScoredComment } from '../../src/analytics/themes.ts';

describe('commentTerms', () => {
  it('GIVEN an English comment THEN stop words are dropped and adjacent words form phrases', () => {
    // the, was: stop words; "delivery was late" has no phrase because "was" sits between the words
    expect(commentTerms('The delivery was late')).toEqual(['delivery', 'late']);
    expect(commentTerms('Late delivery, again!')).toEqual(['late', 'delivery', 'late delivery']);
  });

  it('GIVEN punctuation between words THEN no phrase crosses it', () => {
    expect(commentTerms('Fast delivery, great price')).toEqual(['fast', 'delivery', 'fast delivery', 'great', 'price', 'great price']);
  });

  it('GIVEN plurals and possessives THEN they fold to the singular', () => {
    expect(commentTerms('Late deliveries')).toEqual(['late', 'delivery', 'late delivery']);
    expect(commentTerms("the customer's boxes")).toEqual(['customer', 'box', 'customer box']);
    expect(commentTerms('orders lost')).toEqual(['order', 'lost', 'order lost']);
    expect(commentTerms('always')).toEqual(['always']);
  });

  it('GIVEN a negation THEN it is no theme by itself but starts a phrase', () => {
    expect(commentTerms("It's not working")).toEqual(['working', 'not working']);
    expect(commentTerms('不满意')).toEqual(['满意', '不满意']);
  });

  it('GIVEN a Chinese comment THEN words come from Intl.Segmenter, 了 is dropped and phrases join without a space', () => {
    // Intl.Segmenter: 物流 | 太慢 | 了
    expect(commentTerms('物流太慢了')).toEqual(['物流', '太慢', '物流太慢']);
    // 物流 | 太慢 | ， | 包装 | 也 | 破 | 了  (也 and 了 are stop words, the comma ends the phrase)
    expect(commentTerms('物流太慢，包装也破了')).toEqual(['物流', '太慢', '物流太慢', '包装', '破']);
  });

  it('GIVEN numbers, stray letters and full-width text THEN numbers and single letters are dropped', () => {
    expect(commentTerms('2 items, e-mail')).toEqual(['item', 'mail']);
    expect(commentTerms('ＡＰＰ crash')).toEqual(['app', 'crash', 'app crash']);
  });

  it('GIVEN a word repeated in one comment THEN it is listed once, with no phrase of itself', () => {
    expect(commentTerms('slow slow slow')).toEqual(['slow']);
  });

  it('GIVEN extra stop words THEN they are dropped too', () => {
    expect(commentTerms('acme delivery late', { stopWords: new Set(['acme']) })).toEqual(['delivery', 'late', 'delivery late']);
  });
});

describe('topThemes', () => {
  it('GIVEN terms counted once per comment THEN the most frequent come first, a word only seen inside its phrase giving way to the phrase', () => {
    // late: 2 comments, delivery: 2, "late delivery": 2 → late and delivery only occur inside the phrase
    // great: 1, price: 1 → under minComments 2
    const themes = topThemes(['late delivery late delivery', 'late delivery again', 'great price']);
    expect(themes).toEqual([{ term: 'late delivery', comments: 2, share: 2 / 3 }]);
  });

  it('GIVEN a word also seen outside the phrase THEN both are listed, ties alphabetical', () => {
    // delivery: 3 (c1, c2, c3); late: 2; "late delivery": 2
    const themes = topThemes(['late delivery', 'late delivery', 'delivery ok', ''], { minComments: 1 });
    expect(themes.map((theme) => [theme.term, theme.comments])).toEqual([
      ['delivery', 3],
      ['late delivery', 2],
    ]);
    expect(themes[0]!.share).toBe(1); // the empty comment does not count
  });
});

describe('scoreBand', () => {
  it('GIVEN CSAT and NPS scores THEN low is CSAT 1–2 / NPS 0–6 and high is CSAT 4–5 / NPS 9–10', () => {
    expect([1, 2, 3, 4, 5].map((score) => scoreBand(score, 'csat'))).toEqual(['low', 'low', 'neutral', 'high', 'high']);
    expect([0, 6, 7, 8, 9, 10].map((score) => scoreBand(score, 'nps'))).toEqual(['low', 'low', 'neutral', 'neutral', 'high', 'high']);
    expect(() => scoreBand(6, 'csat')).toThrow(/^scoreBand: score 6 is outside the csat scale/);
  });
});

/*
 * English hand case. Document frequencies (each term once per comment):
 *   low  (CSAT 1–2): "Late delivery" {late, delivery, late delivery}; "Late delivery again" {same};
 *                    "The delivery was late" {delivery, late}; "Rude support" {rude, support, rude support}
 *        late 3, delivery 3, late delivery 2, rude 1, support 1, rude support 1           → nLow  = 11
 *   high (CSAT 4–5): "Great support" {great, support, great support};
 *                    "Fast delivery, great price" {fast, delivery, fast delivery, great, price, great price};
 *                    "Great product" {great, product, great product}
 *        great 3, support 1, delivery 1, 9 other terms 1 each                                  → nHigh = 12
 *   prior αw = comments carrying w (all bands): late 3, delivery 4, late delivery 2, …      → α0 = 23
 *
 *   late:          δ = ln(6/(11+23−6)) − ln(3/(12+23−3)) = ln(6/28) − ln(3/32) = −1.540445 + 2.367124 = 0.826679
 *                  σ² = 1/6 + 1/3 = 0.5                       → z = 0.826679/0.707107 = 1.169100
 *   late delivery: δ = ln(4/30) − ln(2/33) = −2.014903 + 2.803360 = 0.788457
 *                  σ² = 1/4 + 1/2 = 0.75                      → z = 0.788457/0.866025 = 0.910432
 *   delivery:      δ = ln(7/27) − ln(5/30) = −1.349927 + 1.791759 = 0.441833
 *                  σ² = 1/7 + 1/5 = 0.342857                  → z = 0.441833/0.585540 = 0.754573
 *   rude, support: only 1 low comment (< minComments 2); great: 0 low comments.
 */
const english: ScoredComment[] = [
  { score: 1, scale: 'csat', comment: 'Late delivery' },
  { score: 2, scale: 'csat', comment: 'Late delivery again' },
  { score: 1, scale: 'csat', comment: 'The delivery was late' },
  { score: 2, scale: 'csat', comment: 'Rude support' },
  { score: 5, scale: 'csat', comment: 'Great support' },
  { score: 4, scale: 'csat', comment: 'Fast delivery, great price' },
  { score: 5, scale: 'csat', comment: 'Great product' },
];

describe('painPoints', () => {
  it('GIVEN "late delivery" dominating 1–2 scores THEN late, late delivery, delivery rank in that order with hand-computed z', () => {
    const points = painPoints(english, { minZ: 0 });
    expect(points.map((point) => point.term)).toEqual(['late', 'late delivery', 'delivery']);
    const [late, lateDelivery, delivery] = points;
    expect(late!.z).toBeCloseTo(1.1691, 4);
    expect(late!.logOdds).toBeCloseTo(0.826679, 5);
    expect(late).toMatchObject({ lowComments: 3, highComments: 0, comments: 3 });
    expect(lateDelivery!.z).toBeCloseTo(0.910432, 5);
    expect(delivery!.z).toBeCloseTo(0.754573, 5);
    expect(delivery).toMatchObject({ lowComments: 3, highComments: 1, comments: 4 });
  });

  it('GIVEN the same feedback five times over THEN the default z ≥ 1.96 keeps late and late delivery only', () => {
    // Every count ×5 leaves δ unchanged and divides σ by √5:
    //   late:          σ² = 1/30 + 1/15 = 0.1   → z = 0.826679/0.316228 = 2.614190
    //   late delivery: σ² = 1/20 + 1/10 = 0.15  → z = 0.788457/0.387298 = 2.035791
    //   delivery:      σ² = 1/35 + 1/25         → z = 0.441833/0.261861 = 1.687278 (< 1.96)
    //   rude:          δ = ln(2/32) − ln(1/34) = 0.753772, σ² = 1/10 + 1/5 → z = 1.376 (< 1.96)
    const fiveTimes = Array.from({ length: 5 }, () => english).flat();
    const points = painPoints(fiveTimes);
    expect(points.map((point) => [point.term, point.lowComments])).toEqual([
      ['late', 15],
      ['late delivery', 10],
    ]);
    expect(points[0]!.z).toBeCloseTo(2.61419, 4);
    expect(points[1]!.z).toBeCloseTo(2.035791, 4);
  });

  it('GIVEN a higher minimum of comments THEN terms voiced by fewer unhappy customers drop out', () => {
    expect(painPoints(english, { minZ: 0, minComments: 3 }).map((point) => point.term)).toEqual(['late', 'delivery']);
  });

  it('GIVEN 物流太慢 in low NPS comments THEN the phrase leads, 太慢 gives way to it, and 了 never appears', () => {
    // low (NPS 0–6): 物流太慢了 {物流, 太慢, 物流太慢}; 物流太慢，包装也破了 {物流, 太慢, 物流太慢, 包装, 破};
    //                物流太慢 {物流, 太慢, 物流太慢}                                          → nLow = 11
    // high (9–10):   质量很好，物流很快 {质量, 很好, 质量很好, 物流, 很快, 物流很快};
    //                价格便宜，质量不错 {价格, 便宜, 价格便宜, 质量, 不错, 质量不错}           → nHigh = 12
    // α0 = 23. 物流太慢: yLow 3, yHigh 0, α 3 — the same numbers as "late" above → z = 1.169100
    //          物流:     yLow 3, yHigh 1, α 4 — as "delivery"                       → z = 0.754573
    // 太慢 is in exactly the comments that say 物流太慢, so only the phrase is shown.
    const chinese: ScoredComment[] = [
      { score: 0, scale: 'nps', comment: '物流太慢了' },
      { score: 3, scale: 'nps', comment: '物流太慢，包装也破了' },
      { score: 6, scale: 'nps', comment: '物流太慢' },
      { score: 10, scale: 'nps', comment: '质量很好，物流很快' },
      { score: 9, scale: 'nps', comment: '价格便宜，质量不错' },
    ];
    const points = painPoints(chinese, { minZ: 0 });
    expect(points.map((point) => point.term)).toEqual(['物流太慢', '物流']);
    expect(points[0]!.z).toBeCloseTo(1.1691, 4);
    expect(points[0]).toMatchObject({ lowComments: 3, highComments: 0, comments: 3 });
    expect(points[1]!.z).toBeCloseTo(0.754573, 5);
  });

  it('GIVEN neutral scores and missing comments THEN neutral comments feed only the prior and blank ones are skipped', () => {
    // Adding a neutral "late delivery" (CSAT 3) raises α for late to 4 and α0 to 26:
    //   late: δ = ln(7/(11+26−7)) − ln(4/(12+26−4)) = ln(7/30) − ln(4/34) = −1.455287 + 2.140066 = 0.684779
    //         σ² = 1/7 + 1/4 = 0.392857 → z = 0.684779/0.626783 = 1.092529
    const withNeutral: ScoredComment[] = [
      ...english,
      { score: 3, scale: 'csat', comment: 'late delivery' },
      { score: 1, scale: 'csat' },
      { score: 1, scale: 'csat', comment: null },
    ];
    const late = painPoints(withNeutral, { minZ: 0 }).find((point) => point.term === 'late');
    expect(late!.z).toBeCloseTo(1.092529, 5);
    expect(late).toMatchObject({ lowComments: 3, highComments: 0, comments: 4 });
  });

  it('GIVEN a score off its scale THEN it throws naming painPoints', () => {
    expect(() => painPoints([{ score: 11, scale: 'nps', comment: 'x' }])).toThrow(/^painPoints: score 11 is outside the nps scale/);
  });
});
