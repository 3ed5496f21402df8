// Work proportional to an upstream's document (tens of thousands of items) that has to run on the
// serving thread — the store's merge, an archive month's encoding, a sort — is cut into slices of a few
// milliseconds, with a turn of the event loop between them, so that no reader's GET waits behind it.
// A leaf: it imports nothing of ours, so every layer (the store included) may use it.

import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long one slice runs before it gives the event loop a turn (2 ms: a GET waits for one at most;
 *  5 ms gave the 20,000-item month of bench:hostile a p99 of 28–36 ms, 2 ms 23–24 ms, docs/benchmarks.md). */
export const SLICE_MS = 2;

/**
 * A clock for one long loop: `due` turns true once the current slice has run SLICE_MS, and `pause()`
 * lets the event loop run (setImmediate: pending I/O callbacks, including incoming requests, go first)
 * and starts the next slice. Use as `if (slice.due) await slice.pause();` inside the loop.
 */
export class TimeSlice {
  #started = performance.now();

  constructor(private readonly budgetMs: number = SLICE_MS) {}

  get due(): boolean {
    return performance.now() - this.#started >= this.budgetMs;
  }

  async pause(): Promise<void> {
    await nextTurn();
    this.#started = performance.now();
  }

  /** Pauses when the slice is used up; otherwise resolves without yielding to the event loop. */
  async check(): Promise<void> {
    if (this.due) await this.pause();
  }
}

/** Runs of this many elements are sorted with Array#sort (well under a millisecond each); merging them is sliced. */
const RUN = 1024;

/**
 * The elements of `items` in `compare` order, as a new array, sorted in slices (runs sorted natively,
 * then merged pairwise, pausing between slices). Stable, like Array#sort, so the result is the one
 * `[...items].sort(compare)` gives.
 */
export async function sortInSlices<T>(items: readonly T[], compare: (a: T, b: T) => number, slice: TimeSlice = new TimeSlice()): Promise<T[]> {
  if (items.length <= RUN) return [...items].sort(compare);
  let from: T[] = [];
  for (let at = 0; at < items.length; at += RUN) {
    const run = items.slice(at, at + RUN).sort(compare);
    for (const x of run) from.push(x);
    await slice.check();
  }
  let to: T[] = new Array<T>(items.length);
  for (let width = RUN; width < items.length; width *= 2) {
    for (let lo = 0; lo < items.length; lo += 2 * width) {
      const mid = Math.min(lo + width, items.length);
      const hi = Math.min(lo + 2 * width, items.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (k < hi) {
        // Stable: on a tie the left run's element goes first.
        to[k++] = j >= hi || (i < mid && compare(from[i]!, from[j]!) <= 0) ? from[i++]! : from[j++]!;
        if ((k & 1023) === 0) await slice.check();
      }
    }
    [from, to] = [to, from];
  }
  return from;
}
