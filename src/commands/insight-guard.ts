// Moved to src/reports/live-run.ts; commands declare `requires: ['insights']` instead.
export { asOfFooter, requireLiveRun as requireRun } from '../reports/live-run.ts';
