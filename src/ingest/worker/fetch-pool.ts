// The fetch thread: every upstream request — feeds, list and article pages, robots.txt (read into its
// rules there), local documents under feeds/, the reprint pages the attribution checker reads — runs
// in one worker thread (fetch-worker.ts), many at a time, and only the finished body crosses to the
// caller, moved rather than copied. Reading a body is proportional to
// its size (the HTTP client's parsing, the stream's chunks, the join, the garbage they leave); on the
// serving thread a 10 MB body cost stretches of 5–11 ms (docs/benchmarks.md, "Hostile input").
// A request's limits (time, bytes) are the fetcher's own and hold in that thread as in any other.

import { Piscina } from 'piscina';
import { FetchError } from '../errors.js';
import type { FetchOptions, FetchResult } from '../fetch/fetcher.js';
import type { RobotsRules } from '../fetch/robots.js';
import type { FetchReply, FetchTask } from './fetch-worker.js';

/** Requests in flight in the fetch thread at once; more wait in its queue. */
const CONCURRENT_FETCHES = 16;

const workerFile = new URL(`./fetch-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

let pool: Piscina | undefined;

function thePool(): Piscina {
  if (pool) return pool;
  const created = new Piscina({
    filename: workerFile,
    minThreads: 0,
    maxThreads: 1,
    concurrentTasksPerWorker: CONCURRENT_FETCHES,
    // An idle thread ends soon, so a CLI run exits when its work is done.
    idleTimeout: 500,
  });
  // A thread failing outside any task would otherwise be an unheard 'error' event ending the process;
  // the tasks it ran reject on their own.
  created.on('error', () => undefined);
  pool = created;
  return created;
}

/** Stops the fetch thread (it is started again for the next request). */
export async function closeFetchPool(): Promise<void> {
  const old = pool;
  pool = undefined;
  await old?.destroy();
}

/** What fetchDocument does, in the fetch thread (no caller signal: a thread's request cannot be reached from here). */
export async function fetchOffThread(location: string, opts: Omit<FetchOptions, 'signal'>): Promise<FetchResult> {
  const reply = await runTask({ kind: 'document', location, opts });
  if (!('result' in reply)) throw new Error('the fetch thread answered a document request without a document');
  const { result } = reply;
  if (result.kind !== 'ok') return result;
  // Structured cloning hands a Buffer over as a plain Uint8Array.
  const bytes = result.body as Uint8Array;
  return { ...result, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/**
 * The rules for `productToken` of the robots.txt at `location`, fetched and read in the fetch thread
 * (a robots.txt is read up to its first 500 KiB, robots.ts): rejects as fetchOffThread does.
 */
export async function robotsOffThread(location: string, opts: Omit<FetchOptions, 'signal'>, productToken: string): Promise<RobotsRules> {
  const reply = await runTask({ kind: 'robots', location, opts, productToken });
  if (!('rules' in reply)) throw new Error('the fetch thread answered a robots.txt request without rules');
  return reply.rules;
}

/** Runs `task` in the fetch thread; its FetchError is rebuilt here, with status and Retry-After. */
async function runTask(task: FetchTask): Promise<Extract<FetchReply, { ok: true }>> {
  let reply: FetchReply;
  try {
    reply = (await thePool().run(task)) as FetchReply;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new FetchError(`GET ${task.location} failed: the fetch thread stopped (${why})`, { cause: err });
  }
  if (!reply.ok) {
    throw new FetchError(reply.message, {
      ...(reply.status !== undefined && { status: reply.status }),
      ...(reply.retryAfter !== undefined && { retryAfter: reply.retryAfter }),
    });
  }
  return reply;
}
