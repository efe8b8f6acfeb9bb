// `pulse refresh --holdout-days N` and `pulse model --json` through the real binary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/test-database.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-holdout-cli-'));
const database = await testDatabase(dir);
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, PULSE_LOG_LEVEL: 'warn' };
delete env.SLACK_BOT_TOKEN;
delete env.DISCORD_TOKEN;
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

function pulse(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/pulse.mjs'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pulse refresh --holdout-days', () => {
  it('GIVEN a demo store WHEN refreshed with a 60-day holdout THEN refresh --json and model --json both carry it', () => {
    expect(pulse(['demo', '--customers', '400']).status).toBe(0);
    const refreshed = pulse(['refresh', '--holdout-days', '60', '--json']);
    expect(refreshed.status).toBe(0);
    const card = JSON.parse(refreshed.stdout);
    expect(card.holdout.days).toBe(60);
    expect(Object.keys(card.holdout.models).sort()).toEqual(['bgnbd', 'mbgnbd', 'paretoNbd']);
    expect(card.holdout.rows.length).toBeGreaterThan(3);
    expect(card.holdout.chosen).toBe(card.pAlive.chosen);
    const model = pulse(['model', '--json']);
    expect(model.status).toBe(0);
    expect(JSON.parse(model.stdout).holdout).toEqual(card.holdout);
    const text = pulse(['model']);
    expect(text.stdout).toMatch(/Holdout: fitted to \d{4}-\d{2}-\d{2}, scored on the 60 days to/);
  });

  it('GIVEN a holdout that is not a whole number of days THEN exit 2 with the reason', () => {
    for (const bad of ['0', '2.5']) {
      const r = pulse(['refresh', '--holdout-days', bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--holdout-days takes a whole number of days/);
    }
  });
});
