import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FetchError } from '../../src/ingest/errors.js';
import { fetchDocument, type FetchOptions } from '../../src/ingest/fetch/fetcher.js';
import { ETAG, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';

const feedsDir = fileURLToPath(new URL('../../feeds/', import.meta.url));
const rssFile = path.join(feedsDir, 'samples/steel-enterprise.rss.xml');

const opts: FetchOptions = { feedsDir, timeoutMs: 5000, maxBytes: 1024 * 1024, userAgent: 'syndicator-test/1' };

/** Resolves when `promise` does, fails the test if that takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

describe('fetchDocument over http', () => {
  let server: FixtureServer;
  before(async () => {
    server = await startFixtureServer([
      { path: '/feed.xml', file: rssFile, headers: { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"abc"', 'last-modified': 'Fri, 28 Jun 2019 02:00:00 GMT' } },
      { path: '/moved', status: 301, body: '', headers: { location: '/feed.xml' } },
      { path: '/big', body: Buffer.alloc(4096, 0x20) },
    ]);
  });
  after(() => server.close());

  it('returns the body, content type, validators and the URL', async () => {
    const result = await fetchDocument(server.url('/feed.xml'), opts);
    assert.equal(result.kind, 'ok');
    assert.ok(result.kind === 'ok');
    assert.deepEqual(result.body, readFileSync(rssFile));
    assert.equal(result.contentType, 'application/rss+xml; charset=utf-8');
    assert.equal(result.url, server.url('/feed.xml'));
    assert.equal(result.etag, '"abc"');
    assert.equal(result.lastModified, 'Fri, 28 Jun 2019 02:00:00 GMT');
    const request = server.requests.at(-1)!;
    assert.equal(request.headers['user-agent'], 'syndicator-test/1');
    assert.match(request.headers.accept ?? '', /application\/rss\+xml/);
  });

  it('follows redirects and reports the final URL', async () => {
    const result = await fetchDocument(server.url('/moved'), opts);
    assert.equal(result.url, server.url('/feed.xml'));
  });

  it('names the status of a non-2xx answer', async () => {
    await assert.rejects(fetchDocument(server.url('/status/500'), opts), (err: unknown) => {
      assert.ok(err instanceof FetchError);
      assert.equal(err.message, `fetcher: ${server.url('/status/500')} answered 500 Internal Server Error`);
      assert.equal(err.status, 500);
      return true;
    });
  });

  it('times out a server that never answers, and really closes the socket', async () => {
    const started = Date.now();
    await assert.rejects(fetchDocument(server.url('/hang'), { ...opts, timeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof FetchError);
      assert.match(err.message, /^fetcher: timed out after 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 2000, 'rejected promptly');
    await within(server.socketClosed('/hang'), 1000, 'server-side socket close');
  });

  it('times out a body that trickles in', async () => {
    await assert.rejects(fetchDocument(server.url('/drip'), { ...opts, timeoutMs: 400 }), /^FetchError: fetcher: timed out after 400 ms/);
    await within(server.socketClosed('/drip'), 1000, 'server-side socket close');
  });

  it('stops reading a body past maxBytes and hangs up', async () => {
    await assert.rejects(fetchDocument(server.url('/endless'), { ...opts, maxBytes: 100_000 }), {
      name: 'FetchError',
      message: 'fetcher: body exceeds 100000 bytes',
    });
    await within(server.socketClosed('/endless'), 1000, 'server-side socket close');
  });

  it('refuses a body whose Content-Length is already over maxBytes', async () => {
    await assert.rejects(fetchDocument(server.url('/big'), { ...opts, maxBytes: 1000 }), { message: 'fetcher: body exceeds 1000 bytes' });
  });

  it('answers not-modified when the ETag still matches', async () => {
    const first = await fetchDocument(server.url('/etag'), opts);
    assert.ok(first.kind === 'ok');
    assert.equal(first.etag, ETAG);
    const second = await fetchDocument(server.url('/etag'), { ...opts, etag: first.etag });
    assert.equal(second.kind, 'not-modified');
    assert.equal(second.url, server.url('/etag'));
    const conditional = server.requests.at(-1)!;
    assert.equal(conditional.headers['if-none-match'], ETAG);
    assert.doesNotMatch(conditional.headers['cache-control'] ?? '', /no-cache/);
  });

  it('is cancelled by the caller signal', async () => {
    const controller = new AbortController();
    const pending = fetchDocument(server.url('/hang'), { ...opts, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, /^FetchError: fetcher: aborted/);
  });

  it('names the network error when nothing listens', async () => {
    const closed = await startFixtureServer();
    const url = closed.url('/feed.xml');
    await closed.close();
    await assert.rejects(fetchDocument(url, opts), /^FetchError: fetcher: GET http:\/\/127\.0\.0\.1:\d+\/feed\.xml failed: .*ECONNREFUSED/);
  });
});

describe('fetchDocument on local paths', () => {
  it('reads a path relative to feedsDir and reports its file:// URL', async () => {
    const result = await fetchDocument('samples/steel-enterprise.rss.xml', opts);
    assert.ok(result.kind === 'ok');
    assert.deepEqual(result.body, readFileSync(rssFile));
    assert.equal(result.url, pathToFileURL(rssFile).href);
    assert.equal(result.contentType, undefined);
  });

  it('refuses absolute paths and paths leaving feedsDir', async () => {
    await assert.rejects(fetchDocument(rssFile, opts), /^FetchError: fetcher: refusing absolute path/);
    await assert.rejects(fetchDocument('../package.json', opts), { message: 'fetcher: refusing path "../package.json": it leaves the feeds directory' });
    await assert.rejects(fetchDocument('samples/../../package.json', opts), /leaves the feeds directory/);
  });

  it('refuses a symlink pointing outside feedsDir', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syndicator-feeds-'));
    try {
      const outside = path.join(dir, 'outside.xml');
      writeFileSync(outside, '<rss/>');
      const feeds = mkdtempSync(path.join(dir, 'feeds-'));
      symlinkSync(outside, path.join(feeds, 'link.xml'));
      await assert.rejects(fetchDocument('link.xml', { ...opts, feedsDir: feeds }), /links outside the feeds directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses other schemes and reports missing files', async () => {
    await assert.rejects(fetchDocument('file:///etc/passwd', opts), /^FetchError: fetcher: unsupported location "file:\/\/\/etc\/passwd"/);
    await assert.rejects(fetchDocument('ftp://example.cn/feed.xml', opts), /unsupported location/);
    await assert.rejects(fetchDocument('samples/missing.xml', opts), /^FetchError: fetcher: cannot read "samples\/missing.xml" .*ENOENT/);
  });

  it('applies maxBytes to local files', async () => {
    await assert.rejects(fetchDocument('samples/steel-enterprise.rss.xml', { ...opts, maxBytes: 100 }), { message: 'fetcher: body exceeds 100 bytes' });
  });
});

describe('fetchDocument: bodies of several MB', () => {
  // Bytes that differ along the body, so a chunk copied to the wrong place would show.
  const body = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < body.length; i += 1) body[i] = (i * 31 + (i >> 12)) & 0xff;
  const big: FetchOptions = { ...opts, maxBytes: 8 * 1024 * 1024 };
  let server: Server;
  let origin = '';
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/declared') return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
      if (req.url === '/chunked') {
        // No Content-Length: sent in pieces, as a streaming upstream does.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let at = 0; at < body.length; at += 100_000) res.write(body.subarray(at, at + 100_000));
        return void res.end();
      }
      if (req.url === '/short') {
        // Declares the whole body, sends two thirds of it and hangs up.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        res.write(body.subarray(0, 2 * 1024 * 1024), () => res.socket?.destroy());
        return;
      }
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('a body of declared length arrives byte for byte', async () => {
    const result = await fetchDocument(`${origin}/declared`, big);
    assert.ok(result.kind === 'ok');
    assert.equal(result.body.length, body.length);
    assert.ok(result.body.equals(body));
  });

  it('a body without a declared length arrives byte for byte', async () => {
    const result = await fetchDocument(`${origin}/chunked`, big);
    assert.ok(result.kind === 'ok');
    assert.ok(result.body.equals(body));
  });

  it('a body cut short of its declared length is an error, never a truncated document', async () => {
    await assert.rejects(fetchDocument(`${origin}/short`, big), (err: unknown) => {
      assert.ok(err instanceof FetchError, String(err));
      assert.match(err.message, /\/short/);
      return true;
    });
  });
});
