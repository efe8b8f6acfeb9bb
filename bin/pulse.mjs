#!/usr/bin/env node
// The `pulse` command. Runs the bundle in dist/ when it is newer than every source file (fast
// start-up); otherwise runs the TypeScript sources through tsx's loader (always correct).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(join(root, 'dist/pulse.js')).mtimeMs >= newestSource(join(root, 'src'));
  } catch {
    return false;
  }
}

let main;
if (process.env.PULSE_FROM_SOURCE !== '1' && bundleIsFresh()) {
  ({ main } = await import('../dist/pulse.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
