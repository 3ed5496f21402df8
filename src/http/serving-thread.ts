// The main thread's side of the serving thread (serving-worker.ts): starts it on the public address,
// publishes the answers of plain feed URLs to it as the main thread makes them (once per URL, coding and
// second), tells it when a channel changed, answers the requests it passes on (through the main thread's
// own node:http server, over an in-memory connection), and takes in what it gathered (access lines,
// request counts, subscriber polls).

import { once } from 'node:events';
import { type Server, request } from 'node:http';
import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { CodedBlock } from './feed-headers.js';
import type { Representation } from './output-cache.js';
import type { Store } from '../store/store.js';
import type { FromServing, PassedAnswer, PassedRequest, Poll, RequestCounts, ServingInit, ToServing } from './serving-protocol.js';
import { CLIENT_HEADER } from './serving-protocol.js';
import type { ContentCoding } from './validators.js';

export type { Poll, RequestCounts } from './serving-protocol.js';

const workerFile = new URL(`./serving-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** Where what the serving thread gathered goes in the main thread. */
export interface ServingSinks {
  /**
   * Whole access lines, as bytes, in the order they were answered; `written` is called once they are
   * written out, after which their buffer goes back to the serving thread to be filled again.
   */
  log(lines: Uint8Array, written: () => void): void;
  requests(counts: RequestCounts): void;
  polls(polls: readonly Poll[]): void;
  /** A passed request the main thread's server did not answer (the client got a 502). */
  failed(request: string, reason: string): void;
}

export interface ServingOptions extends Omit<ServingInit, 'generations'> {
  channels: readonly string[];
  /** The main thread's server (not listening): requests the serving thread passes on are answered by it. */
  server: Server;
}

/** A block's body in shared memory: published every second, never copied again. */
const sharedBodies = new WeakMap<CodedBlock, Uint8Array>();

export class ServingThread {
  readonly #worker: Worker;
  readonly #sinks: ServingSinks;
  readonly #server: Server;
  readonly #generations: Int32Array;
  readonly #slots: Map<string, number>;
  readonly #flushes = new Map<number, () => void>();
  #nextFlush = 0;
  #passed = 0;
  #stopped: Promise<void> | undefined;
  /** The address the public socket listens on. */
  readonly address: { address: string; family: string; port: number };
  /** The serving thread's task id (Linux), when known. */
  readonly tid: number | undefined;

  private constructor(worker: Worker, server: Server, sinks: ServingSinks, generations: Int32Array, slots: Map<string, number>, listening: Extract<FromServing, { kind: 'listening' }>) {
    this.#worker = worker;
    this.#server = server;
    this.#sinks = sinks;
    this.#generations = generations;
    this.#slots = slots;
    this.address = { address: listening.address, family: listening.family, port: listening.port };
    this.tid = listening.tid;
    worker.on('message', (message: FromServing) => this.#receive(message));
  }

  /** Starts the thread and resolves once it listens; rejects with the listen error (EADDRINUSE, …). */
  static async start(options: ServingOptions, sinks: ServingSinks): Promise<ServingThread> {
    const { channels, server, ...init } = options;
    const generations = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, channels.length)));
    const slots = new Map(channels.map((id, slot) => [id, slot]));
    const workerData = { ...init, generations: generations.buffer } satisfies ServingInit;
    // Under tsx (tests, `npm run dev`) the worker is the .ts source, which a thread cannot take as its
    // entry (the `--import tsx` it inherits does not cover its own ESM imports): it registers tsx first.
    const worker = workerFile.pathname.endsWith('.ts')
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(workerFile.href)}); })`,
          { eval: true, workerData },
        )
      : new Worker(workerFile, { workerData });
    // The first message says whether it listens (`once` rejects on an 'error' event); an exit ends the wait.
    const waiting = new AbortController();
    const first = await Promise.race([
      once(worker, 'message', { signal: waiting.signal }).then(([message]) => message as FromServing),
      once(worker, 'exit', { signal: waiting.signal }).then(([code]) => {
        throw new Error(`the serving thread stopped before listening (exit code ${String(code)})`);
      }),
    ]).finally(() => waiting.abort());
    if (first.kind !== 'listening') {
      await worker.terminate();
      const message = first.kind === 'failed' ? first.message : `the serving thread answered ${first.kind} before listening`;
      throw Object.assign(new Error(message), first.kind === 'failed' && first.code !== undefined ? { code: first.code } : {});
    }
    // A failure of the thread after it started ends the process like any uncaught error would.
    worker.on('error', (err) => {
      throw err;
    });
    return new ServingThread(worker, server, sinks, generations, slots, first);
  }

  /** The channel's answers published so far are no longer valid (its store revision moved). */
  changed(channelId: string): void {
    const slot = this.#slots.get(channelId);
    if (slot !== undefined) Atomics.add(this.#generations, slot, 1);
  }

  /**
   * Lets the serving thread answer `url` in `coding` with `block` until `validUntil` (ms), unless the
   * channel changes first. Call it right after getting `rep` from the output cache, so that the
   * generation read here is no newer than `rep`.
   */
  publish(url: string, channel: string, format: string, rep: Representation, coding: ContentCoding, block: CodedBlock, validUntil: number): void {
    const slot = this.#slots.get(channel);
    if (slot === undefined || this.#stopped) return;
    let body = sharedBodies.get(block);
    if (body === undefined) {
      body = new Uint8Array(new SharedArrayBuffer(block.body.length));
      body.set(block.body);
      sharedBodies.set(block, body);
    }
    const message: ToServing = {
      kind: 'publish',
      url,
      slot,
      generation: Atomics.load(this.#generations, slot),
      validUntil,
      channel,
      format,
      etag: rep.etag,
      ...(rep.lastModified !== undefined && { lastModified: rep.lastModified }),
      coding,
      body,
      ok: block.ok,
      okBrowser: block.okBrowser,
      notModified: block.notModified,
    };
    this.#worker.postMessage(message);
  }

  /** Resolves once everything the thread gathered so far has reached the sinks. */
  flush(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const id = (this.#nextFlush += 1);
    return new Promise((resolve) => {
      this.#flushes.set(id, resolve);
      this.#worker.postMessage({ kind: 'flush', id } satisfies ToServing);
    });
  }

  /** Closes the public socket; open connections finish (2 s at most); the last batch reaches the sinks. */
  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      this.#worker.once('exit', () => {
        for (const done of this.#flushes.values()) done();
        this.#flushes.clear();
        resolve();
      });
      this.#worker.postMessage({ kind: 'stop' } satisfies ToServing);
    });
    return this.#stopped;
  }

  /** Requests the serving thread has passed to the main thread so far (not answered from what was published); /metrics shows it. */
  get passed(): number {
    return this.#passed;
  }

  /** Runs a passed request through the main thread's server and sends the whole answer back. */
  #answer(passed: PassedRequest): void {
    this.#passed += 1;
    const reply = (answer: PassedAnswer) => this.#worker.postMessage({ kind: 'answer', ...answer } satisfies ToServing);
    const [client, server] = connectionPair();
    this.#server.emit('connection', server);
    const headers = [...passed.headers, CLIENT_HEADER, passed.client];
    if (passed.body !== undefined) headers.push('Content-Length', String(passed.body.byteLength));
    const fail = (err: Error) => {
      this.#sinks.failed(`${passed.method} ${passed.url}`, err.message);
      reply({ id: passed.id, failed: err.message });
    };
    const req = request({ createConnection: () => client, method: passed.method, path: passed.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        // Hop-by-hop lines are the serving thread's to drop (serving-worker.ts, HOP_BY_HOP).
        reply({ id: passed.id, status: res.statusCode ?? 502, headers: res.rawHeaders, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', fail);
    req.end(passed.body);
  }

  #receive(message: FromServing): void {
    if (message.kind === 'stopped') void this.#worker.terminate();
    if (message.kind === 'request') this.#answer(message);
    if (message.kind !== 'batch') return;
    if (message.log) {
      const { buffer } = message.log;
      this.#sinks.log(message.log, () => {
        if (!this.#stopped) this.#worker.postMessage({ kind: 'recycle', buffer } satisfies ToServing, [buffer]);
      });
    }
    if (message.requests) this.#sinks.requests(message.requests);
    if (message.polls) this.#sinks.polls(message.polls);
    if (message.flushed !== undefined) {
      this.#flushes.get(message.flushed)?.();
      this.#flushes.delete(message.flushed);
    }
  }
}

