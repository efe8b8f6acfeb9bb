// Worker thread: the refresh's holdout (every model fitted on a sample's calibration period and
// scored on the days after), while the refresh fits today's models on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runHoldoutOnSample, toWire, type HoldoutReply, type HoldoutRequest } from './holdout-step.ts';

const { sample, total, asOfDay, days } = workerData as HoldoutRequest;
let reply: HoldoutReply;
try {
  const t0 = performance.now();
  const result = toWire(runHoldoutOnSample(sample, total, asOfDay, days));
  reply = { result, ms: Math.round(performance.now() - t0) };
} catch (err) {
  reply = { failed: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(reply);
