// bin/pulse.mjs runs the commands that refresh in a child Node with larger semi-spaces (a V8 flag
// that only works at start-up): the child really gets the flag, a kill of the process a user or a
// supervisor knows (the parent), even SIGKILL, stops the child too, and an import that does not
// refresh, or one given the flag already, stays one process. Through the real binary and the kernel's process table (Linux).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-young-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const linux = existsSync('/proc/self/task');

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const cmdlineOf = (pid: number): string[] => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until<T>(what: string, fn: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** `pulse import orders -` waiting on its input: a command that refreshes after loading. */
function importFromStdin(extra: string[], store: string, stdin: 'pipe' | number = 'pipe', extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: join(dir, store), PULSE_LOG_LEVEL: 'warn' };
  delete env.NODE_OPTIONS;
  Object.assign(env, extraEnv);
  return spawn(process.execPath, [join(root, 'bin/pulse.mjs'), 'import', 'orders', '-', ...extra], { cwd: root, env, stdio: [stdin, 'ignore', 'ignore'] });
}
const exited = (p: ChildProcess) => new Promise<[number | null, NodeJS.Signals | null]>((r) => p.on('exit', (code, signal) => r([code, signal])));

describe.skipIf(!linux)('pulse with larger semi-spaces', () => {
  for (const kill of ['SIGTERM', 'SIGKILL'] as const) {
    it(`GIVEN an import that will refresh THEN it runs in a child given the flag, and ${kill} to the parent stops both`, async () => {
      // Input from a FIFO this test holds open: the child's input does not end when the parent dies
      // (a pipe from this process would close with the parent and end the import on its own).
      const fifo = join(dir, `orders-${kill}.fifo`);
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const input = openSync(fifo, 'r+');
      const parent = importFromStdin([], `${kill}.sqlite`, input);
      let child: number | undefined;
      try {
        const done = exited(parent);
        // Found between its fork and its exec, a child's command line reads empty: wait for the exec.
        child = await until('the child', () => childrenOf(parent.pid!).find((pid) => cmdlineOf(pid).includes('import')));
        const cmdline = cmdlineOf(child);
        expect(cmdline).toContain('--max-semi-space-size=64');
        expect(cmdline).toContain('--no-allocation-site-pretenuring');
        expect(cmdline).toContain('import');
        parent.kill(kill);
        const [, signal] = await done;
        expect(signal).toBe(kill);
        await until('the child to stop', () => (alive(child!) ? undefined : true), 10_000);
      } finally {
        if (child !== undefined && alive(child)) process.kill(child, 'SIGKILL');
        closeSync(input);
      }
    });
  }

  it('GIVEN NODE_OPTIONS giving the flag (either spelling) THEN the command runs as one process with it', async () => {
    const p = importFromStdin([], 'given.sqlite', 'pipe', { NODE_OPTIONS: '--max_semi_space_size=32' });
    const done = exited(p);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(childrenOf(p.pid!)).toEqual([]);
    p.stdin!.end('order_id,customer_id,ordered_at,amount\n');
    expect((await done)[0]).toBe(0);
  });

  it('GIVEN an import with --no-refresh THEN it stays one process, with the default semi-spaces, and finishes at the end of its input', async () => {
    const p = importFromStdin(['--no-refresh'], 'b.sqlite');
    const done = exited(p);
    // Long enough for a re-run to have started (the refreshing case above shows one within milliseconds).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(childrenOf(p.pid!)).toEqual([]);
    expect(readFileSync(`/proc/${p.pid}/cmdline`, 'utf8')).not.toContain('--max-semi-space-size');
    p.stdin!.end('order_id,customer_id,ordered_at,amount\n');
    const [code] = await done;
    expect(code).toBe(0);
  });
});
