// The serving side of hostile input (issue 13), over real sockets: forged subscriber counts and
// megabyte User-Agents, methods the service does not serve, control characters sent back in errors,
// absolute paths in /status, archive months too large for one document, an output cache flooded with
// query forms, concurrent requests for a body not compressed yet, and the event-loop delay in /metrics.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/env.js';
import { MAX_VARIANTS_PER_DOCUMENT } from '../../src/http/output-cache.js';
import { MAX_HOSTED_PER_FEED } from '../../src/http/subscribers.js';
import type { Service } from '../../src/main.js';
import { startService } from '../../src/main.js';
import { silentLogger } from '../helpers/log.js';
import { ROOT, copyOfFeeds, tempDir } from '../helpers/temp.js';
import { attr, childrenNamed, parseXml, textOf } from '../helpers/xml.js';
import { ATOM_NS } from '../../src/render/namespaces.js';

const MONTH_ITEMS = 25;
const PAGE_ITEMS = 10;
const CACHE_BYTES = 1024 * 1024;

/** 25 items in April 2019 and 3 in May: with maxItems 3, April lives in the archive. */
function bigMonthFeed(): string {
  const items: string[] = [];
  for (let i = 1; i <= MONTH_ITEMS; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    items.push(`<item><title>四月 ${i}</title><link>http://big.example.cn/a${i}.html</link><guid isPermaLink="false">a${i}</guid><pubDate>${day} Apr 2019 ${String(i % 24).padStart(2, '0')}:00:00 +0800</pubDate><category>c${i % 20}</category><description>第${i}条</description></item>`);
  }
  for (let i = 1; i <= 3; i += 1) {
    items.push(`<item><title>五月 ${i}</title><link>http://big.example.cn/m${i}.html</link><guid isPermaLink="false">m${i}</guid><pubDate>0${i} May 2019 10:00:00 +0800</pubDate><description>五月</description></item>`);
  }
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>大月</title><link>http://big.example.cn/</link><description>d</description>\n${items.join('\n')}\n</channel></rss>`;
}

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

type Status = { channels: { id: string; subscribers: { format: string; hosted: number; byAggregator: Record<string, number> }[] }[]; problems: string[] };

