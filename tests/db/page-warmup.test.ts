// The page-cache warm-up beside a large store's snapshot read: the store's files are cut into runs
// of about equal bytes that together cover each file exactly once, each run is read by a thread of
// its own (the byte counts show what it read), a plan its probes find cached is not read again, a
// failure comes back as words instead of failing the refresh it only speeds up, and stopping ends
// threads still reading. The reads below count no page as cached (threshold 0), or every page
// (Infinity): how fast a page comes back on a test machine decides nothing here.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/core/threads.ts';
import { looksCached, PROBES_PER_PLAN, WARMUP_NICE, warmPages, warmupPlans, type WarmupPlan } from '../../src/db/page-warmup.ts';

let dir: string;
const files: string[] = [];
const sizes = [5_000_001, 17, 2_345_678];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pulse-warmup-'));
  sizes.forEach((size, k) => {
    const file = join(dir, `f${k}`);
    writeFileSync(file, Buffer.alloc(size, k + 1));
    files.push(file);
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes of each file the plans cover, checking no byte twice and runs in file order. */
function covered(plans: readonly WarmupPlan[]): Map<string, number> {
  const byFile = new Map<string, { from: number; to: number }[]>();
  for (const plan of plans) for (const s of plan) (byFile.get(s.file) ?? byFile.set(s.file, []).get(s.file)!).push(s);
  const out = new Map<string, number>();
  for (const [file, slices] of byFile) {
    let at = 0;
    for (const s of slices) {
      expect(s.from).toBe(at); // contiguous, no overlap, no gap
      expect(s.to).toBeGreaterThan(s.from);
      at = s.to;
    }
    out.set(file, at);
  }
  return out;
}

describe('warm-up plans', () => {
  it('GIVEN three files and a missing one THEN three runs of about equal bytes cover each existing file once', () => {
    const plans = warmupPlans([...files, join(dir, 'no-such-wal')], 3, 1e12);
    expect(plans).toHaveLength(3);
    expect(covered(plans)).toEqual(new Map(files.map((f, k) => [f, sizes[k]!])));
    const total = sizes.reduce((a, b) => a + b, 0);
    for (const plan of plans) {
      const bytes = plan.reduce((sum, s) => sum + s.to - s.from, 0);
      expect(Math.abs(bytes - total / 3)).toBeLessThan(2);
    }
  });

  it('GIVEN files larger than the memory budget, or nothing to read THEN no warm-up', () => {
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(warmupPlans(files, 3, total - 1)).toEqual([]);
    expect(warmupPlans(files, 3, total)).toHaveLength(3);
    expect(warmupPlans([join(dir, 'none')], 3, 1e12)).toEqual([]);
  });

  it('GIVEN more threads than bytes THEN only runs with something to read', () => {
    const small = join(dir, 'small');
    writeFileSync(small, 'ab');
    const plans = warmupPlans([small], 5, 1e12);
    expect(covered(plans)).toEqual(new Map([[small, 2]]));
    expect(plans.length).toBeLessThanOrEqual(2);
  });
});

describe('a plan is cached', () => {
  it('GIVEN the times of its probes THEN it is when all but one are under the threshold, and never without probes', () => {
    expect(looksCached([3, 2.5, 4, 5])).toBe(true);
    expect(looksCached([3, 2.5, 110, 5])).toBe(true); // one probe that lost its core
    expect(looksCached([3, 48, 110, 5])).toBe(false);
    expect(looksCached([3, 48, 110, 5], 25, 2)).toBe(true);
    expect(looksCached([30, 48, 110, 5], 25, 2)).toBe(false);
    expect(looksCached([50, 48, 60, 52])).toBe(false);
    expect(looksCached([])).toBe(false);
    expect(looksCached([3, 2.5, 4, 5], 0)).toBe(false);
    expect(looksCached([50, 48, 60, 52], Infinity)).toBe(true);
  });
});

describe('warming the pages', () => {
  it('WHEN the plans are read THEN each thread reads its bytes, all of them in all', async () => {
    const plans = warmupPlans(files, 3, 1e12);
    const { done, stop } = warmPages(plans, 0);
    const read = await done;
    await stop();
    expect(read).toEqual(plans.map((p) => p.reduce((sum, s) => sum + s.to - s.from, 0)));
    expect((read as number[]).reduce((a, b) => a + b, 0)).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it('WHEN a file shrank or went away after planning THEN the thread reads what is there', async () => {
    const shrinking = join(dir, 'shrinking');
    const gone = join(dir, 'gone');
    writeFileSync(shrinking, Buffer.alloc(1_000_000));
    writeFileSync(gone, Buffer.alloc(10));
    const plans = warmupPlans([shrinking, gone], 1, 1e12);
    writeFileSync(shrinking, Buffer.alloc(1_000));
    rmSync(gone);
    const { done, stop } = warmPages(plans, 0);
    expect(await done).toEqual([1_000]);
    await stop();
  });

  it('WHEN a warm-up cannot read THEN it says why and the others still finish', async () => {
    const { done, stop } = warmPages([[{ file: dir, from: 0, to: 10 }], [{ file: files[1]!, from: 0, to: 17 }]], 0); // a directory cannot be read
    const [failed, counted] = await done;
    await stop();
    expect(failed).toMatch(/EISDIR|directory/);
    expect(counted).toBe(17);
  });

  it('WHEN every probe finds its page cached THEN a plan is not read, unless it is too small to probe', async () => {
    const plans = [...warmupPlans(files, 2, 1e12), [{ file: files[1]!, from: 0, to: 17 }]];
    const { done, stop, started } = warmPages(plans, Infinity);
    const read = await done;
    await stop();
    expect(plans.slice(0, 2).every((p) => p.reduce((sum, s) => sum + s.to - s.from, 0) >= PROBES_PER_PLAN * 4096)).toBe(true);
    expect(read).toEqual([0, 0, 17]);
    // The plans found cached start no thread.
    expect(started).toBe(1);
  });

  it('WHEN the warm-up is stopped at once THEN its threads end and it settles', async () => {
    const { done, stop } = warmPages(warmupPlans(files, 3, 1e12));
    await stop();
    expect(await done).toHaveLength(3);
    expect(statSync(files[0]!).size).toBe(sizes[0]); // read only
  });

  it.skipIf(process.platform !== 'linux')('WHEN a helper thread sets its nice value THEN it runs at it (raising only with the right to), and the rest of the process keeps its own', async () => {
    const before = getPriority();
    const worker = startWorker(new URL('./fixtures/niced-thread.ts', import.meta.url), 'niced-thread', {}, import.meta.url);
    const seen = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    const mayRaise = process.getuid?.() === 0;
    expect(seen).toBe(before <= WARMUP_NICE || mayRaise ? WARMUP_NICE : before);
    expect(getPriority()).toBe(before);
  });

  it.skipIf(process.platform !== 'linux')('WHEN a helper thread lowers its priority by a step THEN it runs that much below the process (19 at most), and the process keeps its own', async () => {
    const before = getPriority();
    for (const step of [3, 40]) {
      const worker = startWorker(new URL('./fixtures/niced-thread.ts', import.meta.url), 'niced-thread', { step }, import.meta.url);
      const seen = await new Promise<number>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      expect(seen).toBe(Math.min(19, before + step));
    }
    expect(getPriority()).toBe(before);
  });
});
