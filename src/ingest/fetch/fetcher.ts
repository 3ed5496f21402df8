// Stage 1: get the raw bytes of an upstream document, from the network or from feeds/.
//
// Why not rss-parser's parseURL: its timeout leaves the socket open, it has
// no size limit, no conditional GET and it decodes only Node's built-in encodings. Here every request
// is bounded in time (the socket really closes) and in bytes, and a stored ETag / Last-Modified turns
// an unchanged upstream into a cheap 'not-modified'. The service and the CLI call it in the fetch thread
// (worker/fetch-pool.ts), never on the thread that serves feeds.

import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TimeSlice } from '../../slices.js';
import { FetchError } from '../errors.js';
import { optional } from '../optional.js';
import { refusePrivateHost } from './private-hosts.js';

export interface FetchOptions {
  /** Local locations are paths relative to this directory and may not leave it. */
  feedsDir: string;
  /** Total time for the whole exchange, redirects and body included. */
  timeoutMs: number;
  /** Time until the response headers arrive (connect, TLS, the server's think time), per hop;
   *  default min(10 s, timeoutMs). */
  connectTimeoutMs?: number;
  maxBytes: number;
  userAgent: string;
  /** The Accept header; default: feed media types first. */
  accept?: string;
  /** Validators from the previous successful fetch; sent as If-None-Match / If-Modified-Since. */
  etag?: string;
  lastModified?: string;
  /** Lets a caller on the same thread cancel the request (requests made through the fetch thread take none). */
  signal?: AbortSignal;
  /**
   * When set, a redirect whose target is, or resolves to, a loopback, private or link-local address is
   * refused there (the target is never requested) with a FetchError naming the hop, unless its host or
   * host:port is listed. The attribution checker sets it for the pages partners report.
   */
  privateHostsAllowed?: readonly string[];
}

export type FetchResult =
  | {
      kind: 'ok';
      body: Buffer;
      contentType?: string;
      /** Final URL after redirects; a file:// URL for local documents. */
      url: string;
      etag?: string;
      lastModified?: string;
      /** Caching headers of the answer, raw (see ingest/source-state.ts). */
      cacheControl?: string;
      expires?: string;
      date?: string;
    }
  | { kind: 'not-modified'; url: string; cacheControl?: string; expires?: string; date?: string };

/** Redirects followed at most (a sixth is an error). */
export const MAX_REDIRECTS = 5;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const ACCEPT = 'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

/**
 * Fetches `location`: an http(s) URL, or a path relative to `opts.feedsDir`. Resolves with the body
 * (at most `maxBytes`) or 'not-modified'; rejects with a FetchError for anything else: another
 * scheme, a path escaping feedsDir, a non-2xx status, a timeout, an oversized body, a network error.
 */
export function fetchDocument(location: string, opts: FetchOptions): Promise<FetchResult> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return fetchHttp(location, opts);
  if (scheme !== undefined) {
    return Promise.reject(
      new FetchError(`unsupported location "${location}": only http(s) URLs and paths relative to the feeds directory are allowed`),
    );
  }
  return readLocal(location, opts);
}

