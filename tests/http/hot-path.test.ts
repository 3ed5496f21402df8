// The fast path remembers, for the rest of the current second, what each plain feed URL was answered
// with (src/http/public-feeds.ts). With the clock held inside one second, every answer below comes
// from that memory after the first: a change to the channel, another content coding or a browser's
// Accept must still get what the full path would send. Real FileStore, real sockets.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingHttpHeaders, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { OutputCache } from '../../src/http/output-cache.js';
import { PublicFeeds } from '../../src/http/public-feeds.js';
import { FileStore } from '../../src/store/files/file-store.js';
import { Cadence } from '../../src/schedule/cadence.js';
import { LICENSE, benchChannel, benchItems } from '../../bench/documents.js';
import { tempDir } from '../helpers/temp.js';

function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('fast path within one second', () => {
  const channel = benchChannel();
  const items = benchItems(10);
  // Held still: every request below falls in the same second.
  const now = new Date('2026-11-30T09:00:00.250Z');
  let store: FileStore;
  let origin: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    const data = await tempDir('syndicator-hot-path-');
    cleanups.push(data.dispose);
    store = await FileStore.open(data.dir, [channel.id]);
    cleanups.push(() => store.close());
    await store.apply(channel.id, { items, sourceStates: [], maxItems: 500, now });
    const cache = new OutputCache({ store, licenses: new Map([[LICENSE.id, LICENSE]]), baseUrl: 'http://127.0.0.1', now: () => now });
    const feeds = new PublicFeeds({
      cache,
      channels: new Map([[channel.id, channel]]),
      cadences: new Map([[channel.id, new Cadence(channel.schedule, channel.timezone)]]),
      baseUrl: 'http://127.0.0.1',
      now: () => now,
    });
    const server = createServer((req, res) => {
      if (!feeds.answer(req, res)) res.writeHead(404).end();
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(() => new Promise((r) => server.close(r)));
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('a change to the channel is served at once, with a new ETag, and 304 only for the new one', async () => {
    const first = await rawGet(`${origin}/feeds/bench.rss`);
    const again = await rawGet(`${origin}/feeds/bench.rss`);
    assert.equal(again.headers.etag, first.headers.etag);
    assert.equal((await rawGet(`${origin}/feeds/bench.rss`, { 'If-None-Match': String(first.headers.etag) })).status, 304);

    await store.apply(channel.id, { items: [{ ...items[9]!, title: '更正后的标题', contentHash: 'corrected' }], sourceStates: [], maxItems: 500, now });
    const changed = await rawGet(`${origin}/feeds/bench.rss`);
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, first.headers.etag);
    assert.match(changed.body.toString('utf8'), /更正后的标题/);
    assert.equal((await rawGet(`${origin}/feeds/bench.rss`, { 'If-None-Match': String(first.headers.etag) })).status, 200);
    assert.equal((await rawGet(`${origin}/feeds/bench.rss`, { 'If-None-Match': String(changed.headers.etag) })).status, 304);
  });

  it('each poll gets its own coding and, for a browser, the XML type, whatever was asked before', async () => {
    const plain = await rawGet(`${origin}/feeds/bench.atom`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['content-type'], 'application/atom+xml; charset=utf-8');
    // The gzip form is compressed off the event loop on first demand: ask until it is ready.
    let zipped = await rawGet(`${origin}/feeds/bench.atom`, { 'Accept-Encoding': 'gzip' });
    zipped = await rawGet(`${origin}/feeds/bench.atom`, { 'Accept-Encoding': 'gzip' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(zipped.body), plain.body);
    assert.equal(zipped.headers.etag, `${String(plain.headers.etag).slice(0, -1)}-gzip"`);

    const identityAgain = await rawGet(`${origin}/feeds/bench.atom`);
    assert.equal(identityAgain.headers['content-encoding'], undefined);
    assert.deepEqual(identityAgain.body, plain.body);

    const browser = await rawGet(`${origin}/feeds/bench.atom`, { Accept: 'text/html,application/xhtml+xml' });
    assert.equal(browser.headers['content-type'], 'application/xml; charset=utf-8');
    assert.deepEqual(browser.body, plain.body);
  });

  it('?limit forms are remembered apart from the plain URL', async () => {
    const five = await rawGet(`${origin}/feeds/bench.json?limit=5`);
    const all = await rawGet(`${origin}/feeds/bench.json`);
    const fiveAgain = await rawGet(`${origin}/feeds/bench.json?limit=5`);
    const count = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { items: unknown[] }).items.length;
    assert.equal(count(five.body), 5);
    assert.equal(count(all.body), 10);
    assert.equal(count(fiveAgain.body), 5);
  });
});
