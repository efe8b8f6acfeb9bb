// Where an import's bytes come from: a file or a stream (stdin), gunzipped as they stream when they
// start with the gzip signature (whatever the file is called).
import { createReadStream, statSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

// Reads of 64 KiB: a decoded chunk then dies young, where 1 MiB ones outlived the young generation
// and cost a full collection every few dozen.
const CHUNK = 64 << 10;

/** CSV or JSON Lines, from the name (a `.gz` ending is looked through). */
export function formatFor(name: string): 'csv' | 'jsonl' {
  return /\.(jsonl|ndjson|json)(\.gz)?$/i.test(name) ? 'jsonl' : 'csv';
}

/** A readable file, or the reason it is not one. */
export function checkFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a file';
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
  }
}

export function fileBytes(path: string): AsyncIterable<Buffer> {
  return inputBytes(createReadStream(path, { highWaterMark: CHUNK }));
}

/** The stream's bytes, gunzipped when they are gzip. */
export async function* inputBytes(stream: AsyncIterable<Buffer | string>): AsyncIterable<Buffer> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const r = await it.next();
    if (r.done) {
      if (head.length) yield head;
      return;
    }
    head = Buffer.concat([head, toBuffer(r.value)]);
  }
  const rest = (async function* () {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield toBuffer(r.value);
  })();
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* rest;
    return;
  }
  // Errors anywhere (a truncated or corrupt archive) end the iteration with that error.
  yield* pipeline(Readable.from(rest), createGunzip({ chunkSize: CHUNK }), () => {}) as AsyncIterable<Buffer>;
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

/** About how much text a file holds: its size, or six times that for gzip (CSV compresses about so). */
export function fileSize(path: string): number {
  try {
    const size = statSync(path).size;
    return /\.gz$/i.test(path) ? size * 6 : size;
  } catch {
    return 0;
  }
}
