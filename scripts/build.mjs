// Bundles the TypeScript sources into dist/ (run by `npm ci` through "prepare", and `npm run build`),
// so `pulse` starts without compiling ~150 modules on every run. bin/pulse.mjs uses dist/ only while
// it is newer than every source file; otherwise it runs the sources through tsx. A failed build is
// reported and never fails the install: the sources still run.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  const esbuild = await import('esbuild');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { pulse: 'src/cli/main.ts', 'parse-worker': 'src/importer/parse-worker.ts', 'basket-worker': 'src/refresh/basket-worker.ts', 'holdout-worker': 'src/refresh/holdout-worker.ts', 'churn-backtest-worker': 'src/refresh/churn-backtest-worker.ts', 'derived-writer-worker': 'src/db/derived-writer-worker.ts', 'command-worker': 'src/app/command-worker.ts', 'checkpoint-worker': 'src/db/checkpoint-worker.ts', 'orders-read-worker': 'src/db/orders-read-worker.ts', 'page-warmup-worker': 'src/db/page-warmup-worker.ts' },
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: '[name]-[hash]',
    logLevel: 'warning',
  });
  console.log('pulse: built dist/');
} catch (err) {
  console.warn(`pulse: could not build dist/ (${err instanceof Error ? err.message : err}); the TypeScript sources will run directly.`);
}
