// Prints vitest's JSON results as the one line CI counts: "N passed, N failed, N skipped", summed
// over every report given (the SQLite pass and the PostgreSQL pass). A missing report is a failure.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  let r;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.log(`no test report at ${file}: ${err.message}`);
    failed += 1;
    continue;
  }
  const f = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // Per pass, in words CI does not count; the last line is the one it does.
  console.log(`${file}: ${r.numPassedTests} ok, ${f} failing, ${s} not run`);
  if (r.numPassedTests === 0) failed += 1;
  passed += r.numPassedTests;
  failed += f;
  skipped += s;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
