// Checks a Slack message against Slack's limits; returns every violation found (empty = fine).
import { SLACK_LIMITS } from '../../../../src/adapters/slack/limits.ts';
import { MESSAGE_TEXT_BUDGET, textLength } from '../../../../src/adapters/slack/render-blocks.ts';

export function slackLimitViolations(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  const text = message.text;
  if (typeof text !== 'string' || text.trim() === '') problems.push('no notification text');
  else if (text.length > SLACK_LIMITS.notificationText) problems.push(`notification text ${text.length} > ${SLACK_LIMITS.notificationText}`);
  const blocks = (message.blocks ?? []) as any[];
  if (!Array.isArray(blocks)) return [...problems, 'blocks is not an array'];
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) problems.push(`${blocks.length} blocks > ${SLACK_LIMITS.blocksPerMessage}`);
  if (textLength(blocks) > MESSAGE_TEXT_BUDGET + 1_000) problems.push(`block text ${textLength(blocks)} over the cumulative budget`);
  const actionIds = new Set<string>();
  blocks.forEach((b, i) => {
    const at = `block ${i} (${b.type})`;
    switch (b.type) {
      case 'header':
        if (b.text?.type !== 'plain_text') problems.push(`${at}: header text must be plain_text`);
        if (!b.text?.text || b.text.text.length > SLACK_LIMITS.headerText) problems.push(`${at}: header text length ${b.text?.text?.length}`);
        break;
      case 'section':
        if (!b.text && !b.fields) problems.push(`${at}: section with neither text nor fields`);
        if (b.text && (!b.text.text || b.text.text.length > SLACK_LIMITS.sectionText)) problems.push(`${at}: section text length ${b.text.text?.length}`);
        if (b.fields) {
          if (b.fields.length > SLACK_LIMITS.fieldsPerSection) problems.push(`${at}: ${b.fields.length} fields`);
          for (const f of b.fields) if (!f.text || f.text.length > SLACK_LIMITS.fieldText) problems.push(`${at}: field text length ${f.text?.length}`);
        }
        break;
      case 'context':
        if (!b.elements?.length || b.elements.length > SLACK_LIMITS.elementsPerContext) problems.push(`${at}: ${b.elements?.length} context elements`);
        for (const e of b.elements ?? []) if (e.text !== undefined && (!e.text || e.text.length > SLACK_LIMITS.sectionText)) problems.push(`${at}: context text length ${e.text?.length}`);
        break;
      case 'actions':
        if (!b.elements?.length || b.elements.length > SLACK_LIMITS.elementsPerActions) problems.push(`${at}: ${b.elements?.length} elements`);
        for (const e of b.elements ?? []) {
          if (e.type === 'button') {
            if (!e.text?.text || e.text.text.length > SLACK_LIMITS.buttonText) problems.push(`${at}: button text length ${e.text?.text?.length}`);
            if (e.value !== undefined && e.value.length > SLACK_LIMITS.buttonValue) problems.push(`${at}: button value length ${e.value.length}`);
          }
          if (!e.action_id || e.action_id.length > SLACK_LIMITS.actionId) problems.push(`${at}: action_id ${e.action_id}`);
          if (actionIds.has(e.action_id)) problems.push(`${at}: duplicate action_id ${e.action_id}`);
          actionIds.add(e.action_id);
        }
        break;
      case 'divider':
        break;
      default:
        problems.push(`${at}: unexpected block type`);
    }
  });
  return problems;
}
