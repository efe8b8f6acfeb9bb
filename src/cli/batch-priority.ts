// `pulse refresh` and `pulse import` are batch work: on a machine that also runs the bot, every
// core they keep busy is a core a slash command waits for. On two cores a refresh (its main thread,
// the basket-rules worker and the derived-file writer) beside an import (its parser and writer)
// left the bot's event loop descheduled for up to 760 ms at a time. A batch process lowers its own
// priority (a nice increment, PULSE_BATCH_NICE, 10 unless set) as soon as it has its context and
// before it starts its workers: the threads it has are lowered one by one, those it starts after
// inherit it. The bot then gets the CPU when it wants it, and the batch every cycle the bot leaves.
// On an idle machine nothing changes: priority only orders who waits. Linux ranks nice values
// within one session's group (autogroup) or cgroup: it holds for the bot's own nightly refresh and
// for jobs started beside it; a job started from cron or another login needs the service
// manager's weights (systemd's CPUWeight=) to rank below a bot run as a service.
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from '../core/logger.ts';

/** Lowers this process's CPU priority by `nice` (0 leaves it); never fails the job over it. */
export function runAsBatchJob(nice: number, log: Pick<Logger, 'debug'>): void {
  if (nice <= 0) return;
  try {
    const target = Math.min(19, os.getPriority() + nice);
    // Linux keeps a nice value per thread: V8's own threads (its garbage collector's helpers) were
    // started before this line, so each is lowered by its id; elsewhere the process is.
    const threads = existsSync('/proc/self/task') ? readdirSync('/proc/self/task').map(Number) : [0];
    for (const tid of threads) {
      try {
        os.setPriority(tid, target);
      } catch {
        // A thread that ended meanwhile.
      }
    }
  } catch (err) {
    // A sandbox that forbids it: the job runs at the priority it has.
    log.debug("could not lower the batch job's priority", { error: err });
  }
}
