// Long synchronous stretches cut into slices, the event loop let run between them: a worker's
// answers, another client's rows and chat traffic then wait a slice, not the whole stretch.

/** Lets the event loop run what is due (I/O, a worker's messages, timers), then goes on. */
export function turnLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Time slices of `ms`: ask `due` at points where the loop may run (cheaply: a clock read), and
 * `turn()` when it is.
 * @example const slices = new LoopSlices(8); for (const row of rows) { handle(row); if (slices.due) await slices.turn(); }
 */
export class LoopSlices {
  readonly #ms: number;
  #since = performance.now();

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** True once the current slice has lasted `ms`. */
  get due(): boolean {
    return performance.now() - this.#since >= this.#ms;
  }

  /** Turns the loop and starts the next slice. */
  async turn(): Promise<void> {
    await turnLoop();
    this.#since = performance.now();
  }
}
