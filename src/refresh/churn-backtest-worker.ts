// Worker thread: the refresh's churn backtest (weights fitted on a sample's history before a cutoff
// and judged on what followed), while the refresh computes spend, CLV, RFM and clusters.
import { parentPort, workerData } from 'node:worker_threads';
import { calibrateOnSample, type BacktestReply, type BacktestRequest } from './churn-backtest.ts';

const { h, feedback, asOfDay, horizonDays, seed, pAliveFrom } = workerData as BacktestRequest;
let reply: BacktestReply;
try {
  const t0 = performance.now();
  const calibration = calibrateOnSample(h, feedback, asOfDay, horizonDays, seed, pAliveFrom);
  reply = { calibration, ms: Math.round(performance.now() - t0) };
} catch (err) {
  reply = { failed: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(reply);
