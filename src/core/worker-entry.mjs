// Worker bootstrap when Pulse runs from its TypeScript sources: worker threads do not inherit the
// loader, so register it here, then load the worker module named in workerData. (The bundle in
// dist/ starts each worker from its own plain-JS entry instead.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
