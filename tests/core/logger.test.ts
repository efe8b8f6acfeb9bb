// What reaches the log: at info level and above, never what was typed or answered; an unexpected
// failure is logged under the incident id the person is told, on every line about it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCommand, type CommandDef } from '../../src/core/command.ts';
import { createLogger, REDACTED } from '../../src/core/logger.ts';
import { Registry } from '../../src/core/registry.ts';
import { consoleCall, makeTestContext, rep, type TestContext } from '../helpers/context.ts';

const SECRET = 'ann.secret@example.com +44 20 7946 0958';

const broken = defineCommand({
  name: 'broken',
  description: 'Fails with what it was given',
  usage: '/broken TEXT',
  args: z.object({ text: z.string().describe('anything') }),
  positional: ['text'],
  rest: true,
  role: 'rep',
  async run() {
    throw new Error('the store is on fire');
  },
}) as unknown as CommandDef;

const echo = defineCommand({
  name: 'echo',
  description: 'Answers with what it was given',
  usage: '/echo TEXT',
  args: z.object({ text: z.string().describe('anything') }),
  positional: ['text'],
  rest: true,
  role: 'rep',
  async run({ text }) {
    return { text: `You said ${text}`, visibility: 'private' as const };
  },
}) as unknown as CommandDef;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await makeTestContext();
});
afterAll(async () => ctx.cleanup());

function capture(level: 'debug' | 'info') {
  const lines: string[] = [];
  return { lines, log: createLogger(level, (l) => lines.push(l)) };
}

describe('logs', () => {
  it('GIVEN a command that fails at info level THEN the line carries the incident id the person was told, and none of the arguments', async () => {
    const { lines, log } = capture('info');
    const reply = await new Registry([broken]).run(`/broken ${SECRET}`, consoleCall(rep), { ...ctx, log });
    const incident = reply.error?.incidentId;
    expect(incident).toMatch(/^[0-9a-f]{8}$/);
    expect(reply.text).toContain(incident);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failure = entries.find((e) => e.msg === 'command failed');
    expect(failure).toMatchObject({ level: 'error', incidentId: incident, command: 'broken', actor: rep.id });
    expect((failure!.error as { message: string }).message).toBe('the store is on fire');
    for (const l of lines) {
      expect(l).not.toContain('ann.secret');
      expect(l).not.toContain('7946');
    }
  });

  it('GIVEN a command that answers THEN neither the question nor the answer is logged above debug; at debug both may be', async () => {
    const info = capture('info');
    await new Registry([echo]).run(`/echo ${SECRET}`, consoleCall(rep), { ...ctx, log: info.log });
    expect(info.lines.join('\n')).not.toContain('ann.secret');
    const debug = capture('debug');
    await new Registry([broken]).run(`/broken ${SECRET}`, consoleCall(rep), { ...ctx, log: debug.log });
    expect(debug.lines.join('\n')).toContain('ann.secret');
  });

  it('GIVEN fields that carry what people typed or were shown THEN they are redacted wherever they sit', () => {
    const { lines, log } = capture('info');
    log.warn('something', { text: SECRET, reply: { title: SECRET }, nested: { body: SECRET, deeper: { comment: SECRET } }, email: SECRET, count: 3 });
    const e = JSON.parse(lines[0]!);
    expect(e).toMatchObject({ text: REDACTED, reply: REDACTED, nested: { body: REDACTED, deeper: { comment: REDACTED } }, email: REDACTED, count: 3 });
    expect(lines[0]).not.toContain('ann.secret');
  });

  it('GIVEN a child logger THEN every line carries its bindings', () => {
    const { lines, log } = capture('info');
    const child = log.child!({ incidentId: 'abcd1234' });
    child.error('first');
    child.info('second', { step: 2 });
    expect(lines.map((l) => JSON.parse(l).incidentId)).toEqual(['abcd1234', 'abcd1234']);
  });
});
