// The serving thread (src/http/serving-worker.ts) owns the public socket of a real service: repeated
// polls of a plain feed URL are answered there, even while the main thread is busy; everything else is
// passed to the main thread and answered as before. What those polls leave — access lines, request
// counts, subscriber statistics — arrives in the main thread. Real service, real sockets, a poller in
// a process of its own.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, type IncomingHttpHeaders, createServer, request } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/env.js';
import { ServingThread } from '../../src/http/serving-thread.js';
import { type Service, startService } from '../../src/main.js';
import { copyOfFeeds, tempDir } from '../helpers/temp.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer; agent?: Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.agent && { agent: options.agent }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Resolves just after the clock enters a new second, so that what follows happens within one second. */
async function startOfSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
}

/** Blocks this (the main) thread for `ms`. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

// A poller in a process of its own: it polls `url` with `etag` over one kept-alive connection and prints
// "<time ms> <status> <etag>" per answer until its stdin closes.
const POLLER = `
const http = require('node:http');
const [url, etag] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let open = true;
process.stdin.on('end', () => { open = false; }).resume();
(function poll() {
  if (!open) { agent.destroy(); return; }
  http.get(url, { agent, headers: { 'If-None-Match': etag, 'User-Agent': 'newsboat/2.30' } }, (res) => {
    res.resume();
    res.on('end', () => { process.stdout.write(Date.now() + ' ' + res.statusCode + ' ' + res.headers.etag + '\\n'); poll(); });
  }).on('error', (err) => { process.stdout.write('error ' + err.message + '\\n'); });
})();
`;

describe('the serving thread', () => {
  let service: Service;
  const lines: Record<string, unknown>[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let feed: string;

  before(async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-serving-');
    cleanups.push(feeds.dispose, data.dispose);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    service = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', FEEDS_DIR: feeds.dir, DATA_DIR: data.dir }), pino({ level: 'info' }, sink));
    await service.scheduler.runNow(service.channels.find((c) => c.id === 'enterprise')!);
    feed = `${service.url}/feeds/enterprise.rss`;
  });

  after(async () => {
    await service.stop();
    for (const dispose of cleanups) await dispose();
  });

  it('answers polls while the main thread is busy', async () => {
    const { headers } = await send(feed);
    const etag = String(headers.etag);
    const poller = spawn(process.execPath, ['-e', POLLER, feed, etag], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    poller.stdout.on('data', (c: Buffer) => (out += c.toString()));
    // The poller is running before the main thread stops.
    while (!out.includes('\n')) await once(poller.stdout, 'data');
    await startOfSecond();
    // This second's first poll goes through the main thread, which hands the answer to the serving thread.
    await new Promise((r) => setTimeout(r, 50));
    const blockedFrom = Date.now();
    busy(400);
    const blockedTo = Date.now();
    poller.stdin.end();
    await once(poller, 'exit');
    const answers = out
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    assert.deepEqual(answers.filter((a) => a[0] === 'error'), []);
    const during = answers.filter(([at]) => Number(at) > blockedFrom && Number(at) < blockedTo);
    assert.ok(during.length >= 5, `only ${during.length} answers while the main thread was blocked for 400 ms`);
    for (const [, status, tag] of during) assert.deepEqual([status, tag], ['304', etag]);
  });

  it('at the turn of a second, passes one poll of a URL to the main thread and answers the others with what comes back', async () => {
    const etag = String((await send(feed)).headers.etag);
    const clients = 20;
    // 20 connections polling at once, when told to (a line on stdin); each prints its status.
    const burst = spawn(
      process.execPath,
      [
        '-e',
        `const http = require('node:http');
         const [url, etag, n] = process.argv.slice(1);
         process.stdin.once('data', () => {
           for (let i = 0; i < Number(n); i += 1) {
             http.get(url, { agent: false, headers: { 'If-None-Match': etag, 'User-Agent': 'newsboat/2.30' } }, (res) => {
               res.resume();
               res.on('end', () => process.stdout.write(res.statusCode + '\\n'));
             }).on('error', (err) => process.stdout.write('error ' + err.message + '\\n'));
           }
         });`,
        feed,
        etag,
        String(clients),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    burst.stdout.on('data', (c: Buffer) => (out += c.toString()));
    // The previous second's answer has expired; the main thread is busy while the 20 polls arrive, so the
    // first one passed on waits for it and the others arrive meanwhile.
    await startOfSecond();
    const passedBefore = service.serving.passed;
    burst.stdin.write('go\n');
    busy(300);
    while (out.split('\n').filter(Boolean).length < clients) await once(burst.stdout, 'data');
    burst.stdin.end();
    await once(burst, 'exit');
    assert.deepEqual(out.split('\n').filter(Boolean), Array.from({ length: clients }, () => '304'));
    // One, or two if the main thread's answer came only in the next second (a loaded machine): not 20.
    const passed = service.serving.passed - passedBefore;
    assert.ok(passed >= 1 && passed <= 2, `${passed} of ${clients} polls were passed to the main thread`);
  });

  it('reports on /metrics how many requests it passed to the main thread', async () => {
    const scrape = async () => Number(/^syndicator_serving_passed_total (\d+)$/m.exec((await send(`${service.url}/metrics`)).body.toString())?.[1]);
    const etag = String((await send(feed)).headers.etag);
    const before = await scrape();
    for (let i = 0; i < 10; i += 1) assert.equal((await send(feed, { headers: { 'If-None-Match': etag } })).status, 304);
    const after = await scrape();
    // The second scrape itself, and at most the first poll of each new second: not the ten polls.
    assert.ok(after - before >= 1 && after - before <= 3, `${after - before} passed for ten polls and a scrape`);
    assert.equal(after, service.serving.passed);
  });

  it('answers gzip polls with 304 for the gzip ETag or the identity one, and 200 for a stale one', async () => {
    const gzip = { 'Accept-Encoding': 'gzip' };
    const first = await send(feed, { headers: gzip });
    assert.equal(first.headers['content-encoding'], 'gzip');
    const gzipTag = String(first.headers.etag);
    const identityTag = String((await send(feed)).headers.etag);
    assert.notEqual(gzipTag, identityTag);
    const passedBefore = service.serving.passed;
    for (let i = 0; i < 5; i += 1) {
      const polled = await send(feed, { headers: { ...gzip, 'If-None-Match': gzipTag } });
      assert.deepEqual([polled.status, polled.headers.etag, polled.body.length], [304, gzipTag, 0]);
      assert.equal((await send(feed, { headers: { ...gzip, 'If-None-Match': identityTag } })).status, 304);
      const stale = await send(feed, { headers: { ...gzip, 'If-None-Match': '"not-this-one"' } });
      assert.deepEqual([stale.status, stale.headers['content-encoding']], [200, 'gzip']);
    }
    // At most the first poll of a new second went to the main thread: the serving thread answered the rest.
    assert.ok(service.serving.passed - passedBefore <= 2, `${service.serving.passed - passedBefore} of 15 polls passed on`);
  });

  it('serves a change at once, within the same second', async () => {
    const channel = service.channels.find((c) => c.id === 'enterprise')!;
    let attempt = 0;
    let withinOneSecond = false;
    let before = '';
    let afterChange: Answer | undefined;
    while (!withinOneSecond && attempt < 5) {
      attempt += 1;
      await startOfSecond();
      const second = Math.floor(Date.now() / 1000);
      await send(feed);
      before = String((await send(feed)).headers.etag);
      const [item] = service.store.items(channel.id);
      await service.store.apply(channel.id, {
        items: [{ ...item!, title: `${item!.title} (corrected ${attempt})`, contentHash: `corrected-${attempt}-${Date.now()}` }],
        sourceStates: [],
        maxItems: channel.maxItems,
        now: new Date(),
      });
      afterChange = await send(feed);
      withinOneSecond = Math.floor(Date.now() / 1000) === second;
    }
    assert.equal(withinOneSecond, true, 'five attempts never fitted in one second');
    assert.notEqual(afterChange!.headers.etag, before);
    assert.match(afterChange!.body.toString(), new RegExp(`\\(corrected ${attempt}\\)`));
  });

  it('passes every other request to the main thread, body and all', async () => {
    const health = await send(`${service.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.body.toString(), 'ok\n');
    const missing = await send(`${service.url}/nope`);
    assert.equal(missing.status, 404);
    const head = await send(feed, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(Number(head.headers['content-length']) > 1000);
    // A reprint report without a key: the main thread's route reads the body and refuses it.
    const report = await send(`${service.url}/partner/reprints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ itemId: 'x', url: 'http://example.test/a' })),
    });
    assert.equal(report.status, 401);
    assert.match(report.body.toString(), /key/);
    const huge = await send(`${service.url}/partner/reprints`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
    assert.equal(huge.status, 413);
  });

  it('counts, logs and records every poll it answers', async () => {
    const metricsBefore = (await send(`${service.url}/metrics`)).body.toString();
    const linesBefore = lines.filter((l) => l.msg === 'http: request' && l.url === '/feeds/enterprise.rss').length;
    const etag = String((await send(feed)).headers.etag);
    const polls = 40;
    for (let i = 0; i < polls; i += 1) {
      const agent = i % 2 === 0 ? 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers)' : 'newsboat/2.30';
      const { status } = await send(feed, { headers: { 'If-None-Match': etag, 'User-Agent': agent } });
      assert.equal(status, 304);
    }
    // One connection polls the RSS feed and then the Atom feed (which another connection polled first
    // in that second, so the serving thread answers it): the Atom poll counts for the Atom feed.
    const atom = `${service.url}/feeds/enterprise.atom`;
    const reader = new Agent({ keepAlive: true, maxSockets: 1 });
    const newsBlur = { 'User-Agent': 'NewsBlur Feed Fetcher - 7 subscribers - http://www.newsblur.com/site/9/ (test)' };
    await startOfSecond();
    const atomTag = String((await send(atom)).headers.etag);
    assert.equal((await send(feed, { headers: { ...newsBlur, 'If-None-Match': etag }, agent: reader })).status, 304);
    assert.equal((await send(feed, { headers: { ...newsBlur, 'If-None-Match': etag }, agent: reader })).status, 304);
    assert.equal((await send(atom, { headers: { ...newsBlur, 'If-None-Match': atomTag }, agent: reader })).status, 304);
    reader.destroy();
    const metricsAfter = (await send(`${service.url}/metrics`)).body.toString();
    const total = (text: string) =>
      [...text.matchAll(/^syndicator_http_requests_total\{route="\/feeds\/:file",status="(\d+)"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[2]), 0);
    assert.equal(total(metricsAfter) - total(metricsBefore), polls + 1 + 4);

    const logged = lines.filter((l) => l.msg === 'http: request' && l.url === '/feeds/enterprise.rss').slice(linesBefore);
    assert.equal(logged.length, polls + 3);
    for (const line of logged.slice(1)) {
      assert.equal(line.level, 30);
      assert.equal(line.method, 'GET');
      assert.equal(line.status, 304);
      assert.equal(typeof line.durationMs, 'number');
      assert.equal(typeof line.time, 'number');
    }

    const status = JSON.parse((await send(`${service.url}/status`)).body.toString()) as {
      channels: { id: string; subscribers: { format: string; hosted: number; direct: number }[] }[];
    };
    const rss = status.channels.find((c) => c.id === 'enterprise')!.subscribers.find((s) => s.format === 'rss')!;
    assert.equal(rss.hosted, 42 + 7);
    assert.ok(rss.direct >= 1);
    const atomStats = status.channels.find((c) => c.id === 'enterprise')!.subscribers.find((s) => s.format === 'atom')!;
    assert.equal(atomStats.hosted, 7);
  });
});

describe('the serving thread on an address in use', () => {
  it('fails the start with the listen error, naming the address', async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-serving-busy-');
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const port = String((taken.address() as AddressInfo).port);
      await assert.rejects(
        startService(loadConfig({ PORT: port, HOST: '127.0.0.1', FEEDS_DIR: feeds.dir, DATA_DIR: data.dir }), pino({ level: 'silent' })),
        (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE' && err.message.includes(`127.0.0.1:${port}`),
      );
    } finally {
      taken.close();
      await feeds.dispose();
      await data.dispose();
    }
  });
});

/** One connection speaking HTTP/1.1 by hand: each answer's status and head, and when the server closed it. */
class Connection {
  readonly #socket: Socket;
  #received = Buffer.alloc(0);
  #more: (() => void) | undefined;
  /** Resolves once connected: what is asked from then on is sent at once. */
  readonly opened: Promise<unknown>;
  /** Resolves with the time (ms) the server closed the connection. */
  readonly closed: Promise<number>;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.#socket = connect(Number(port), hostname);
    this.opened = once(this.#socket, 'connect');
    this.#socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#more?.();
    });
    this.closed = new Promise((resolve) => this.#socket.on('close', () => {
      resolve(Date.now());
      this.#more?.();
    }));
  }

  /** Sends `request` (a whole head) and reads one answer with a Content-Length body, or none (304, HEAD). */
  async ask(request: string, bodyless = false): Promise<{ status: number; head: string }> {
    this.#socket.write(request);
    for (;;) {
      const end = this.#received.indexOf('\r\n\r\n');
      if (end >= 0) {
        // Each header line with its CRLF.
        const head = this.#received.subarray(0, end + 2).toString('latin1');
        const status = Number(head.slice(9, 12));
        const length = bodyless || status === 304 ? 0 : Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
        if (this.#received.length >= end + 4 + length) {
          this.#received = this.#received.subarray(end + 4 + length);
          return { status, head };
        }
      }
      if (this.#socket.destroyed) throw new Error('the server closed the connection before answering');
      await new Promise<void>((resolve) => (this.#more = resolve));
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

describe('the serving thread\'s kept-alive connections', () => {
  let service: Service;
  const cleanups: (() => Promise<void>)[] = [];
  const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;

  before(async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-keep-alive-');
    cleanups.push(feeds.dispose, data.dispose);
    const config = { PORT: '0', HOST: '127.0.0.1', FEEDS_DIR: feeds.dir, DATA_DIR: data.dir, KEEP_ALIVE_TIMEOUT_MS: '1000' };
    service = await startService(loadConfig(config), pino({ level: 'silent' }));
  });

  after(async () => {
    await service.stop();
    for (const dispose of cleanups) await dispose();
  });

  it('says how long an idle connection is kept, and closes it once that has passed', { timeout: 20_000 }, async () => {
    const connection = new Connection(service.url);
    // The first poll of a second goes through the main thread, the next ones are answered in the serving thread.
    const answers = [await connection.ask(get('/feeds/enterprise.rss')), await connection.ask(get('/feeds/enterprise.rss')), await connection.ask(get('/healthz'))];
    const idleFrom = Date.now();
    for (const { status, head } of answers) {
      assert.equal(status, 200);
      assert.match(head, /\r\nKeep-Alive: timeout=1\r\n/);
      assert.match(head, /\r\nConnection: keep-alive\r\n/);
    }
    const closedAt = await connection.closed;
    assert.ok(closedAt - idleFrom >= 1000, `closed after ${closedAt - idleFrom} ms, before the 1 s it said`);
  });

  it('keeps a connection that polls more often than that', { timeout: 20_000 }, async () => {
    const connection = new Connection(service.url);
    let closed = false;
    void connection.closed.then(() => (closed = true));
    for (let i = 0; i < 8; i += 1) {
      assert.equal((await connection.ask(get('/feeds/enterprise.rss'))).status, 200);
      await new Promise((r) => setTimeout(r, 400));
    }
    assert.equal(closed, false);
    connection.close();
  });

  it('keeps a connection while the main thread answers it, however long that takes', { timeout: 20_000 }, async () => {
    const connection = new Connection(service.url);
    await connection.opened;
    // The request is sent, and the main thread that is to answer it stops at once, for longer than the
    // timeout and its margin.
    const answered = connection.ask(get('/healthz'));
    busy(2500);
    assert.equal((await answered).status, 200);
    connection.close();
  });

  it('does not say Keep-Alive on an answer after which the connection closes', async () => {
    for (const request of [get('/feeds/enterprise.rss', 'Connection: close\r\n'), 'GET /feeds/enterprise.rss HTTP/1.0\r\n\r\n']) {
      const connection = new Connection(service.url);
      const { status, head } = await connection.ask(request);
      assert.equal(status, 200);
      assert.doesNotMatch(head, /keep-alive/i);
      assert.match(head, /\r\nConnection: close\r\n/);
      await connection.closed;
    }
  });

  it('closes a connection that never sends anything', { timeout: 20_000 }, async () => {
    const connection = new Connection(service.url);
    const openedAt = Date.now();
    const closedAt = await connection.closed;
    assert.ok(closedAt - openedAt >= 1000, `closed after ${closedAt - openedAt} ms`);
  });
});

describe('the serving thread, when the main thread cannot answer', () => {
  it('answers 502 (saying Keep-Alive, the connection stays open) and reports the failure', async () => {
    // A main-thread server that answers every request it is given with bytes that are not HTTP.
    const dropping = createServer((req) => req.socket.end('not HTTP\r\n\r\n'));
    const failures: string[] = [];
    const serving = await ServingThread.start(
      { host: '127.0.0.1', port: 0, server: dropping, channels: ['enterprise'], agentLength: 200, keepAliveMs: 1000 },
      { log: (_lines, written) => written(), requests: () => undefined, polls: () => undefined, failed: (request) => failures.push(request) },
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 2; i += 1) {
        const answer = await new Promise<Answer>((resolve, reject) => {
          const req = request(`http://127.0.0.1:${serving.address.port}/status`, { agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          });
          req.on('error', reject).end();
        });
        assert.equal(answer.status, 502);
        assert.equal(answer.headers['keep-alive'], 'timeout=1');
        assert.equal(answer.headers['cache-control'], 'no-store');
        assert.equal(answer.body.toString(), 'the service could not answer this request\n');
      }
      assert.deepEqual(failures, ['GET /status', 'GET /status']);
    } finally {
      agent.destroy();
      await serving.stop();
    }
  });
});
