// Worker thread: builds a refresh's derived-data file (derived-builder.ts) from the batches of rows
// the refresh posts, answering each request in order.
import { parentPort, workerData } from 'node:worker_threads';
import { DerivedBuilder, fromWire, type BuilderReply, type BuilderRequest } from './derived-builder.ts';

const { path, retired } = workerData as { path: string; retired?: string };
let builder: DerivedBuilder | undefined;
let indexed = false;
let failed: string | undefined;

parentPort!.on('message', (m: BuilderRequest) => {
  const reply: BuilderReply = { seq: m.seq };
  if (failed !== undefined) reply.error = failed;
  else {
    try {
      builder ??= new DerivedBuilder(path, retired);
      if (m.op === 'insert') builder.insert(m.table, m.columns, m.values);
      else if (m.op === 'insertPacked') builder.insertPacked(fromWire(m.batch));
      else if (m.op === 'index') {
        builder.index();
        indexed = true;
      } else builder.finish(indexed);
    } catch (err) {
      failed = err instanceof Error ? err.message : String(err);
      reply.error = failed;
      builder?.abandon();
    }
  }
  parentPort!.postMessage(reply);
});