describe('serving hostile input', () => {
  let service: Service;
  let feedsDir: string;
  let dataDir: string;
  const disposers: (() => Promise<void>)[] = [];
  const url = (p: string) => `${service.url}${p}`;

  before(async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-hostile-serving-');
    disposers.push(feeds.dispose, data.dispose);
    feedsDir = feeds.dir;
    dataDir = data.dir;
    await writeFile(path.join(feeds.dir, 'samples', 'big-month.rss.xml'), bigMonthFeed());
    const metals = JSON.parse(await readFile(path.join(feeds.dir, 'metals.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(feeds.dir, 'big.json'), JSON.stringify({ ...metals, id: 'big', maxItems: 3, sources: [{ id: 'big-rss', type: 'feed', url: 'samples/big-month.rss.xml' }] }));
    // A source whose file is missing (its error names a path) and a channel file that is not valid.
    await writeFile(path.join(feeds.dir, 'gone.json'), JSON.stringify({ ...metals, id: 'gone', sources: [{ id: 'gone-rss', type: 'feed', url: 'samples/missing.xml' }] }));
    await writeFile(path.join(feeds.dir, 'broken.json'), '{"id": "broken"');
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: data.dir,
      FEEDS_DIR: feeds.dir,
      BASE_URL: 'http://feeds.test',
      ARCHIVE_PAGE_ITEMS: String(PAGE_ITEMS),
      OUTPUT_CACHE_BYTES: String(CACHE_BYTES),
    });
    service = await startService(config, silentLogger());
    for (const channel of service.channels) await service.scheduler.runNow(channel).catch(() => undefined);
  });

  after(async () => {
    await service?.stop();
    for (const dispose of disposers) await dispose();
  });

  const hostedAtom = async () => {
    const status = JSON.parse((await raw(url('/status'))).body.toString()) as Status;
    return status.channels.find((c) => c.id === 'metals')!.subscribers.find((s) => s.format === 'atom');
  };

  test('a 16,000-digit User-Agent and forged counts of 10^24 change no count; readers per feed are capped', async () => {
    await raw(url('/feeds/metals.atom'), { 'user-agent': 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 12 subscribers; )' });
    assert.equal((await hostedAtom())?.hosted, 12);
    const digits = '1'.repeat(16_000);
    for (const agent of [digits, `Feedly/1.0 ${digits}`, `${digits} subscribers`, 'Feedly/1.0 (1000000000000000000000000 subscribers)', 'Inoreader/1.0 (99999999 subscribers)']) {
      const res = await raw(url('/feeds/metals.atom'), { 'user-agent': agent });
      assert.equal(res.status, 200);
    }
    const after = await hostedAtom();
    assert.equal(after?.hosted, 12, 'no forged count was believed');
    assert.deepEqual(after?.byAggregator, { Feedly: 12 });
    for (let i = 0; i < MAX_HOSTED_PER_FEED + 40; i += 1) {
      await raw(url('/feeds/metals.atom'), { 'user-agent': `Forged${i}/1.0 (feed-id=${'x'.repeat(60)}${i}; 5 subscribers)` });
    }
    const flooded = await hostedAtom();
    assert.equal(Object.keys(flooded!.byAggregator).length, MAX_HOSTED_PER_FEED);
    assert.equal(flooded!.hosted, MAX_HOSTED_PER_FEED * 5, 'the oldest reports (Feedly among them) made room');
  });

  test('every route answers other methods with 405 and Allow; unknown paths stay 404', async () => {
    for (const p of ['/feeds/metals.rss', '/feeds/metals.atom?limit=3', '/', '/status', '/channels/metals', '/partner/feeds/metals.rss', '/opml.xml', '/healthz']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const res = await raw(url(p), {}, method);
        assert.equal(res.status, 405, `${method} ${p}`);
        assert.equal(res.headers.allow, 'GET, HEAD', `${method} ${p}`);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
      }
    }
    assert.equal((await raw(url('/no/such/thing'), {}, 'POST')).status, 404);
    const options = await raw(url('/feeds/metals.rss'), {}, 'OPTIONS');
    assert.equal(options.status, 204);
    assert.equal(options.headers.allow, 'GET, HEAD');
  });

  test('nosniff on every response, the fast path and its 304 included', async () => {
    const feed = await raw(url('/feeds/metals.rss'));
    const notModified = await raw(url('/feeds/metals.rss'), { 'if-none-match': String(feed.headers.etag) });
    assert.equal(notModified.status, 304);
    const answers = [feed, notModified];
    for (const p of ['/', '/healthz', '/status', '/metrics', '/opml.xml', '/assets/feed.xsl', '/feeds/nope.rss', '/feeds/metals.rss?limit=x', '/partner/feeds/metals.rss', '/licenses/none']) {
      answers.push(await raw(url(p)));
    }
    for (const res of answers) assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  test('error bodies never carry control characters or bidi overrides sent by the client', async () => {
    for (const p of ['/feeds/%1B%5B31mred%07.rss', '/no%1B%5D0;title%07where', '/channels/%E2%80%AEevil%00', `/feeds/metals.rss?category=%1B${'x'.repeat(50)}&page=2019-04`]) {
      const res = await raw(url(p));
      assert.ok(res.status >= 400 && res.status < 500, `${p}: ${res.status}`);
      const body = res.body.toString('utf8');
      assert.doesNotMatch(body, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/, `${p}: ${JSON.stringify(body)}`);
    }
    const long = await raw(url(`/${'a'.repeat(5000)}`));
    assert.equal(long.status, 404);
    assert.ok(long.body.length < 400, `a 5,000-character path is cut in the error (${long.body.length} bytes)`);
  });

  test('/status names files relative to FEEDS_DIR and DATA_DIR, never absolutely', async () => {
    const body = (await raw(url('/status'))).body.toString();
    const status = JSON.parse(body) as Status;
    assert.ok(status.problems.some((p) => p.startsWith('broken.json')), JSON.stringify(status.problems));
    assert.match(body, /missing\.xml/, 'the missing source file is named');
    assert.ok(!body.includes(feedsDir) && !body.includes(dataDir), 'no absolute path of the data or feeds directory');
    assert.doesNotMatch(body, /"\/(tmp|home|work|root)\//);
  });

  test('a month with more items than ARCHIVE_PAGE_ITEMS is several linked archive documents', async () => {
    const link = (doc: ReturnType<typeof parseXml>, rel: string) => childrenNamed(doc, ATOM_NS, 'link').find((l) => attr(l, 'rel') === rel)?.attributes.href?.value;
    let doc = parseXml((await raw(url('/feeds/big.atom'))).body.toString());
    let next = link(doc, 'prev-archive');
    const seen: string[] = [];
    const visited: string[] = [];
    const newerLinks: (string | undefined)[] = [];
    while (next !== undefined) {
      visited.push(next);
      const res = await raw(next.replace('http://feeds.test', service.url));
      assert.equal(res.status, 200, next);
      doc = parseXml(res.body.toString());
      const entries = childrenNamed(doc, ATOM_NS, 'entry');
      assert.ok(entries.length <= PAGE_ITEMS, `${next} has ${entries.length} entries`);
      for (const entry of entries) seen.push(textOf(entry, ATOM_NS, 'title'));
      newerLinks.push(link(doc, 'next-archive'));
      next = link(doc, 'prev-archive');
    }
    // Every archive document after the first links back (next-archive) to the one walked before it.
    assert.ok(visited.length >= 3, visited.join(' '));
    assert.deepEqual(newerLinks.slice(1), visited.slice(0, -1));
    assert.ok(visited.some((v) => v.endsWith('?page=2019-04&part=3')), visited.join(' '));
    const april = seen.filter((t) => t.startsWith('四月'));
    assert.equal(new Set(april).size, MONTH_ITEMS, 'every April item is in exactly one archive document');
    assert.equal(april.length, MONTH_ITEMS);
    assert.equal((await raw(url('/feeds/big.atom?page=2019-04&part=4'))).status, 404);
    assert.equal((await raw(url('/feeds/big.atom?part=2'))).status, 400);
  });

  test('each archive document of a month names itself: the self link of parts 1, 2 and 3 in RSS, Atom and JSON Feed', async () => {
    const selfOf = (doc: ReturnType<typeof parseXml>) => childrenNamed(doc, ATOM_NS, 'link').find((l) => attr(l, 'rel') === 'self')?.attributes.href?.value;
    const expected = ['?page=2019-04', '?page=2019-04&part=2', '?page=2019-04&part=3'];
    const links: Record<string, (string | undefined)[]> = { rss: [], atom: [], json: [] };
    for (const query of expected) {
      const rss = parseXml((await raw(url(`/feeds/big.rss${query}`))).body.toString());
      links.rss!.push(selfOf(childrenNamed(rss, '', 'channel')[0]!));
      const atom = parseXml((await raw(url(`/feeds/big.atom${query}`))).body.toString());
      links.atom!.push(selfOf(atom));
      const json = JSON.parse((await raw(url(`/feeds/big.json${query}`))).body.toString()) as { feed_url?: string };
      links.json!.push(json.feed_url);
    }
    assert.deepEqual(links, {
      rss: expected.map((q) => `http://feeds.test/feeds/big.rss${q}`),
      atom: expected.map((q) => `http://feeds.test/feeds/big.atom${q}`),
      json: expected.map((q) => `http://feeds.test/feeds/big.json${q}`),
    });
  });

  test('the output cache stays within OUTPUT_CACHE_BYTES and keeps a bounded number of query forms per document', async () => {
    for (let limit = 1; limit <= 40; limit += 1) assert.equal((await raw(url(`/feeds/metals.rss?limit=${limit}`))).status, 200);
    for (let c = 0; c < 20; c += 1) await raw(url(`/feeds/big.json?category=c${c}`));
    const metrics = (await raw(url('/metrics'))).body.toString();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
    const cache = { size: gauge('syndicator_output_cache_documents'), bytes: gauge('syndicator_output_cache_bytes') };
    assert.ok(cache.size > 0 && cache.bytes > 0, `the cache holds documents: ${JSON.stringify(cache)}`);
    assert.ok(cache.size <= 3 * MAX_VARIANTS_PER_DOCUMENT + 12, `${cache.size} documents kept`);
    assert.ok(cache.bytes <= CACHE_BYTES, `${cache.bytes} bytes kept`);
    // The variants dropped are rendered again on demand, with the same bytes.
    const first = await raw(url('/feeds/metals.rss?limit=1'));
    assert.equal(first.status, 200);
    assert.match(first.body.toString(), /<rss/);
  });

  test('concurrent requests for a body not yet compressed get the same gzip bytes, compressed once', async () => {
    const plain = await raw(url('/feeds/metals.json?limit=7'));
    const answers = await Promise.all(Array.from({ length: 8 }, () => raw(url('/feeds/metals.json?limit=7'), { 'accept-encoding': 'gzip' })));
    for (const res of answers) {
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.deepEqual(gunzipSync(res.body), plain.body);
      assert.deepEqual(res.body, answers[0]!.body);
    }
  });

  test('/metrics exports the event-loop delay (p50, p99, max)', async () => {
    const text = (await raw(url('/metrics'))).body.toString();
    for (const q of ['0.5', '0.99', '1']) assert.match(text, new RegExp(`^syndicator_event_loop_delay_seconds\\{quantile="${q}"\\} [0-9.e-]+$`, 'm'));
  });

  test('subscribers.json stays small after the flood', async () => {
    await service.stop();
    const size = (await stat(path.join(dataDir, 'subscribers.json'))).size;
    assert.ok(size < 64 * 1024, `subscribers.json is ${size} bytes`);
    assert.doesNotMatch(await readFile(path.join(dataDir, 'subscribers.json'), 'utf8'), /1{100}|1000000000000000000000000/);
  });
});

test('a CLI command writing into a closed pipe exits 0 without a stack trace', async () => {
  const dir = await tempDir('syndicator-epipe-');
  try {
    const items = Array.from({ length: 3000 }, (_, i) => `<item><title>条目 ${i}</title><link>http://pipe.example.cn/${i}.html</link><description>${'内容'.repeat(40)}</description></item>`);
    await writeFile(path.join(dir.dir, 'big.rss.xml'), `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><link>http://pipe.example.cn/</link><description>d</description>${items.join('')}</channel></rss>`);
    const cli = `${JSON.stringify(process.execPath)} --import tsx tests/helpers/cli.ts preview --type feed ${JSON.stringify(path.join(dir.dir, 'big.rss.xml'))}`;
    const child = spawn('bash', ['-c', `${cli} | head -1 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FEEDS_DIR: path.join(ROOT, 'feeds') } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    await once(child, 'exit');
    assert.equal(out.trim(), 'exit=0', err);
    assert.doesNotMatch(err, /EPIPE|Error|at /);
  } finally {
    await dir.dispose();
  }
});
