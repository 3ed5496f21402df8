// The fetcher against the hostile routes, one at a time: redirects (followed by hand, at most 5, loops
// and non-http hops named), a gzip bomb stopped by the cap on decompressed bytes, and the headers
// timeout distinct from the total one.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchDocument, MAX_REDIRECTS, type FetchOptions } from '../../src/ingest/fetch/fetcher.js';
import { HostPolicy } from '../../src/ingest/fetch/polite.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-server.js';
import { FEEDS_DIR } from '../helpers/temp.js';

const CAP = 64 * 1024;
const opts: FetchOptions = { feedsDir: FEEDS_DIR, timeoutMs: 5000, maxBytes: CAP, userAgent: 'syndicator-test/1' };

describe('fetchDocument against hostile upstreams', () => {
  let server: HostileServer;
  before(async () => {
    server = await startHostileServer({ bodyCap: CAP, retryAt: new Date(Date.now() + 3600_000) });
  });
  after(() => server.close());

  it(`follows up to ${MAX_REDIRECTS} redirects and reports the final URL`, async () => {
    const result = await fetchDocument(server.url(`/chain/${MAX_REDIRECTS}`), opts);
    assert.equal(result.kind, 'ok');
    assert.equal(result.url, server.url('/chain/0'));
  });

  it('refuses a sixth redirect, naming the chain', async () => {
    await assert.rejects(fetchDocument(server.url(`/chain/${MAX_REDIRECTS + 1}`), opts), (err: Error) => {
      assert.match(err.message, /^fetcher: more than 5 redirects: http:\S+\/chain\/6 → .* → \S+\/chain\/0$/);
      return true;
    });
  });

  it('names a redirect loop', async () => {
    await assert.rejects(fetchDocument(server.url('/redirect-loop'), opts), /^FetchError: fetcher: redirect loop: \S+\/redirect-loop → \S+\/redirect-loop-2 → \S+\/redirect-loop$/);
  });

  it('never follows a redirect to another scheme', async () => {
    await assert.rejects(fetchDocument(server.url('/to-file'), opts), /redirects to file: \(file:\/\/\/etc\/passwd\); only http\(s\) is followed/);
  });

  it('stops a gzip bomb once the decompressed bytes pass the cap, quickly and without holding the bomb', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    await assert.rejects(fetchDocument(server.url('/gzip-bomb'), opts), /body exceeds 65536 bytes once decompressed/);
    assert.ok(performance.now() - started < 2000);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024);
  });

  it('returns Retry-After on a 429 / 503 error', async () => {
    await assert.rejects(fetchDocument(server.url('/status-503'), opts), (err: Error & { status?: number; retryAfter?: string }) => {
      assert.equal(err.status, 503);
      assert.equal(err.retryAfter, '7200');
      return true;
    });
  });

  it('gives up on a server that accepts but never answers after the headers timeout, before the total one', async () => {
    const started = performance.now();
    await assert.rejects(fetchDocument(server.url('/hang'), { ...opts, timeoutMs: 5000, connectTimeoutMs: 300 }), /^FetchError: fetcher: no response within 300 ms/);
    assert.ok(performance.now() - started < 2000);
  });

  it('a slow drip is cut by the total timeout even though bytes keep coming', async () => {
    await assert.rejects(fetchDocument(server.url('/drip'), { ...opts, timeoutMs: 500 }), /^FetchError: fetcher: timed out after 500 ms/);
  });
});

describe('HostPolicy.exclusive: one feed request at a time per host', () => {
  let origin = '';
  let active = 0;
  let peak = 0;
  const server = createServer((_req, res) => {
    active += 1;
    peak = Math.max(peak, active);
    setTimeout(() => {
      active -= 1;
      res.end('ok');
    }, 50);
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serializes requests to one host, whichever run asks, without a pause', async () => {
    const hosts = new HostPolicy({ userAgent: 't', timeoutMs: 2000, maxBytes: 1024 });
    const started = performance.now();
    await Promise.all([1, 2, 3, 4].map((n) => hosts.exclusive(`${origin}/f${n}`, () => fetchDocument(`${origin}/f${n}`, opts))));
    assert.equal(peak, 1);
    assert.ok(performance.now() - started < 1000);
  });
});