/**
 * The store, telling `changed` about each channel whose revision moved once a write or a sync has
 * finished (the serving thread then stops answering with what it was given for that channel).
 */
export function watchRevisions(store: Store, channelIds: readonly string[], changed: (channelId: string) => void): Store {
  const seen = new Map(channelIds.map((id) => [id, store.revision(id)]));
  const look = () => {
    for (const id of channelIds) {
      const revision = store.revision(id);
      if (seen.get(id) !== revision) {
        seen.set(id, revision);
        changed(id);
      }
    }
  };
  const after = async <T>(write: Promise<T>): Promise<T> => {
    try {
      return await write;
    } finally {
      look();
    }
  };
  return {
    items: (id) => store.items(id),
    revision: (id) => store.revision(id),
    sourceStates: (id) => store.sourceStates(id),
    apply: (id, batch) => after(store.apply(id, batch)),
    archiveMonths: (id) => store.archiveMonths(id),
    archivedItems: (id, month) => store.archivedItems(id, month),
    deleteItem: (id, itemId, now) => after(store.deleteItem(id, itemId, now)),
    updateSourceState: (id, sourceId, change) => after(store.updateSourceState(id, sourceId, change)),
    sync: () => after(store.sync()),
    close: () => store.close(),
  };
}

/** Two connected in-memory streams: what one is written, the other reads. */
function connectionPair(): [Duplex, Duplex] {
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        peer().push(chunk);
        done();
      },
      final(done) {
        peer().push(null);
        done();
      },
    });
  const a: Duplex = make(() => b);
  const b: Duplex = make(() => a);
  return [a, b];
}
