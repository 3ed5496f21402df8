// The serving thread (started by serving-thread.ts): it owns the public HTTP socket. A plain feed URL
// that the main thread has published for the current second is answered here from bytes prepared
// there (header lists and body, shared, not copied); everything else — the first poll of each second,
// every other route — is passed whole to the main thread, whose server answers it, and its whole answer
// comes back.
//
// Why a thread of its own: node:http's code is shared by everything a thread runs, and V8 tunes it to
// what it has seen. In the main thread it has also seen the ingest's streams, worker pipes, zlib and
// Express's requests, and there it ran 3–5 µs slower per request than in a process that only serves
// (docs/benchmarks.md, "Serving"). This thread runs little but the code below, so it stays close to a
// bare node:http server; it imports node's modules and leaves of ours (serving-protocol.ts,
// validators.ts, prepared-head.ts, metrics/buckets.ts, thread-priority.ts), and uses no HTTP client.
//
// At the turn of each second a published answer expires (its Cache-Control max-age counts down to the
// channel's next run): the first poll of its URL is passed on, and the polls of that URL arriving
// meanwhile wait for what the main thread publishes while answering it, instead of being passed on too
// (32 connections polling one URL were 32 requests through the main thread every second).
//
// What a request answered here leaves: its access line (the same JSON line the main thread's logger
// writes), its count in the request metrics, and the poll for the subscriber statistics. They are
// gathered here and sent to the main thread in batches (every 250 ms, and when asked: flush).

import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
// Node's global `performance` is a getter: each read of it costs a call. The module's binding does not.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromServing, PassedAnswer, Poll, PublishedAnswer, ServingInit, ToServing } from './serving-protocol.js';
import { CLIENT_HEADER } from './serving-protocol.js';
import { type PreparedHead, prepareHead, writePreparedHead } from './prepared-head.js';
import { type ContentCoding, codedEtag, negotiateCoding, notModified } from './validators.js';
import { HTTP_BUCKETS, bucketIndex } from '../metrics/buckets.js';
import { thisThreadId } from '../thread-priority.js';

interface Block {
  /** The ETag of this coding's representation (validators.ts codedEtag): what its pollers send back. */
  etag: string;
  body: Buffer;
  /** The header lists for a connection kept open (with `Keep-Alive`: `kept`) and for one that closes. */
  kept: HeaderLists;
  closing: HeaderLists;
}

interface HeaderLists {
  ok: PreparedHead;
  okBrowser: PreparedHead;
  notModified: PreparedHead;
}

/** What an open connection had read and written when it was last seen active, and when (ms). */
interface Activity {
  read: number;
  written: number;
  since: number;
}

/** A connection's last poll: its User-Agent as sent and as kept, its address, and where its polls go. */
interface Client {
  readonly sent: string;
  readonly agent: string;
  readonly address: string;
  feed: string;
  batch: number;
  seen: Seen | undefined;
}

/** When a (feed, User-Agent, address) of this batch was last polled, in ms: shared by its connections. */
interface Seen {
  at: number;
}

interface Waiting {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly started: number;
}

interface Entry {
  readonly slot: number;
  readonly generation: number;
  readonly validUntil: number;
  readonly channel: string;
  readonly format: string;
  /** `${channel}\n${format}`, the key of its polls. */
  readonly feed: string;
  readonly etag: string;
  readonly lastModified: string | undefined;
  readonly blocks: Partial<Record<ContentCoding, Block>>;
  /** The access line's start per status and method (index: 304 → 1, HEAD → 2), made on first use. */
  readonly lines: (LineHead | undefined)[];
}

/**
 * An access line up to its duration: everything but the time is the same for every request of one
 * URL, status and method, and the time (13 digits of ms) is written into `bytes` once per ms.
 */
interface LineHead {
  readonly bytes: Uint8Array;
  /** Where the time's digits are in `bytes`, how many there are, and the time they spell. */
  readonly timeAt: number;
  readonly timeDigits: number;
  time: number;
}

/** Distinct URLs answered here at once; past that, the oldest are forgotten (they are published again). */
const MAX_ENTRIES = 4096;
/** Polls of one URL waiting for its answer to be published again; past that they are passed on. */
const MAX_WAITING = 1024;
/** Distinct clients per batch; past that the batch is sent early. */
const MAX_POLLS = 10_000;
const BATCH_MS = 250;
/**
 * The access lines' buffer: about a batch's worth at 40,000 polls a second, so that the main thread
 * wakes for a few batches a second, not for one per 64 KiB. Buffers come back once written (`recycle`)
 * and are filled again: a fresh megabyte costs 256 page faults.
 */
