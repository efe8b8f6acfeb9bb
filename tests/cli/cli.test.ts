// End to end through the real `pulse` binary, as a newcomer runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/test-database.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-cli-'));
const database = await testDatabase(dir);
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, PULSE_LOG_LEVEL: 'warn' };
delete env.SLACK_BOT_TOKEN;
delete env.DISCORD_TOKEN;
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

function pulse(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(root, 'bin/pulse.mjs'), ...args], { cwd: root, env, input: input ?? '', encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pulse CLI', () => {
  it('GIVEN an empty store WHEN commands are piped into start THEN it seeds demo data, answers each line and exits 0 at EOF', () => {
    const r = pulse(['start'], '/customer C00007\n/customer zzzqqq\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Customer id\s+C00007/);
    expect(r.stdout).toMatch(/Lifetime revenue/);
    expect(r.stdout).toMatch(/No customer matches/);
  });

  it('GIVEN the seeded store WHEN ask --format json THEN stdout is exactly one Reply document', () => {
    const r = pulse(['ask', '/customer C00007', '--format', 'json']);
    expect(r.status).toBe(0);
    const reply = JSON.parse(r.stdout);
    expect(reply.visibility).toBe('private');
    expect(reply.fields.find((f: { label: string }) => f.label === 'Customer id').value).toBe('C00007');
  });

  it('GIVEN a file with a bad row WHEN import --json THEN the summary is JSON and the exit status says a row was rejected', () => {
    const f = join(dir, 'orders.csv');
    writeFileSync(f, 'order_id,customer_id,ordered_at,amount\nX1,C00007,2026-01-02,10\nX2,C00007,2026-01-0x,10\n');
    const r = pulse(['import', 'orders', f, '--json']);
    expect(r.status).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(s.inserted).toBe(1);
    expect(s.problems).toEqual([{ line: 3, field: 'ordered_at', code: 'not-a-date', reason: expect.stringContaining('not a date') }]);
  });

  it('GIVEN a bad subcommand or option THEN exit 2 with usage on stderr', () => {
    expect(pulse(['frobnicate']).status).toBe(2);
    const r = pulse(['demo', '--customers', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--customers must be a whole number/);
  });
});
