// Delivery as feed readers meet it: the service on a real socket, polled the way readers poll —
// compression, conditional requests, HEAD, cache lifetimes from the schedule, one render per change,
// RFC 5005 archives a new subscriber can walk back through, ?category=, a WebSub hub that hears about
// every change, subscriber counts in /status, and the fast path answering exactly like the Express route.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../helpers/log.js';
import { startService } from '../../src/main.js';
import type { Service } from '../../src/main.js';
import { ATOM_NS, FH_NS } from '../../src/render/namespaces.js';
import { readWithFeedparser } from '../helpers/feed-clients.js';
import { assertValidJsonFeed } from '../helpers/jsonfeed.js';
import { copyOfFeeds, tempDir } from '../helpers/temp.js';
import { attr, childNamed, childrenNamed, only, parseXml } from '../helpers/xml.js';

/** An upstream history over three months, so that retention moves the oldest items to the archive. */
function historyFeed(): string {
  const items = [
    ['h-0405', '四月上旬', 'Fri, 05 Apr 2019 10:00:00 +0800', '炼钢'],
    ['h-0420', '四月下旬', 'Sat, 20 Apr 2019 10:00:00 +0800', '轧钢'],
    ['h-0510', '五月', 'Fri, 10 May 2019 10:00:00 +0800', '炼钢'],
    ['h-0601', '六月初', 'Sat, 01 Jun 2019 10:00:00 +0800', '轧钢'],
    ['h-0615', '六月中', 'Sat, 15 Jun 2019 10:00:00 +0800', '炼钢'],
  ];
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>历史</title><link>http://history.example.cn/</link><description>d</description>
${items.map(([guid, title, date, category]) => `<item><title>${title}</title><link>http://history.example.cn/${guid}.html</link><guid isPermaLink="false">${guid}</guid><pubDate>${date}</pubDate><category>${category}</category><description>${title}的新闻。</description></item>`).join('\n')}
</channel></rss>`;
}

/** A WebSub hub stand-in on 127.0.0.1 that records every publish ping. */
async function startHub() {
  const pings: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      pings.push(new URLSearchParams(body));
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`, pings, close: () => server.close() };
}

