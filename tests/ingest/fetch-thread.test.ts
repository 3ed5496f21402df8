// The fetch thread (src/ingest/worker/fetch-pool.ts): an ingest's upstream requests run in a worker
// thread and only the finished body reaches the caller. undici announces every request it makes on a
// diagnostics channel of the thread that makes it, so the serving thread's channel shows whether the
// bytes were read here.

import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { FetchError } from '../../src/ingest/errors.js';
import { fetchDocument, type FetchOptions } from '../../src/ingest/fetch/fetcher.js';
import { isAllowed } from '../../src/ingest/fetch/robots.js';
import { closeFetchPool, fetchOffThread, robotsOffThread } from '../../src/ingest/worker/fetch-pool.js';
import { ETAG, startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';

const feedsDir = fileURLToPath(new URL('../../feeds/', import.meta.url));
const opts: FetchOptions = { feedsDir, timeoutMs: 5000, maxBytes: 16 * 1024 * 1024, userAgent: 'syndicator-test/1' };

/** How many requests undici made on this thread while `run` ran. */
async function requestsHere<T>(run: () => Promise<T>): Promise<{ result: T; requests: number }> {
  let requests = 0;
  const count = () => {
    requests += 1;
  };
  dc.subscribe('undici:request:create', count);
  try {
    return { result: await run(), requests };
  } finally {
    dc.unsubscribe('undici:request:create', count);
  }
}

describe('fetchOffThread', () => {
  let server: FixtureServer;
  const large = randomBytes(6 * 1024 * 1024);
  before(async () => {
    server = await startFixtureServer([
      { path: '/large', body: large, headers: { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"big"' } },
      { path: '/small', body: '<rss version="2.0"><channel><title>s</title></channel></rss>' },
      { path: '/busy', status: 503, body: 'later', headers: { 'retry-after': '120' } },
      { path: '/robots.txt', body: 'User-agent: *\nDisallow: /private/\n\nUser-agent: Syndicator\nDisallow: /drafts/\n' },
      { path: '/to-inside', status: 302, body: '', headers: { location: 'http://127.0.0.2:9/secret' } },
    ]);
  });
  after(async () => {
    await server.close();
    await closeFetchPool();
  });

  it('returns a several-MB body byte for byte, read by another thread than this one', async () => {
    const { result, requests } = await requestsHere(() => fetchOffThread(server.url('/large'), opts));
    assert.equal(requests, 0);
    assert.equal(result.kind, 'ok');
    assert.ok(result.kind === 'ok');
    assert.ok(Buffer.isBuffer(result.body));
    assert.ok(result.body.equals(large));
    assert.equal(result.contentType, 'application/rss+xml; charset=utf-8');
    assert.equal(result.etag, '"big"');
    assert.equal(result.url, server.url('/large'));
    // The same request made on this thread is seen here: the count above can tell the two apart.
    const here = await requestsHere(() => fetchDocument(server.url('/small'), opts));
    assert.equal(here.requests, 1);
  });

  it('passes a small body, one in Buffer\'s shared pool, as it came', async () => {
    const result = await fetchOffThread(server.url('/small'), opts);
    assert.ok(result.kind === 'ok');
    assert.equal(result.body.toString(), '<rss version="2.0"><channel><title>s</title></channel></rss>');
  });

  it('rejects with the FetchError of the thread, status and Retry-After included', async () => {
    await assert.rejects(fetchOffThread(server.url('/busy'), opts), (err: unknown) => {
      assert.ok(err instanceof FetchError);
      assert.equal(err.message, `fetcher: ${server.url('/busy')} answered 503 Service Unavailable`);
      assert.equal(err.status, 503);
      assert.equal(err.retryAfter, '120');
      return true;
    });
  });

  it('refuses a redirect into a private network there, as a caller that allows only the upstream asked', async () => {
    const { result, requests } = await requestsHere(() =>
      fetchOffThread(server.url('/to-inside'), { ...opts, privateHostsAllowed: [new URL(server.origin).host] }).then(
        () => 'fetched',
        (err: unknown) => (err instanceof FetchError ? err.message : String(err)),
      ),
    );
    assert.equal(result, `fetcher: ${server.url('/to-inside')} redirects to http://127.0.0.2:9/secret: refused: 127.0.0.2 is a loopback, private or link-local address`);
    assert.equal(requests, 0);
  });

  it('reads a robots.txt into the rules for a product token there; they decide here as parsed', async () => {
    const { result: rules, requests } = await requestsHere(() => robotsOffThread(server.url('/robots.txt'), opts, 'Syndicator'));
    assert.equal(requests, 0);
    assert.equal(isAllowed(rules, '/drafts/1.html'), false);
    assert.equal(isAllowed(rules, '/private/1.html'), true, 'our own group applies, not *');
    const others = await robotsOffThread(server.url('/robots.txt'), opts, 'OtherBot');
    assert.equal(isAllowed(others, '/private/1.html'), false);
  });

  it('answers not-modified to a conditional request the upstream turns down', async () => {
    const result = await fetchOffThread(server.url('/etag'), { ...opts, etag: ETAG });
    assert.equal(result.kind, 'not-modified');
  });

  it('keeps the byte limit: a body over maxBytes is an error, not a truncated document', async () => {
    await assert.rejects(fetchOffThread(server.url('/large'), { ...opts, maxBytes: 1024 * 1024 }), /^FetchError: fetcher: body exceeds 1048576 bytes$/);
  });

  it('reads local documents and refuses paths leaving the feeds directory', async () => {
    const local = await fetchOffThread('samples/steel-enterprise.rss.xml', opts);
    assert.ok(local.kind === 'ok');
    assert.match(local.body.toString('utf8', 0, 200), /<rss/);
    await assert.rejects(fetchOffThread('../package.json', opts), /fetcher: refusing path "\.\.\/package\.json": it leaves the feeds directory/);
  });

  it('runs many requests at once: one that hangs does not hold the others back', async () => {
    let hangingSettled = false;
    const hanging = fetchOffThread(server.url('/hang'), { ...opts, timeoutMs: 3000 }).finally(() => {
      hangingSettled = true;
    });
    const quick = await Promise.all(Array.from({ length: 5 }, () => fetchOffThread(server.url('/small'), opts)));
    assert.deepEqual(quick.map((r) => r.kind), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.equal(hangingSettled, false);
    await assert.rejects(hanging, /fetcher: (no response within|timed out after) 3000 ms/);
  });
});
