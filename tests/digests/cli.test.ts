// `pulse digest tick --now ISO --json`, in process (the CLI reads its configuration from the environment).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { digestCommand } from '../../src/cli/digest.ts';
import { openStore } from '../../src/db/store.ts';
import { subscribe } from './helpers/digests.ts';
import { createLogger } from '../../src/core/logger.ts';
import { loadConfig } from '../../src/core/config.ts';
import { fixedClock } from '../../src/core/time.ts';
import { testDatabase } from '../helpers/test-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'pulse-digest-cli-'));
const saved = { ...process.env };
const database = await testDatabase(dir);

beforeAll(async () => {
  Object.assign(process.env, { DATABASE_URL: database.url, PULSE_LOG_LEVEL: 'silent', PULSE_TIMEZONE: 'Europe/Berlin' });
  delete process.env.SLACK_BOT_TOKEN;
  delete process.env.DISCORD_TOKEN;
  const store = await openStore(database.url);
  await subscribe({ store, config: loadConfig(process.env), log: createLogger('silent'), clock: fixedClock('2026-11-01T00:00:00Z') }, { created_at: '2026-11-01T00:00:00Z', kind: 'satisfaction' });
  await store.close();
});
afterAll(async () => {
  process.env = saved;
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await digestCommand(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('pulse digest tick', () => {
  it('GIVEN a due console digest WHEN tick --now --json THEN stdout is one JSON report, the digest goes to stderr, and a second run does nothing', async () => {
    const first = await run(['tick', '--now', '2026-11-02T09:00:10+01:00', '--json']);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.now).toBe('2026-11-02T08:00:10.000Z');
    expect(report.deliveries).toMatchObject([{ subscriptionId: 1, kind: 'satisfaction', platform: 'console', periodKey: '2026-11-02T08:00:00.000Z', late: false, result: 'posted' }]);
    expect(first.stderr).toMatch(/── digest → console:console/);
    expect(first.stderr).toMatch(/Weekly satisfaction · week of 26 Oct 2026/);

    const again = await run(['tick', '--now', '2026-11-02T09:00:10+01:00', '--json']);
    expect(JSON.parse(again.stdout).deliveries).toEqual([]);
    const text = await run(['tick', '--now', '2026-11-02T09:30:00']);
    expect(text.stdout).toBe('Nothing due at 2026-11-02T08:30:00.000Z.\n');
  });

  it('GIVEN a bad --now or subcommand THEN a usage error', async () => {
    await expect(run(['tick', '--now', 'next monday'])).rejects.toThrow(/--now takes an ISO date-time/);
    await expect(run(['tock'])).rejects.toThrow(/usage: pulse digest tick/);
  });
});
