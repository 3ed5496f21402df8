// Imported first by the worker entry (worker.ts), so that this thread is lowered before the ingest
// modules load: loading them (cheerio, the parsers) is the costliest thing a new worker does.
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

/** The nice value of an ingest worker thread (PRIORITY_BELOW_NORMAL, 10). */
const WORKER_NICE = constants.priority.PRIORITY_BELOW_NORMAL;

/**
 * Ingest is background work: when a worker and the thread serving feeds want the same core, the
 * serving thread should get it (a poll waits less, the ingest takes a little longer). On Linux a
 * thread's nice value is its own — setpriority(2) applies to the task id given, and
 * /proc/thread-self names this thread's — so only this thread is lowered. Elsewhere, or when not
 * allowed, the worker runs at the normal priority. Never import this module on another thread: it
 * would lower that thread.
 */
function yieldToServing(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE);
  } catch {
    // Not Linux, or not permitted: nothing to change.
  }
}

yieldToServing();
