// Worker thread: the refresh's holdout (every model fitted on a sample's calibration period and
// scored on the days after), while the refresh fits today's models on the main thread.
import { workerData } from 'node:worker_threads';
import { replyOnce } from '../core/threads.ts';
import { runHoldoutOnSample, toWire, type HoldoutRequest } from './holdout-step.ts';

const { sample, total, asOfDay, days } = workerData as HoldoutRequest;
await replyOnce(() => toWire(runHoldoutOnSample(sample, total, asOfDay, days)));