const LOG_CHUNK = 1024 * 1024;
/** Written-out log buffers kept for reuse. */
const SPARE_CHUNKS = 3;
/** The largest request body passed on (the largest route takes 16 KB); a longer one is answered 413. */
const MAX_BODY = 1024 * 1024;
/** Longer than any access line of a URL this thread answers (a plain feed URL, at most ~90 bytes). */
const MAX_LINE = 512;

/** node:http's margin past the advertised Keep-Alive timeout before it closes, against closing under a client's request. */
const KEEP_ALIVE_MARGIN_MS = 1000;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'expect', 'trailer', CLIENT_HEADER]);

function main(init: ServingInit): void {
  const port = parentPort!;
  const generations = new Int32Array(init.generations);
  const entries = new Map<string, Entry>();
  /** Requests passed to the main thread, waiting for its answer. */
  const passed = new Map<number, ServerResponse>();
  let lastPassed = 0;
  /** Polls of a published URL waiting while its first poll of the second is with the main thread. */
  const waiting = new Map<string, Waiting[]>();
  /** Which passed request (by id) the polls of which URL wait for. */
  const awaited = new Map<number, string>();

  // --- what requests answered here leave behind ---
  const encoder = new TextEncoder();
  const lineStart = init.accessLog && `{"level":${init.accessLog.level},"time":`;
  const lineEnd = encoder.encode(',"msg":"http: request"}\n');
  let chunk = new Uint8Array(LOG_CHUNK);
  let used = 0;
  const spare: Uint8Array<ArrayBuffer>[] = [];
  let ok = 0;
  let notModifiedCount = 0;
  let buckets = new Array<number>(HTTP_BUCKETS.length + 1).fill(0);
  let sum = 0;
  let count = 0;
  let polls = new Map<string, Map<string, Map<string, Seen>>>();
  let pollCount = 0;
  /** Counts the batches sent: a connection's cached place in `polls` (Client.seen) is for one batch. */
  let batch = 0;
  /**
   * What each connection polled last: a reader sends the same User-Agent with every poll over one
   * connection, so its key in the poll maps (cut to agentLength), its address and the record its polls
   * go to are found once per connection, feed and batch, not hashed and looked up again per request.
   */
  const clients = new WeakMap<Socket, Client>();
  /** Open connections, for closing idle ones (closeIdle). */
  const connections = new Map<Socket, Activity>();
  const keepAlive = ['Keep-Alive', `timeout=${Math.floor(init.keepAliveMs / 1000)}`];
  /**
   * Wall-clock ms less performance.now(), set again every BATCH_MS: a request's time is its start's
   * performance.now() plus this, so that it costs one clock read, not two.
   */
  let clockOffset = Date.now() - performance.now();

  /** Writes a non-negative integer's decimal digits at `used`. */
  function digits(n: number): void {
    if (n < 10) {
      chunk[used++] = 48 + n;
      return;
    }
    let len = 0;
    for (let m = n; m >= 1; m = Math.floor(m / 10)) len += 1;
    used += len;
    putDigits(chunk, used, n);
  }

  function copy(bytes: Uint8Array): void {
    chunk.set(bytes, used);
    used += bytes.length;
  }

  /**
   * The same line as log.ts's accessLine, written as bytes into the chunk: its head (made once per
   * URL, status and method, its time rewritten once per ms), then the duration and the end.
   */
  function logAccess(entry: Entry, url: string, head: boolean, status: number, now: number, tenths: number): void {
    if (lineStart === undefined) return;
    const index = (status === 304 ? 1 : 0) + (head ? 2 : 0);
    let line = entry.lines[index];
    if (line !== undefined && line.time !== now && !setTime(line, now)) line = undefined;
    if (line === undefined) {
      const time = String(now);
      const bytes = encoder.encode(`${lineStart}${time}${init.accessLog!.bindings},"method":"${head ? 'HEAD' : 'GET'}","url":${JSON.stringify(url)},"status":${status},"durationMs":`);
      line = { bytes, timeAt: lineStart.length, timeDigits: time.length, time: now };
      entry.lines[index] = line;
    }
    if (used + line.bytes.length + MAX_LINE > LOG_CHUNK) sendBatch();
    copy(line.bytes);
    digits(Math.floor(tenths / 10));
    const tenth = tenths % 10;
    if (tenth !== 0) {
      chunk[used++] = 46;
      chunk[used++] = 48 + tenth;
    }
    copy(lineEnd);
  }

  /** Writes `now` into the head's time; false if it has another number of digits (before 2001, after 2286). */
  function setTime(line: LineHead, now: number): boolean {
    if (now < 10 ** (line.timeDigits - 1) || now >= 10 ** line.timeDigits) return false;
    putDigits(line.bytes, line.timeAt + line.timeDigits, now);
    line.time = now;
    return true;
  }

  function countRequest(status: 200 | 304, ms: number): void {
    if (status === 304) notModifiedCount += 1;
    else ok += 1;
    const seconds = ms / 1000;
    buckets[bucketIndex(seconds)]! += 1;
    sum += seconds;
    count += 1;
  }

  function recordPoll(entry: Entry, socket: Socket, sent: string, now: number): void {
    let client = clients.get(socket);
    if (client === undefined || client.sent !== sent) {
      const agent = sent.length > init.agentLength ? sent.slice(0, init.agentLength) : sent;
      client = { sent, agent, address: socket.remoteAddress ?? '', feed: '', batch: -1, seen: undefined };
      clients.set(socket, client);
    }
    let seen = client.seen;
    if (seen === undefined || client.batch !== batch || client.feed !== entry.feed) {
      let byAgent = polls.get(entry.feed);
      if (byAgent === undefined) polls.set(entry.feed, (byAgent = new Map()));
      let byAddress = byAgent.get(client.agent);
      if (byAddress === undefined) byAgent.set(client.agent, (byAddress = new Map()));
      seen = byAddress.get(client.address);
      if (seen === undefined) {
        byAddress.set(client.address, (seen = { at: now }));
        pollCount += 1;
      }
      client.seen = seen;
      client.feed = entry.feed;
      client.batch = batch;
    }
    seen.at = now;
    if (pollCount >= MAX_POLLS) sendBatch();
  }

  /** Sends what was gathered (the log bytes moved, not copied); `flushed` answers a flush request. */
  function sendBatch(flushed?: number): void {
    const message: Extract<FromServing, { kind: 'batch' }> = { kind: 'batch' };
    const transfer: ArrayBuffer[] = [];
    if (used > 0) {
      message.log = chunk.subarray(0, used);
      transfer.push(chunk.buffer);
      chunk = spare.pop() ?? new Uint8Array(LOG_CHUNK);
      used = 0;
    }
    if (count > 0) {
      const statuses: [number, number][] = [];
      if (ok > 0) statuses.push([200, ok]);
      if (notModifiedCount > 0) statuses.push([304, notModifiedCount]);
      message.requests = { statuses, buckets, sum, count };
      ok = 0;
      notModifiedCount = 0;
      buckets = new Array<number>(HTTP_BUCKETS.length + 1).fill(0);
      sum = 0;
      count = 0;
    }
    if (pollCount > 0) {
      const list: Poll[] = [];
      for (const [feed, byAgent] of polls) {
        const cut = feed.indexOf('\n');
        for (const [agent, byAddress] of byAgent) {
          for (const [address, seen] of byAddress) list.push([feed.slice(0, cut), feed.slice(cut + 1), agent, address, seen.at]);
        }
      }
      message.polls = list;
      polls = new Map();
      pollCount = 0;
      batch += 1;
    }
    if (flushed !== undefined) message.flushed = flushed;
    if (message.log || message.requests || message.polls || flushed !== undefined) port.postMessage(message, transfer);
  }

  // --- answers ---
  function publish(answer: PublishedAnswer): void {
    let entry = entries.get(answer.url);
    if (entry === undefined || entry.generation !== answer.generation || entry.validUntil !== answer.validUntil || entry.etag !== answer.etag || entry.slot !== answer.slot) {
      if (entry === undefined && entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entry = {
        slot: answer.slot,
        generation: answer.generation,
        validUntil: answer.validUntil,
        channel: answer.channel,
        format: answer.format,
        feed: `${answer.channel}\n${answer.format}`,
        etag: answer.etag,
        lastModified: answer.lastModified,
        blocks: {},
        lines: [],
      };
      entries.delete(answer.url);
      entries.set(answer.url, entry);
    }
    const body = answer.body;
    try {
      entry.blocks[answer.coding] = {
        etag: codedEtag(answer.etag, answer.coding),
        body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        kept: { ok: prepareHead([...answer.ok, ...keepAlive]), okBrowser: prepareHead([...answer.okBrowser, ...keepAlive]), notModified: prepareHead([...answer.notModified, ...keepAlive]) },
        closing: { ok: prepareHead(answer.ok), okBrowser: prepareHead(answer.okBrowser), notModified: prepareHead(answer.notModified) },
      };
    } catch {
      // A header node:http would refuse: this coding is not answered here; its polls go to the main thread.
      delete entry.blocks[answer.coding];
    }
  }

  /**
   * Forgets answers a second after their second is over (each holds its document's bytes); until then
   * an expired entry still says that its URL is a published feed, whose polls wait (`serve`).
   */
  function sweep(now: number): void {
    for (const [url, entry] of entries) if (entry.validUntil + 1000 <= now) entries.delete(url);
  }

  /**
   * Answers a poll of a published URL from its prepared bytes; false if it is not one (or its answer
   * expired). `started` is when the request came in and `clock` is now, both from performance.now().
   */
  function answer(req: IncomingMessage, res: ServerResponse, started: number, clock: number): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url!;
    const entry = entries.get(url);
    if (entry === undefined) return false;
    const now = Math.floor(clock + clockOffset);
    if (now >= entry.validUntil || Atomics.load(generations, entry.slot) !== entry.generation) return false;
    const headers = req.headers;
    const block = entry.blocks[negotiateCoding(headers['accept-encoding'])];
    if (block === undefined) return false;
    const lists = kept(req, res) ? block.kept : block.closing;
    let status: 200 | 304;
    if (notModified(headers['if-none-match'], headers['if-modified-since'], entry.etag, entry.lastModified, block.etag)) {
      writePreparedHead(res, 304, lists.notModified).end();
      status = 304;
    } else {
      const accept = headers.accept;
      writePreparedHead(res, 200, accept !== undefined && accept.includes('text/html') ? lists.okBrowser : lists.ok).end(block.body);
      status = 200;
    }
    const ms = performance.now() - started;
    countRequest(status, ms);
    logAccess(entry, url, method === 'HEAD', status, now, Math.round(ms * 10));
    if (method === 'GET') recordPoll(entry, req.socket, headers['user-agent'] ?? '', now);
    return true;
  }

  /**
   * Answers the request here if it can; else a poll of a URL answered here before waits, if the first
   * poll of that URL is already with the main thread, or goes there itself and the next ones wait for it.
   */
  function serve(req: IncomingMessage, res: ServerResponse, started: number, clock: number): void {
    if (answer(req, res, started, clock)) return;
    const url = req.url!;
    if ((req.method === 'GET' || req.method === 'HEAD') && entries.has(url) && !hasBody(req)) {
      const queue = waiting.get(url);
      if (queue === undefined) {
        waiting.set(url, []);
        awaited.set(pass(req, res), url);
        return;
      }
      if (queue.length < MAX_WAITING) {
        queue.push({ req, res, started });
        return;
      }
    }
    pass(req, res);
  }

  /** The passed poll of `url` was answered (and its new answer published first): the waiting polls go on. */
  function release(url: string): void {
    const queue = waiting.get(url);
    waiting.delete(url);
    if (queue === undefined) return;
    const clock = performance.now();
    for (const poll of queue) if (!poll.res.destroyed) serve(poll.req, poll.res, poll.started, clock);
  }

  /**
   * Passes the request to the main thread's server (whole: its body is read first, up to MAX_BODY) and
   * answers with what comes back. No HTTP client runs here: node:http's client code, used in this
   * thread, measurably slowed the server code sharing it (docs/benchmarks.md).
   */
  function pass(req: IncomingMessage, res: ServerResponse): number {
    const headers: string[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (!HOP_BY_HOP.has(name) && name !== 'content-length') headers.push(raw[i]!, raw[i + 1]!);
    }
    const id = (lastPassed += 1);
    // Kept until the main thread answers (it always does, if only with `failed`); no listener on `res`,
    // so responses answered here keep the shape of those a bare server makes.
    const send = (body: Buffer | undefined) => {
      passed.set(id, res);
      const message: FromServing = { kind: 'request', id, method: req.method!, url: req.url!, headers, client: req.socket.remoteAddress ?? '' };
      if (body !== undefined) message.body = body;
      port.postMessage(message);
    };
    if (!hasBody(req)) {
      send(undefined);
      return id;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end(`request body over ${MAX_BODY} bytes\n`);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size <= MAX_BODY) send(Buffer.concat(chunks, size));
    });
    return id;
  }

  function answerPassed(answer: PassedAnswer): void {
    const res = passed.get(answer.id);
    if (res === undefined) return;
    passed.delete(answer.id);
    const url = awaited.get(answer.id);
    if (url !== undefined) {
      awaited.delete(answer.id);
      // Messages arrive in order: whatever the main thread published while answering is here already.
      release(url);
    }
    if (res.destroyed) return;
    const headers: string[] = [];
    let status = 502;
    let body: Buffer | string = 'the service could not answer this request\n';
    if ('failed' in answer) headers.push('Content-Type', 'text/plain; charset=utf-8', 'Cache-Control', 'no-store');
    else {
      for (let i = 0; i < answer.headers.length; i += 2) {
        if (!HOP_BY_HOP.has(answer.headers[i]!.toLowerCase())) headers.push(answer.headers[i]!, answer.headers[i + 1]!);
      }
      status = answer.status;
      body = Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
    }
    if (kept(res.req, res)) headers.push(...keepAlive);
    // node:http gives the status its standard reason phrase, as Express does.
    res.writeHead(status, headers).end(body);
  }

  /**
   * Closes connections idle for longer than the Keep-Alive timeout (plus node:http's margin). node:http's
   * own timer for this is off: it is set, and cleared again, for every request, which cost 3–6% of a
   * 304 here (docs/benchmarks.md). Instead each connection's byte counts are read every BATCH_MS. A
   * connection is active while they move, while a request of it is with the main thread or waiting,
   * and while an answer is still being written to it; one that sends nothing at all is closed as well.
   */
  function closeIdle(now: number): void {
    const busy = new Set<Socket>();
    for (const res of passed.values()) if (res.socket) busy.add(res.socket);
    for (const queue of waiting.values()) for (const poll of queue) busy.add(poll.req.socket);
    for (const [socket, seen] of connections) {
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      if (read !== seen.read || written !== seen.written || socket.writableLength > 0 || busy.has(socket)) {
        seen.read = read;
        seen.written = written;
        seen.since = now;
      } else if (now - seen.since >= init.keepAliveMs + KEEP_ALIVE_MARGIN_MS) socket.destroy();
    }
  }

  const server = createServer({ keepAliveTimeout: 0 }, (req, res) => {
    const clock = performance.now();
    serve(req, res, clock, clock);
  });
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { read: 0, written: 0, since: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });

  const timer = setInterval(() => {
    sendBatch();
    clockOffset = Date.now() - performance.now();
    const now = Date.now();
    sweep(now);
    closeIdle(now);
  }, BATCH_MS);
  timer.unref();

  port.on('message', (message: ToServing) => {
    if (message.kind === 'publish') publish(message);
    else if (message.kind === 'answer') answerPassed(message);
    else if (message.kind === 'flush') sendBatch(message.id);
    else if (message.kind === 'recycle') {
      if (spare.length < SPARE_CHUNKS && message.buffer.byteLength === LOG_CHUNK) spare.push(new Uint8Array(message.buffer));
    }
    else if (message.kind === 'stop') {
      // New connections are refused at once; open ones finish what they are answering (2 s at most).
      server.close(() => {
        clearInterval(timer);
        sendBatch();
        port.postMessage({ kind: 'stopped' } satisfies FromServing);
        port.close();
      });
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    }
  });

  // A listen error (EADDRINUSE, EACCES) fails the start; a later one (an accept failing for want of file
  // descriptors) leaves the server listening.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (server.listening) return;
    port.postMessage({ kind: 'failed', message: err.message, code: err.code } satisfies FromServing);
    port.close();
  });
  server.listen(init.port, init.host, () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the serving socket has no TCP address');
    port.postMessage({ kind: 'listening', address: address.address, family: address.family, port: address.port, tid: thisThreadId() } satisfies FromServing);
  });
}

/**
 * Whether the connection stays open after this answer, so that it says `Keep-Alive`. node:http decides
 * (shouldKeepAlive, from the request's version and Connection header); an HTTP/1.0 client is not told
 * (node:http may close after an answer without a length to it).
 */
function kept(req: IncomingMessage, res: ServerResponse): boolean {
  return res.shouldKeepAlive && req.httpVersionMinor === 1;
}

/** Writes a positive integer's decimal digits into `bytes`, the last one just before `end`. */
function putDigits(bytes: Uint8Array, end: number, n: number): void {
  let at = end;
  while (n >= 1) {
    const q = Math.floor(n / 10);
    bytes[--at] = 48 + (n - q * 10);
    n = q;
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

main(workerData as ServingInit);
