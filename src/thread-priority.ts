// The serving thread only serves (DESIGN.md). On Linux every other thread of the serving process runs
// at nice 10: the ingest workers (which also lower themselves as they start: lowerThisThread, called by
// ingest/worker/background.ts),
// V8's platform threads (garbage collection and compilation for every thread, the workers' included)
// and libuv's pool (file writes, compression of large bodies). When they and the serving thread want
// the same core, the serving thread gets it; on an idle machine nice changes nothing.

import { readdirSync, readlinkSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';

/** The nice value of background threads (PRIORITY_BELOW_NORMAL, 10). */
export const BACKGROUND_NICE = constants.priority.PRIORITY_BELOW_NORMAL;

/** How often threads started since the last look are lowered (libuv starts its pool on first use). */
const SWEEP_MS = 1000;

/**
 * Lowers every thread of this process but the main one (and those kept: keepThreadPriority) to BACKGROUND_NICE, now and every second
 * (setpriority(2) on Linux applies to the one thread whose id it is given). Call it on the main thread.
 * Returns a function that stops the sweeps. Where /proc/self/task is missing (not Linux) or lowering
 * is not allowed, it changes nothing.
 */
export function lowerBackgroundThreads(): () => void {
  if (!sweep()) return () => undefined;
  const timer = setInterval(sweep, SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Threads that serve like the main one (the serving thread, http/serving-thread.ts): never lowered. */
const kept = new Set<number>();

/** Leaves thread `tid` of this process at its priority from now on (and stops doing so with the returned function). */
export function keepThreadPriority(tid: number): () => void {
  kept.add(tid);
  return () => kept.delete(tid);
}

/** One pass over this process's threads; false where there is nothing to do it with. */
function sweep(): boolean {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return false;
  }
  for (const name of tids) {
    const tid = Number(name);
    if (tid === process.pid || kept.has(tid)) continue;
    try {
      if (getPriority(tid) < BACKGROUND_NICE) setPriority(tid, BACKGROUND_NICE);
    } catch {
      // The thread has ended since the directory was read, or lowering is not permitted.
    }
  }
  return true;
}

/**
 * Lowers the calling thread (and only it) to BACKGROUND_NICE: /proc/thread-self names its task id. For a
 * worker thread, as it starts; never call it on the serving thread. Elsewhere, or when not allowed, it
 * changes nothing.
 */
export function lowerThisThread(): void {
  const tid = thisThreadId();
  try {
    if (tid !== undefined) setPriority(tid, BACKGROUND_NICE);
  } catch {
    // Not permitted: nothing to change.
  }
}

/** The calling thread's task id (/proc/thread-self names it); undefined where there is none (not Linux). */
export function thisThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}
