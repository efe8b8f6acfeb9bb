// Source: common function-word lists (English after the NLTK/Snowball list; Chinese after the HIT/Baidu lists), trimmed to words that never carry a complaint.

/**
 * English function words, lower-case, with and without the apostrophe people skip in chat.
 * Negations are deliberately absent: see `NEGATIONS`.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being
  below between both but by can could did do does doing down during each else even ever every few
  for from further get gets got had has have having he her here hers herself him himself his how i
  if in into is it its itself just let me more most much must my myself now of off on once only or
  other others our ours ourselves out over own per quite rather really same she should so some such
  than that the their theirs them themselves then there these they this those through thus to too
  under until up upon us very via was we were what when where which while who whom whose why will
  with would yet you your yours yourself yourselves
  i'm i've i'd i'll im ive you're you've you'd you'll youre he's she's it's its that's thats there's
  theres here's what's whats who's let's lets we're we've we'd we'll they're they've they'd they'll
  theyre
  ok okay oh hi hello thanks thank please pls etc`
    .split(/\s+/u)
    .filter((word) => word.length > 0),
);

/**
 * Chinese function words: particles, pronouns, conjunctions, light adverbs and measure-like words
 * that `Intl.Segmenter` emits as words. Intensifiers fused into a word by the segmenter (太慢, 很好)
 * stay whole, so listing 很 or 太 here only drops them where they stand alone.
 */
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set(
  `的 了 是 我 你 您 他 她 它 我们 你们 他们 她们 它们 咱们 自己 这 那 这个 那个 这些 那些 这里 那里
  这样 那样 这么 那么 这种 那种 在 有 和 与 及 以及 或 或者 也 都 就 还 又 再 很 太 更 最 挺 真 啊 吗
  呢 吧 呀 哦 嗯 哈 啦 嘛 着 过 被 把 给 对 从 到 向 为 为了 以 之 而 而且 并 并且 但 但是 可是 不过
  因为 所以 如果 虽然 然后 还是 就是 一个 一些 一下 一点 一直 什么 怎么 怎样 为什么 已经 可以 会 能
  要 让 得 地 个 些 上 下 中 里 等 非常 比较 还有 其实 只 才 又是 只是 这次 那次 时候 有点 觉得`
    .split(/\s+/u)
    .filter((word) => word.length > 0),
);

/**
 * Negations. They are not themes on their own ("not" says nothing), but they are kept as the
 * first word of a phrase, because "not working", "never arrived" and 没有收到 are exactly the
 * complaints a pain-point list exists to find.
 */
export const NEGATIONS: ReadonlySet<string> = new Set(
  `not no never nor cannot can't don't doesn't didn't isn't wasn't aren't weren't won't wouldn't
  shouldn't couldn't haven't hasn't hadn't cant dont doesnt didnt isnt wasnt arent werent wont
  wouldnt shouldnt couldnt havent hasnt hadnt without
  不 没 没有 别 未 无 不是 不会 不能 不要 不太 并不`
    .split(/\s+/u)
    .filter((word) => word.length > 0),
);
