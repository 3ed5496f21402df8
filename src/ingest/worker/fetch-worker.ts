// The entry file of the fetch thread (worker/fetch-pool.ts): upstream documents are requested and
// their bytes received here, so a large or hostile body is read by this thread's HTTP client, never
// by the thread serving feeds; a robots.txt is read into its rules here too. Many requests are in
// flight at once; they only wait on sockets.
// First: the thread is lowered before anything else loads (see background.ts).
import './background.js';
import { Piscina } from 'piscina';
import { FetchError } from '../errors.js';
import { fetchDocument, type FetchOptions, type FetchResult } from '../fetch/fetcher.js';
import { ALLOW_ALL, parseRobots, type RobotsRules } from '../fetch/robots.js';

/** One request: what fetchDocument takes but a caller's signal; for a robots.txt, the product token
 *  whose rules are wanted. */
export type FetchTask =
  | { kind: 'document'; location: string; opts: Omit<FetchOptions, 'signal'> }
  | { kind: 'robots'; location: string; opts: Omit<FetchOptions, 'signal'>; productToken: string };

/** The result, or the FetchError as data (rebuilt by fetch-pool.ts); a body arrives as a Uint8Array. */
export type FetchReply =
  | { ok: true; result: FetchResult }
  | { ok: true; rules: RobotsRules }
  | { ok: false; message: string; status?: number; retryAfter?: string };

// RFC 9309 §2.3: robots.txt is UTF-8 (no charset sniffing).
const UTF8 = new TextDecoder('utf-8');

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
  if (task.kind === 'robots') {
    const reply: FetchReply = { ok: true, rules: result.kind === 'ok' ? parseRobots(UTF8.decode(result.body), task.productToken) : ALLOW_ALL };
    return reply;
  }
  const reply: FetchReply = { ok: true, result };
  // A body with an ArrayBuffer of its own is moved, not copied; a small one in Buffer's pool is copied.
  if (result.kind === 'ok' && result.body.byteOffset === 0 && result.body.byteLength === result.body.buffer.byteLength) {
    return Piscina.move({ [Piscina.transferableSymbol]: result.body.buffer, [Piscina.valueSymbol]: reply } as unknown as Parameters<typeof Piscina.move>[0]);
  }
  return reply;
}
