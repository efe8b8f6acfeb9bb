import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';

const niceOfThreads = (nice: number): number[] =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/report-nice.ts'), String(nice)], { encoding: 'utf8' }));

describe('batch jobs yield the CPU to the bot', () => {
  it.skipIf(!existsSync('/proc/self/task'))('GIVEN a batch job WHEN it lowers its priority THEN every thread runs at it, V8\'s own and those started after', () => {
    const base = JSON.parse(execFileSync(process.execPath, ['-e', "process.stdout.write(JSON.stringify(require('os').getPriority()))"], { encoding: 'utf8' })) as number;
    const threads = niceOfThreads(10);
    expect(threads.length).toBeGreaterThan(3);
    expect(new Set(threads)).toEqual(new Set([Math.min(19, base + 10)]));
  });

  it.skipIf(!existsSync('/proc/self/task'))('GIVEN PULSE_BATCH_NICE=0 THEN the priority is left as it was', () => {
    const base = JSON.parse(execFileSync(process.execPath, ['-e', "process.stdout.write(JSON.stringify(require('os').getPriority()))"], { encoding: 'utf8' })) as number;
    expect(new Set(niceOfThreads(0))).toEqual(new Set([base]));
  });

  it('GIVEN PULSE_BATCH_NICE THEN it is read as 0–19, 10 when unset', () => {
    expect(loadConfig({}).batchNice).toBe(10);
    expect(loadConfig({ PULSE_BATCH_NICE: '0' }).batchNice).toBe(0);
    expect(loadConfig({ PULSE_BATCH_NICE: '' }).batchNice).toBe(10);
    expect(() => loadConfig({ PULSE_BATCH_NICE: '25' })).toThrow(/PULSE_BATCH_NICE/);
  });
});
