// The entry file piscina loads in each ingest worker thread (see worker/pool.ts). 'ping' answers once
// the modules are loaded, so a cold start is not counted in a document's budget. A feed's items go back
// as JSON lines in a buffer that is moved, not cloned (item-lines.ts).
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { Piscina } from 'piscina';
import { encodeItemLines } from './item-lines.js';
import { runTask, type FeedLines, type Task } from './tasks.js';

/** The nice value of an ingest worker thread (PRIORITY_BELOW_NORMAL, 10). Not exported: importing this
 *  module on another thread would lower that thread. */
const WORKER_NICE = constants.priority.PRIORITY_BELOW_NORMAL;

/**
 * Ingest is background work: when a worker and the thread serving feeds want the same core, the
 * serving thread should get it (a poll waits less, the ingest takes a little longer). On Linux a
 * thread's nice value is its own — setpriority(2) applies to the task id given, and
 * /proc/thread-self names this thread's — so only this thread is lowered. Elsewhere, or when not
 * allowed, the worker runs at the normal priority.
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

export default async function run(task: Task | 'ping') {
  if (task === 'ping') return 'pong';
  const result = await runTask(task);
  if (!result.ok || result.kind !== 'feed') return result;
  const { items, ...rest } = result;
  const itemLines = encodeItemLines(items);
  const wire: FeedLines = { ...rest, itemLines, itemCount: items.length };
  return Piscina.move({ [Piscina.transferableSymbol]: itemLines.buffer, [Piscina.valueSymbol]: wire } as unknown as Parameters<typeof Piscina.move>[0]);
}
