// The bot as a real process: what used to kill it (a signed `payload=null`, a JSON `null`, a command
// given twice) gets a 4xx and it goes on serving; and whatever escapes every handler is caught by
// the process-level last line of defence, logged with an incident id, and the process lives.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, slashCommandBody, startFakeSlack, type FakeSlack } from './slack/helpers/fake-slack.ts';
import { testDatabase } from '../helpers/test-database.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-survives-'));
// SQLite in the folder, or a schema of its own with PULSE_TEST_DATABASE_URL.
const database = await testDatabase(dir);
const SECRET = 'survives-secret';
let slack: FakeSlack;
let bot: ChildProcess;
let stderr = '';

beforeAll(async () => {
  slack = await startFakeSlack();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    PULSE_LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    SLACK_BOT_TOKEN: 'xoxb-survives',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
  };
  for (const k of ['SLACK_APP_TOKEN', 'DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'PULSE_ADMINS']) delete env[k];
  bot = spawn(process.execPath, [join(root, 'bin/pulse.mjs'), 'start'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  bot.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
}, 30_000);

afterAll(async () => {
  if (bot.exitCode === null) {
    bot.kill('SIGTERM');
    await new Promise((r) => bot.once('exit', r));
  }
  await slack?.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function eventsUrl(): Promise<string> {
  const until = Date.now() + 60_000;
  for (;;) {
    const m = /http:\/\/127\.0\.0\.1:(\d+)\/slack\/events/.exec(stderr);
    if (m) return `http://127.0.0.1:${m[1]}/slack/events`;
    if (Date.now() > until || bot.exitCode !== null) throw new Error(`no Slack endpoint; log:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the bot process under hostile Slack requests', () => {
  it('GIVEN the bodies that used to kill it THEN each gets a 4xx and the process still answers /help', async () => {
    const url = await eventsUrl();
    const hostile: [string, string][] = [
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['null', 'application/json'],
      [`${slashCommandBody({ command: '/help' })}&command=%2Fcustomer`, 'application/x-www-form-urlencoded'],
      ['payload=%7B%22type%22%3A%22block_actions%22%7D', 'application/x-www-form-urlencoded'],
    ];
    for (const [body, contentType] of hostile) {
      const res = await postSigned(url, SECRET, body, { contentType });
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.status, body).toBeLessThan(500);
    }
    const help = await postSigned(url, SECRET, slashCommandBody({ command: '/help', response_url: slack.responseUrl('alive') }));
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.json.blocks)).toContain('Pulse commands');
    expect(bot.exitCode).toBeNull();
  }, 60_000);
});

describe('the last line of defence', () => {
  it('GIVEN an unhandled rejection and an exception thrown from a timer THEN both are logged with incident ids and the process goes on', () => {
    const script = `
      import { installLastLineOfDefence } from ${JSON.stringify(join(root, 'src/adapters/bot.ts'))};
      import { createLogger } from ${JSON.stringify(join(root, 'src/core/logger.ts'))};
      installLastLineOfDefence({ log: createLogger('info') });
      Promise.reject(new Error('nobody awaited me'));
      setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
      setTimeout(() => { process.stdout.write('still alive\\n'); }, 200);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('still alive\n');
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; incidentId?: string; error?: { message: string } });
    expect(lines.map((l) => l.error?.message).sort()).toEqual(['nobody awaited me', 'thrown from a timer']);
    expect(lines.every((l) => /^[0-9a-f]{8}$/.test(l.incidentId ?? ''))).toBe(true);
  }, 30_000);
});
