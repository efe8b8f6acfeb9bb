// The feedback modal's view and the reading of a submission. Pure.
import { describe, expect, it } from 'vitest';
import { CUSTOMER_PICKER_ACTION, customerOption, errorsFromArgsMessage, feedbackModal, readFeedbackSubmission, readModalMetadata } from '../../../src/adapters/slack/feedback-modal.ts';
import { SLACK_LIMITS } from '../../../src/adapters/slack/limits.ts';
import { routeSlashCommand } from '../../../src/adapters/slack/slack-handlers.ts';
import { defineCommand, type CommandDef } from '../../../src/core/command.ts';
import { Registry } from '../../../src/core/registry.ts';
import { textReply } from '../../../src/core/reply.ts';
import { z } from 'zod';

const values = (o: { customer?: string; scale?: string; score?: string; comment?: string }) => ({
  customer: { [CUSTOMER_PICKER_ACTION]: { selected_option: o.customer ? { value: o.customer } : null } },
  scale: { value: { selected_option: o.scale ? { value: o.scale } : null } },
  score: { value: { value: o.score ?? null } },
  comment: { value: { value: o.comment ?? null } },
});

describe('feedback modal', () => {
  it('GIVEN a customer THEN the picker starts on it and the labels fit Slack', () => {
    const view = feedbackModal({ customer: { customer_id: 'C1', name: 'Ann Lee', company: 'Acme' }, metadata: { channel: 'C9' } });
    expect(view.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
    expect(view.submit!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
    expect((view.blocks[0] as any).element.initial_option).toEqual({ text: { type: 'plain_text', text: 'Ann Lee · Acme (C1)', emoji: false }, value: 'C1' });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channel: 'C9' });
  });

  it('GIVEN a very long name or an id longer than an option value THEN the option is cut to 75 characters or left out', () => {
    expect(customerOption({ customer_id: 'C1', name: 'N'.repeat(200), company: null })!.text.text).toHaveLength(75);
    expect(customerOption({ customer_id: 'x'.repeat(151), name: 'A', company: null })).toBeUndefined();
  });

  it('GIVEN a complete submission THEN /feedback arguments with the score as typed and no empty comment', () => {
    expect(readFeedbackSubmission(values({ customer: 'C1', scale: 'nps', score: '10', comment: '  loves it ' }))).toEqual({ ok: true, args: { customer: 'C1', scale: 'nps', score: '10', comment: 'loves it' } });
    expect(readFeedbackSubmission(values({ customer: 'C1', scale: 'csat', score: '4' }))).toEqual({ ok: true, args: { customer: 'C1', scale: 'csat', score: '4' } });
  });

  it('GIVEN missing or out-of-range answers THEN one error per input, in words', () => {
    expect(readFeedbackSubmission(values({}))).toEqual({
      ok: false,
      errors: { customer: 'Pick a customer: type part of a name, company, email or id.', scale: 'Choose CSAT or NPS.', score: 'Enter a whole number.' },
    });
    expect(readFeedbackSubmission(values({ customer: 'C1', scale: 'csat', score: '0' }))).toEqual({ ok: false, errors: { score: 'CSAT scores go from 1 to 5.' } });
    expect(readFeedbackSubmission(values({ customer: 'C1', scale: 'nps', score: '11' }))).toEqual({ ok: false, errors: { score: 'NPS scores go from 0 to 10.' } });
    expect(readFeedbackSubmission(values({ customer: 'C1', scale: 'nps', score: '7.5' }))).toMatchObject({ ok: false, errors: { score: 'Enter a whole number.' } });
  });

  it('GIVEN the registry\'s argument errors THEN they land beside the input they are about', () => {
    expect(errorsFromArgsMessage('`score`: Too big: expected number to be <=5; `comment`: too long')).toEqual({ score: 'Too big: expected number to be <=5', comment: 'too long' });
    expect(errorsFromArgsMessage('9 is outside the CSAT scale 1–5.')).toEqual({ score: '9 is outside the CSAT scale 1–5.' });
    expect(errorsFromArgsMessage('say which customer')).toEqual({ customer: 'say which customer' });
  });

  it('GIVEN metadata that is not ours THEN it reads as empty', () => {
    expect(readModalMetadata('not json')).toEqual({});
    expect(readModalMetadata(undefined)).toEqual({});
    expect(readModalMetadata('{"channel":"C1"}')).toEqual({ channel: 'C1' });
  });
});

describe('routeSlashCommand', () => {
  const cmd = (name: string) => defineCommand({ name, description: name, usage: `/${name}`, args: z.object({}), role: 'rep', run: async () => textReply(name) }) as unknown as CommandDef;

  it('GIVEN /customer, /pulse customer and /pulse-status THEN the registry command each one means', () => {
    const registry = new Registry([cmd('customer'), cmd('status')]);
    expect(routeSlashCommand(registry, '/customer', 'acme')).toEqual({ name: 'customer', argsText: 'acme' });
    expect(routeSlashCommand(registry, '/pulse', 'customer acme corp')).toEqual({ name: 'customer', argsText: 'acme corp' });
    expect(routeSlashCommand(registry, '/pulse-status', 'x')).toEqual({ name: 'status', argsText: 'x' });
    expect(routeSlashCommand(registry, '/nope', 'x')).toEqual({ name: 'nope', argsText: 'x' });
  });

  it('GIVEN a registry with its own /pulse command THEN /pulse model goes to it and /pulse customer still routes', () => {
    const registry = new Registry([cmd('customer'), cmd('pulse')]);
    expect(routeSlashCommand(registry, '/pulse', 'model')).toEqual({ name: 'pulse', argsText: 'model' });
    expect(routeSlashCommand(registry, '/pulse', 'customer acme')).toEqual({ name: 'customer', argsText: 'acme' });
  });
});
