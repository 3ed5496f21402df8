// The entry file of the fetch thread (worker/fetch-pool.ts): upstream documents are requested and
// their bytes received here, so a large or hostile body is read by this thread's HTTP client, never
// by the thread serving feeds. Many requests are in flight at once; they only wait on sockets.
// First: the thread is lowered before anything else loads (see background.ts).
import './background.js';
import { Piscina } from 'piscina';
import { FetchError } from '../errors.js';
import { fetchDocument, type FetchOptions, type FetchResult } from '../fetch/fetcher.js';

/** One request: what fetchDocument takes, but the caller's signal (see fetchOffThread). */
export interface FetchTask {
  location: string;
  opts: Omit<FetchOptions, 'signal'>;
}

/** The result, or the FetchError as data (rebuilt by fetch-pool.ts); the body arrives as a Uint8Array. */
export type FetchReply =
  | { ok: true; result: FetchResult }
  | { ok: false; message: string; status?: number; retryAfter?: string };

export default async function run(task: FetchTask): Promise<unknown> {
  let result: FetchResult;
  try {
    result = await fetchDocument(task.location, task.opts);
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    const reply: FetchReply = {
      ok: false,
      message: err.message.slice(err.stage.length + 2),
      ...(err.status !== undefined && { status: err.status }),
      ...(err.retryAfter !== undefined && { retryAfter: err.retryAfter }),
    };
    return reply;
  }
  const reply: FetchReply = { ok: true, result };
  // A body with an ArrayBuffer of its own is moved, not copied; a small one in Buffer's pool is copied.
  if (result.kind === 'ok' && result.body.byteOffset === 0 && result.body.byteLength === result.body.buffer.byteLength) {
    return Piscina.move({ [Piscina.transferableSymbol]: result.body.buffer, [Piscina.valueSymbol]: reply } as unknown as Parameters<typeof Piscina.move>[0]);
  }
  return reply;
}
