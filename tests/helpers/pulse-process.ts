// The real `pulse` binary in a child process, asynchronously, so a test can run several at once
// against one store (what replicas do).
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface PulseRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pulse ARGS` with `env` (on top of this process's, chat credentials removed), feeding `input` on stdin. */
export function runPulse(args: string[], env: Record<string, string>, input = ''): Promise<PulseRun> {
  const full: NodeJS.ProcessEnv = { ...process.env, PULSE_LOG_LEVEL: 'info', ...env };
  for (const k of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN']) if (!(k in env)) delete full[k];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/pulse.mjs'), ...args], { cwd: repoRoot, env: full, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