async function fetchHttp(url: string, opts: FetchOptions): Promise<FetchResult> {
  const headers: Record<string, string> = { 'user-agent': opts.userAgent, accept: opts.accept ?? ACCEPT };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;

  // One controller for our own aborts (byte cap, headers timeout), one total timer, and the caller's
  // signal: whichever fires first aborts the request and, through undici, destroys the socket.
  const cap = new AbortController();
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([cap.signal, timeout, ...(opts.signal ? [opts.signal] : [])]);
  const connectMs = Math.min(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, opts.timeoutMs);
  let headersTimedOut = false;
  const chain: string[] = [url];
  let current = url;

  try {
    let res: Response;
    for (;;) {
      // With the default cache mode, undici adds "Cache-Control: no-cache" to conditional requests and
      // servers then answer 200 instead of 304; 'no-cache' sends "max-age=0" instead. (Node 20's fetch
      // implements `cache`; its typings, undici-types 6, leave it out of RequestInit.) Redirects are
      // followed here, not by fetch, so that each hop's scheme is checked and a loop is named.
      const init: RequestInit & { cache?: 'no-cache' } = { headers, redirect: 'manual', signal, ...(conditional && { cache: 'no-cache' }) };
      const timer = setTimeout(() => {
        headersTimedOut = true;
        cap.abort();
      }, connectMs);
      try {
        res = await fetch(current, init);
      } finally {
        clearTimeout(timer);
      }
      if (![301, 302, 303, 307, 308].includes(res.status)) break;
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location) throw new FetchError(`${current} answered ${res.status} without a Location header`, { status: res.status });
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new FetchError(`${current} redirects to an invalid address "${location}"`, { status: res.status });
      }
      next.hash = '';
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new FetchError(`${current} redirects to ${next.protocol} (${next.href}); only http(s) is followed`, { status: res.status });
      }
      if (chain.includes(next.href)) {
        throw new FetchError(`redirect loop: ${[...chain, next.href].join(' → ')}`, { status: res.status });
      }
      chain.push(next.href);
      if (chain.length > MAX_REDIRECTS + 1) {
        throw new FetchError(`more than ${MAX_REDIRECTS} redirects: ${chain.join(' → ')}`, { status: res.status });
      }
      if (opts.privateHostsAllowed !== undefined) {
        try {
          await refusePrivateHost(next, opts.privateHostsAllowed);
        } catch (err) {
          throw new FetchError(`${current} redirects to ${next.href}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
      }
      current = next.href;
    }
    const hints = {
      ...optional('cacheControl', res.headers.get('cache-control') ?? undefined),
      ...optional('expires', res.headers.get('expires') ?? undefined),
      ...optional('date', res.headers.get('date') ?? undefined),
    };
    if (res.status === 304) {
      await res.body?.cancel();
      return { kind: 'not-modified', url: current, ...hints };
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new FetchError(`${current} answered ${res.status} ${res.statusText}`.trimEnd(), {
        status: res.status,
        ...optional('retryAfter', res.headers.get('retry-after') ?? undefined),
      });
    }
    const declared = Number(res.headers.get('content-length'));
    const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
    if (!encoded && Number.isFinite(declared) && declared > opts.maxBytes) {
      cap.abort();
      throw tooLarge(opts.maxBytes);
    }
    // fetch decompresses transparently: the stream yields decoded bytes, so the cap counts what a
    // gzip bomb inflates to and stops it after maxBytes, not after the whole bomb.
    const body = await readCapped(res, opts.maxBytes, cap, encoded);
    return {
      kind: 'ok',
      body,
      url: current,
      ...optional('contentType', res.headers.get('content-type') ?? undefined),
      ...optional('etag', res.headers.get('etag') ?? undefined),
      ...optional('lastModified', res.headers.get('last-modified') ?? undefined),
      ...hints,
    };
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (timeout.aborted) throw new FetchError(`timed out after ${opts.timeoutMs} ms (${current})`, { cause: err });
    if (headersTimedOut) throw new FetchError(`no response within ${connectMs} ms (${current})`, { cause: err });
    if (opts.signal?.aborted) throw new FetchError(`aborted (${current})`, { cause: err });
    throw new FetchError(`GET ${current} failed: ${describeNetworkError(err)}`, { cause: err });
  }
}

/**
 * Reads the body as a stream and aborts the request as soon as it grows past `maxBytes`. Chunks that
 * are already buffered arrive as promise callbacks, which never let the event loop turn: a body of
 * several MB from a fast upstream would be read in one stretch, so the loop pauses between slices.
 */
async function readCapped(res: Response, maxBytes: number, cap: AbortController, decompressed = false): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  const slice = new TimeSlice();
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      cap.abort();
      throw tooLarge(maxBytes, decompressed);
    }
    chunks.push(chunk);
    if (slice.due) await slice.pause();
  }
  return joinChunks(chunks, size);
}

/** Bodies up to this size are joined at once (a few ms: the copy's cost is mostly first touches of new memory). */
const JOIN_AT_ONCE_BYTES = 1024 * 1024;

/**
 * The chunks as one Buffer with an ArrayBuffer of its own (so that it can be moved to a worker); a body
 * of several MB is copied in slices, pausing for the event loop, not in one stretch (the fetch thread reads other documents meanwhile).
 */
async function joinChunks(chunks: readonly Uint8Array[], size: number): Promise<Buffer> {
  if (size <= JOIN_AT_ONCE_BYTES) return Buffer.concat(chunks, size);
  const body = Buffer.allocUnsafeSlow(size);
  const slice = new TimeSlice();
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
    if (slice.due) await slice.pause();
  }
  return body;
}

async function readLocal(location: string, opts: FetchOptions): Promise<FetchResult> {
  if (path.isAbsolute(location)) {
    throw new FetchError(`refusing absolute path "${location}": local sources are paths relative to the feeds directory`);
  }
  const root = path.resolve(opts.feedsDir);
  const file = path.resolve(root, location);
  if (!isInside(root, file)) {
    throw new FetchError(`refusing path "${location}": it leaves the feeds directory`);
  }
  try {
    // Symlinks are followed, so the real path must still be inside the real feeds directory.
    const real = await realpath(file);
    if (!isInside(await realpath(root), real)) {
      throw new FetchError(`refusing path "${location}": it links outside the feeds directory`);
    }
    const info = await stat(real);
    if (!info.isFile()) throw new FetchError(`"${location}" is not a file`);
    if (info.size > opts.maxBytes) throw tooLarge(opts.maxBytes);
    return { kind: 'ok', body: await readFile(real), url: pathToFileURL(real).href };
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError(`cannot read "${location}" in the feeds directory: ${describeNetworkError(err)}`, { cause: err });
  }
}

/**
 * The location, relative to `feedsDir`, of a file: URL (such as a link on a local document resolved
 * against that document's URL); undefined when the URL is not a file: URL or leaves feedsDir.
 */
export async function localLocation(fileUrl: string, feedsDir: string): Promise<string | undefined> {
  let file: string;
  try {
    file = fileURLToPath(fileUrl);
  } catch {
    return undefined;
  }
  // Local documents report their real path; the feeds directory itself may be reached through a link.
  const root = path.resolve(feedsDir);
  const roots = [root, await realpath(root).catch(() => root)];
  const inside = roots.find((r) => isInside(r, file));
  return inside === undefined ? undefined : path.relative(inside, file).split(path.sep).join('/');
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
}

function tooLarge(maxBytes: number, decompressed = false): FetchError {
  return new FetchError(`body exceeds ${maxBytes} bytes${decompressed ? ' once decompressed' : ''}`);
}

/** undici reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return err.message;
}

