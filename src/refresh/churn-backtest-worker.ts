// Worker thread: the refresh's churn backtest (weights fitted on a sample's history before a cutoff
// and judged on what followed), while the refresh computes spend, CLV, RFM and clusters.
import { workerData } from 'node:worker_threads';
import { replyOnce } from '../core/threads.ts';
import { calibrateOnSample, type BacktestRequest } from './churn-backtest.ts';

const { h, feedback, asOfDay, horizonDays, seed, pAliveFrom } = workerData as BacktestRequest;
await replyOnce(() => calibrateOnSample(h, feedback, asOfDay, horizonDays, seed, pAliveFrom));