/** A raw GET/HEAD over node:http (no automatic decompression), returning status, headers and bytes. */
function raw(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('delivery: caching, compression, archives, WebSub, subscribers', () => {
  let service: Service;
  let hub: Awaited<ReturnType<typeof startHub>>;
  const disposers: (() => unknown)[] = [];
  const url = (p: string) => `${service.url}${p}`;

  before(async () => {
    hub = await startHub();
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-delivery-');
    disposers.push(feeds.dispose, data.dispose, hub.close);
    await mkdir(path.join(feeds.dir, 'samples'), { recursive: true });
    await writeFile(path.join(feeds.dir, 'samples', 'history.rss.xml'), historyFeed());
    const metals = JSON.parse(await readFile(path.join(feeds.dir, 'metals.json'), 'utf8'));
    await writeFile(
      path.join(feeds.dir, 'history.json'),
      JSON.stringify({ ...metals, id: 'history', title: '历史频道', maxItems: 3, sources: [{ id: 'history-rss', type: 'feed', url: 'samples/history.rss.xml' }] }),
    );
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: data.dir,
      FEEDS_DIR: feeds.dir,
      BASE_URL: 'http://feeds.test',
      WEBSUB_HUB_URL: hub.url,
    });
    service = await startService(config, silentLogger());
    for (const channel of service.channels) await service.scheduler.runNow(channel);
  });

  after(async () => {
    await service?.stop();
    for (const dispose of disposers) await dispose();
  });

  test('gzip and brotli bodies decode to the identity bytes, each with its own strong ETag, all with Vary', async () => {
    const plain = await raw(url('/feeds/enterprise.atom'));
    const gz = await raw(url('/feeds/enterprise.atom'), { 'accept-encoding': 'gzip' });
    const br = await raw(url('/feeds/enterprise.atom'), { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(gunzipSync(gz.body), plain.body);
    assert.deepEqual(brotliDecompressSync(br.body), plain.body);
    assert.ok(br.body.length < plain.body.length / 3, `brotli ${br.body.length} of ${plain.body.length} bytes`);
    const tags = new Set([plain, gz, br].map((r) => r.headers.etag));
    assert.equal(tags.size, 3);
    for (const r of [plain, gz, br]) {
      assert.match(String(r.headers.etag), /^"[^"]+"$/);
      assert.equal(r.headers.vary, 'Accept-Encoding, Accept');
      assert.equal(Number(r.headers['content-length']), r.body.length);
    }
    const refused = await raw(url('/feeds/enterprise.atom'), { 'accept-encoding': 'br;q=0, gzip;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  test('304 for If-None-Match (any coding of the same document) and for If-Modified-Since; 200 once it is stale', async () => {
    const first = await raw(url('/feeds/enterprise.rss'), { 'accept-encoding': 'gzip' });
    const etag = String(first.headers.etag);
    const again = await raw(url('/feeds/enterprise.rss'), { 'accept-encoding': 'gzip', 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    const switched = await raw(url('/feeds/enterprise.rss'), { 'if-none-match': `"nope", ${etag}` });
    assert.equal(switched.status, 304, 'a client that now asks for identity still holds the current content');
    const since = await raw(url('/feeds/enterprise.rss'), { 'if-modified-since': String(first.headers['last-modified']) });
    assert.equal(since.status, 304);
    const older = new Date(Date.parse(String(first.headers['last-modified'])) - 1000).toUTCString();
    assert.equal((await raw(url('/feeds/enterprise.rss'), { 'if-modified-since': older })).status, 200);
    assert.equal((await raw(url('/feeds/enterprise.rss'), { 'if-none-match': '"stale"' })).status, 200);
  });

  test('HEAD answers the headers of the GET without a body; Cache-Control follows the schedule', async () => {
    const get = await raw(url('/feeds/metals.json'), { 'accept-encoding': 'br' });
    const head = await raw(url('/feeds/metals.json'), { 'accept-encoding': 'br' }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const h of ['content-type', 'content-length', 'etag', 'last-modified', 'content-encoding']) assert.equal(head.headers[h], get.headers[h], h);
    // metals runs hourly ("0 * * * *"): fresh until the next run, between one minute and one hour.
    const maxAge = Number(/^public, max-age=(\d+)$/.exec(String(get.headers['cache-control']))?.[1]);
    const untilNextHour = 3600 - ((Date.now() / 1000) % 3600);
    assert.ok(maxAge >= 60 && maxAge <= 3600 && Math.abs(maxAge - Math.max(60, untilNextHour)) < 5, `max-age ${maxAge}`);
  });

  test('each representation is rendered once per change, however often it is polled', async () => {
    const cache = service.app.outputCache;
    await raw(url('/feeds/metals.rss?limit=7'));
    const before = cache.renders;
    for (let i = 0; i < 20; i += 1) await raw(url('/feeds/metals.rss?limit=7'), { 'accept-encoding': i % 2 ? 'gzip' : 'br' });
    assert.equal(cache.renders, before, 'twenty polls, no render');
    await service.scheduler.runNow(service.channels.find((c) => c.id === 'metals')!);
    await raw(url('/feeds/metals.rss?limit=7'));
    assert.equal(cache.renders, before, 'an ingest that changes nothing renders nothing');
  });

  test('the fast path and the Express route send the same bytes and headers', async () => {
    const fast = await raw(url('/feeds/enterprise.json?limit=3'), { 'accept-encoding': 'gzip' });
    // A query the fast path does not take (an empty category filter is not allowed, so use a harmless duplicate form).
    const routed = await raw(url('/feeds/enterprise.json?limit=3&limit=3'), { 'accept-encoding': 'gzip' });
    assert.equal(routed.status, 400, 'a repeated limit is refused by the route, so the route really ran');
    const viaRoute = await raw(url('/feeds/enterprise.json?limit=03'), { 'accept-encoding': 'gzip' });
    assert.equal(viaRoute.status, 200);
    assert.deepEqual(viaRoute.body, fast.body);
    for (const h of ['etag', 'content-type', 'cache-control', 'vary', 'last-modified', 'content-encoding']) assert.equal(viaRoute.headers[h], fast.headers[h], h);
  });

  test('RFC 5005: the current document links the newest archive; archives chain back to the oldest month, marked fh:archive', async () => {
    const current = parseXml((await raw(url('/feeds/history.atom'))).body.toString());
    const link = (el: typeof current, rel: string) => childrenNamed(el, ATOM_NS, 'link').find((l) => attr(l, 'rel') === rel)?.['attributes'].href?.value;
    assert.equal(childrenNamed(current, ATOM_NS, 'entry').length, 3, 'maxItems 3 stay live');
    const seen = new Set(childrenNamed(current, ATOM_NS, 'entry').map((e) => only(e, ATOM_NS, 'id').text));
    let next = link(current, 'prev-archive');
    const months: string[] = [];
    while (next) {
      const page = await raw(next.replace('http://feeds.test', service.url));
      assert.equal(page.status, 200, next);
      assert.match(String(page.headers['cache-control']), /max-age=86400/);
      const doc = parseXml(page.body.toString());
      assert.ok(childNamed(doc, FH_NS, 'archive'), `${next} is marked fh:archive`);
      assert.equal(link(doc, 'current'), 'http://feeds.test/feeds/history.atom');
      assert.equal(link(doc, 'self'), next);
      for (const e of childrenNamed(doc, ATOM_NS, 'entry')) seen.add(only(e, ATOM_NS, 'id').text);
      months.push(new URL(next).searchParams.get('page')!);
      next = link(doc, 'prev-archive');
    }
    assert.deepEqual(months, ['2019-06', '2019-05', '2019-04']);
    assert.equal(seen.size, 5, 'a new subscriber reaches every item the channel ever had');
    const status = JSON.parse((await raw(url('/status'))).body.toString()) as { channels: { id: string; items: number }[] };
    assert.equal(status.channels.find((c) => c.id === 'history')?.items, 3);
    assert.equal((await raw(url('/feeds/history.atom?page=2018-01'))).status, 404);
    assert.equal((await raw(url('/feeds/history.atom?page=April'))).status, 400);
    const json = JSON.parse((await raw(url('/feeds/history.json?page=2019-04'))).body.toString()) as Record<string, unknown>;
    assertValidJsonFeed(json);
    assert.equal(json.expired, true);
  });

  test('?category= keeps only that category\'s live items', async () => {
    const parsed = await readWithFeedparser((await raw(url('/feeds/history.rss?category=%E7%82%BC%E9%92%A2'))).body);
    assert.equal(parsed.bozo, false);
    assert.deepEqual(parsed.entries.map((e) => e.title), ['六月中', '五月'], '炼钢 among 六月中, 六月初 (轧钢) and 五月');
    const none = await readWithFeedparser((await raw(url('/feeds/history.rss?category=nothing'))).body);
    assert.equal(none.entries.length, 0);
  });

  test('WebSub: every format names the hub; the first ingest of each channel pinged it with the channel\'s feeds', async () => {
    const rss = parseXml((await raw(url('/feeds/enterprise.rss'))).body.toString());
    const hubLink = childrenNamed(only(rss, '', 'channel'), ATOM_NS, 'link').find((l) => attr(l, 'rel') === 'hub');
    assert.equal(hubLink && attr(hubLink, 'href'), hub.url);
    const json = JSON.parse((await raw(url('/feeds/enterprise.json'))).body.toString()) as { hubs: unknown };
    assert.deepEqual(json.hubs, [{ type: 'WebSub', url: hub.url }]);
    assert.match(String((await raw(url('/feeds/enterprise.atom'))).headers.link), /rel="hub"/);
    await new Promise((r) => setTimeout(r, 200));
    const topics = hub.pings.flatMap((p) => p.getAll('hub.topic'));
    for (const ext of ['rss', 'atom', 'json']) assert.ok(topics.includes(`http://feeds.test/feeds/enterprise.${ext}`), ext);
    assert.ok(hub.pings.every((p) => p.get('hub.mode') === 'publish'));
  });

  test('subscribers: hosted readers by their reported counts, other clients once each, shown in /status', async () => {
    await raw(url('/feeds/metals.atom'), { 'user-agent': 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 12 subscribers; )' });
    await raw(url('/feeds/metals.atom'), { 'user-agent': 'Mozilla/5.0 (compatible; inoreader.com; 5 subscribers)' });
    await raw(url('/feeds/metals.atom'), { 'user-agent': 'NetNewsWire (RSS Reader; https://netnewswire.com/)' });
    await raw(url('/feeds/metals.atom'), { 'user-agent': 'NetNewsWire (RSS Reader; https://netnewswire.com/)' });
    const status = JSON.parse((await raw(url('/status'))).body.toString()) as { channels: { id: string; subscribers: { format: string; total: number; hosted: number; direct: number }[] }[] };
    const atom = status.channels.find((c) => c.id === 'metals')!.subscribers.find((s) => s.format === 'atom')!;
    assert.equal(atom.hosted, 17);
    assert.equal(atom.direct, 1);
  });

  test('the stylesheet the XML feeds name is served', async () => {
    const body = (await raw(url('/feeds/enterprise.rss'))).body.toString();
    assert.match(body, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<\?xml-stylesheet type="text\/xsl" href="\/assets\/feed\.xsl"\?>/);
    const xsl = await raw(url('/assets/feed.xsl'));
    assert.equal(xsl.status, 200);
    assert.match(String(xsl.headers['content-type']), /^text\/xsl/);
    parseXml(xsl.body.toString());
  });
});
