// Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit) and the narrower sizes we
// choose so answers read well on a phone. Exceeding a Slack limit makes the whole message fail with
// `invalid_blocks`; the renderer truncates instead and says "showing N of M".

export const SLACK_LIMITS = Object.freeze({
  /** Blocks in one message. */
  blocksPerMessage: 50,
  /** `text` of a section block (and of a context element). */
  sectionText: 3000,
  /** `fields` of one section block. */
  fieldsPerSection: 10,
  /** One entry of a section's `fields`. */
  fieldText: 2000,
  /** A header block: plain_text only. */
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** Elements of one actions block. */
  elementsPerActions: 25,
  /** Elements of one context block. */
  elementsPerContext: 10,
  /** The message's top-level `text` (notifications, screen readers). Slack allows more; we keep it short. */
  notificationText: 3000,
  /** Option text in a select menu, and option value. */
  optionText: 75,
  optionValue: 150,
  /** Options one block_suggestion answer may carry. */
  optionsPerMenu: 100,
  /** Modal title / submit / close labels. */
  modalTitle: 24,
  /** A modal's private_metadata. */
  privateMetadata: 3000,
  /** Slash command names: lowercase letters, digits, `-` and `_`. */
  commandName: 32,
});

/** Our own choices, for readability on a phone (not Slack's limits). */
export const SLACK_LAYOUT = Object.freeze({
  /** A table whose rows fit this many monospace columns is a code block; wider tables become lists. */
  codeTableWidth: 40,
  /** Rows shown per table before "showing N of M rows". */
  tableRows: 30,
  /** A cell in a list-style table is cut to this many characters. */
  listCellChars: 80,
  /** Points shown per chart series (the most recent). */
  chartPoints: 12,
  /** Width of the text bars drawn for a chart. */
  chartBarWidth: 16,
  /** Actions blocks per message (25 buttons each). */
  actionsBlocks: 2,
});
