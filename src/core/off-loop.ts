// Work too heavy for the bot's event loop (a filter no rollup holds, a window no refresh stored)
// runs on a worker thread with its own read-only store. A report that finds it needs such work
// throws `OffLoopRequired` when the context has an off-loop runner; the registry catches it and
// runs the same command there. Without a runner (the CLI, tests, the worker itself) it runs inline.
import type { Context, Invocation } from './context.ts';
import type { Reply } from './reply.ts';

export interface OffLoopRunner {
  /** Runs command `name` with already-validated `args` as `call`, at the instant `now`. */
  run(name: string, args: Record<string, unknown>, call: Invocation, now: Date): Promise<Reply>;
  /** Builds a digest (a `DigestRequest` → `BuiltDigest`, see reports/digest.ts) at the instant `now`. */
  digest(request: unknown, now: Date): Promise<unknown>;
  /** How many requests it has answered (for logs and the benchmark). */
  readonly served: number;
  close(): Promise<void>;
}

export class OffLoopRequired extends Error {
  constructor(why: string) {
    super(`needs the off-loop runner: ${why}`);
    this.name = 'OffLoopRequired';
  }
}

/** Call before slow work: throws when the work must move off the event loop. */
export function slowWorkHere(ctx: Pick<Context, 'offLoop'>, why: string): void {
  if (ctx.offLoop) throw new OffLoopRequired(why);
}
