// The read path scaled out: a real nginx (Debian's /usr/sbin/nginx, installed by .ci/run) runs
// deploy/nginx.conf — the template operators use — as a caching reverse proxy in front of the real
// service. Shown through nginx: MISS then HIT; 304 to a conditional request; gzip, br and identity
// each cached as their own variant (Vary honoured); partner feeds never stored and ?key= never logged;
// and a new item reaching readers after the next ingest, by revalidation.
//
// Our max-age is at least 60 s (src/schedule/cadence.ts), too long to wait for in a test. So a second
// nginx server, rendered from the same template, adds only `proxy_cache_valid 200 1s` with
// `proxy_ignore_headers Cache-Control Expires` to its feeds location: there an entry expires after a
// second or two and the expiry path (revalidation with If-None-Match, a 304 or the new document) runs for
// real. The first server is the template exactly as shipped, with our headers authoritative.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
import { PartnerStore } from '../../src/partners/registry.js';
import { copyLicense, FEEDS_DIR, ROOT, tempDir } from '../helpers/temp.js';

const NGINX = '/usr/sbin/nginx';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET (no automatic decompression, unlike fetch). */
function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

function decoded(r: Reply): string {
  const coding = r.headers['content-encoding'];
  const raw = coding === 'gzip' ? gunzipSync(r.body) : coding === 'br' ? brotliDecompressSync(r.body) : r.body;
  return raw.toString('utf8');
}

const cacheStatus = (r: Reply) => r.headers['x-cache-status'];

/** GETs url until nginx stops answering from its entry (validity is counted in whole seconds, so a
 *  1 s entry lives 1 to 2 s); returns that first answer from the origin. */
async function untilExpired(url: string): Promise<Reply> {
  for (let i = 0; i < 40; i += 1) {
    const r = await get(url);
    if (cacheStatus(r) !== 'HIT') return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}: still a HIT after 4 s`);
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

function rss(items: { guid: string; title: string }[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>缓存测试</title><link>http://cache.example.cn/</link><description>d</description>
${items.map((i, n) => `<item><title>${i.title}</title><link>http://cache.example.cn/${i.guid}.html</link><guid isPermaLink="false">${i.guid}</guid><pubDate>Fri, 0${n + 1} Nov 2026 10:00:00 +0800</pubDate><description>${i.title}的新闻。</description></item>`).join('\n')}
</channel></rss>`;
}

/** deploy/nginx.conf with its placeholders filled in. */
async function renderTemplate(values: Record<string, string>, feedsExtra = ''): Promise<string> {
  let text = await readFile(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`@${name}@`, value);
  text = text.replace('# @FEEDS_EXTRA@', feedsExtra);
  assert.doesNotMatch(text, /@[A-Z_]+@/, 'every placeholder is filled');
  return text;
}

describe('behind nginx with proxy_cache', { skip: existsSync(NGINX) ? false : `${NGINX} is not installed (Debian package nginx; .ci/run installs it)` }, () => {
  let service: Service;
  let nginx: ChildProcess;
  let nginxLog = '';
  let prefix: string;
  let proxy: string; // the template as shipped
  let shortLived: string; // the same, with 1 s validity for feeds
  let sample: string;
  const keys: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    const feeds = await tempDir('syndicator-nginx-feeds-');
    const data = await tempDir('syndicator-nginx-data-');
    const nginxDir = await tempDir('syndicator-nginx-');
    cleanups.push(feeds.dispose, data.dispose, nginxDir.dispose);
    prefix = nginxDir.dir;

    await copyLicense(feeds.dir);
    await mkdir(path.join(feeds.dir, 'samples'));
    sample = path.join(feeds.dir, 'samples', 'news.rss.xml');
    await writeFile(sample, rss([{ guid: 'n-1', title: '第一条' }]));
    await writeFile(
      path.join(feeds.dir, 'news.json'),
      JSON.stringify({
        id: 'news',
        title: '缓存频道',
        description: 'behind nginx',
        language: 'zh-CN',
        link: 'http://cache.example.cn/',
        schedule: '0 0 1 1 *',
        license: 'csteelnews-own',
        sources: [{ id: 'news-rss', type: 'feed', url: 'samples/news.rss.xml' }],
      }),
    );
    service = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', FEEDS_DIR: feeds.dir, DATA_DIR: data.dir }), silentLogger());
    await service.scheduler.runNow(service.channels[0]!);
    assert.equal(service.store.items('news').length, 1);

    const partners = await PartnerStore.open(data.dir);
    for (const id of ['alpha', 'beta']) {
      const { key } = await partners.add(id, new Date(), id);
      await partners.grant(id, { channelId: 'news', content: 'full' }, new Date());
      keys.push(key);
    }

    const [portA, portB] = [await freePort(), await freePort()];
    const upstream = new URL(service.url).host;
    const common = (name: string, port: number) => ({
      NAME: name,
      LISTEN: `127.0.0.1:${port}`,
      SERVER_NAME: 'localhost',
      UPSTREAM: upstream,
      CACHE_DIR: path.join(prefix, `cache-${name}`),
      ACCESS_LOG: path.join(prefix, `access-${name}.log`),
    });
    await writeFile(path.join(prefix, 'shipped.conf'), await renderTemplate(common('shipped', portA)));
    await writeFile(
      path.join(prefix, 'short.conf'),
      await renderTemplate(common('short', portB), 'proxy_ignore_headers Cache-Control Expires; proxy_cache_valid 200 1s;'),
    );
    for (const dir of ['client_temp', 'proxy_temp', 'fastcgi_temp', 'uwsgi_temp', 'scgi_temp']) await mkdir(path.join(prefix, dir));
    const temp = (kind: string) => `${kind}_temp_path ${path.join(prefix, `${kind === 'client_body' ? 'client' : kind}_temp`)};`;
    await writeFile(
      path.join(prefix, 'nginx.conf'),
      [
        'daemon off;',
        // As root (CI), workers would otherwise run as nobody and could not use the 0700 temp dir.
        process.getuid?.() === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${path.join(prefix, 'nginx.pid')};`,
        `error_log ${path.join(prefix, 'error.log')} warn;`,
        'events { worker_connections 256; }',
        'http {',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
        `include ${path.join(prefix, 'shipped.conf')};`,
        `include ${path.join(prefix, 'short.conf')};`,
        '}',
      ].join('\n'),
    );
    nginx = spawn(NGINX, ['-c', path.join(prefix, 'nginx.conf'), '-p', prefix, '-e', path.join(prefix, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stderr!.setEncoding('utf8').on('data', (d: string) => (nginxLog += d));
    proxy = `http://127.0.0.1:${portA}`;
    shortLived = `http://127.0.0.1:${portB}`;
    for (let i = 0; ; i += 1) {
      try {
        if ((await get(`${shortLived}/healthz`)).status === 200 && (await get(`${proxy}/healthz`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (i > 100 || nginx.exitCode !== null) {
        const errors = await readFile(path.join(prefix, 'error.log'), 'utf8').catch(() => '');
        throw new Error(`nginx did not start (exit ${nginx.exitCode}):\n${nginxLog}\n${errors}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await new Promise((r) => nginx.once('exit', r));
    }
    await service?.stop();
    for (const c of cleanups) await c();
  });

  test('a public feed: MISS, then HIT with the same bytes and validators; our Cache-Control passes through', async () => {
    const url = `${proxy}/feeds/news.rss`;
    const first = await get(url, { 'Accept-Encoding': 'gzip' });
    assert.equal(first.status, 200);
    assert.equal(cacheStatus(first), 'MISS');
    const second = await get(url, { 'Accept-Encoding': 'gzip' });
    assert.equal(cacheStatus(second), 'HIT');
    assert.equal(second.headers.etag, first.headers.etag);
    assert.equal(second.headers['content-encoding'], 'gzip');
    assert.match(String(second.headers['cache-control']), /^public, max-age=\d+$/);
    assert.ok(Number(/max-age=(\d+)/.exec(String(second.headers['cache-control']))![1]) >= 60);
    assert.equal(second.headers.vary, 'Accept-Encoding, Accept');
    assert.deepEqual(second.body, first.body);
    assert.match(decoded(second), /第一条/);
  });

  test('a conditional request through nginx is answered 304 from the cache', async () => {
    const url = `${proxy}/feeds/news.atom`;
    const full = await get(url, { 'Accept-Encoding': 'gzip' });
    const again = await get(url, { 'Accept-Encoding': 'gzip', 'If-None-Match': String(full.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(cacheStatus(again), 'HIT');
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, full.headers.etag);
    const stale = await get(url, { 'Accept-Encoding': 'gzip', 'If-None-Match': '"something-else"' });
    assert.equal(stale.status, 200);
    assert.equal(cacheStatus(stale), 'HIT');
  });

  test('Vary: each coding is its own cached variant, and each decodes to the same document', async () => {
    const url = `${proxy}/feeds/news.json`;
    const variants = new Map<string, Reply>();
    for (const coding of ['br', 'gzip', 'identity']) {
      const miss = await get(url, { 'Accept-Encoding': coding });
      assert.equal(cacheStatus(miss), 'MISS', `${coding}: its own variant`);
      const hit = await get(url, { 'Accept-Encoding': coding });
      assert.equal(cacheStatus(hit), 'HIT', coding);
      assert.equal(hit.headers['content-encoding'], coding === 'identity' ? undefined : coding);
      variants.set(coding, hit);
    }
    const texts = [...variants.values()].map(decoded);
    assert.equal(new Set(texts).size, 1);
    assert.equal((JSON.parse(texts[0]!) as { items: unknown[] }).items.length, 1);
  });

  test('partner feeds are never stored: MISS every time, another key gets its own grant, keys never logged', async () => {
    const url = `${proxy}/partner/feeds/news.json`;
    const grantOf = (r: Reply) => (JSON.parse(decoded(r)) as { items: { _grant: { partner: string } }[] }).items[0]!._grant.partner;
    const a1 = await get(`${url}?key=${keys[0]}`);
    const a2 = await get(`${url}?key=${keys[0]}`);
    for (const r of [a1, a2]) {
      assert.equal(r.status, 200);
      assert.equal(cacheStatus(r), 'MISS');
      assert.equal(r.headers['cache-control'], 'private, no-store');
      assert.equal(grantOf(r), 'alpha');
    }
    const b = await get(url, { Authorization: `Bearer ${keys[1]}` });
    assert.equal(cacheStatus(b), 'MISS');
    assert.equal(grantOf(b), 'beta');
    const none = await get(url);
    assert.equal(none.status, 401);
    assert.equal(cacheStatus(none), 'MISS');
    const log = await readFile(path.join(prefix, 'access-shipped.log'), 'utf8');
    assert.match(log, /"GET \/partner\/feeds\/news\.json HTTP\/1\.1" 200/);
    assert.doesNotMatch(log, /sk_|key=/);
  });

  test('after the next ingest a new item reaches readers: revalidated when unchanged, replaced when changed', async () => {
    const url = `${shortLived}/feeds/news.rss`;
    assert.equal(cacheStatus(await get(url)), 'MISS');
    assert.equal(cacheStatus(await get(url)), 'HIT');
    // Expired, unchanged: nginx revalidates with If-None-Match and our 304 refreshes the entry.
    const revalidated = await untilExpired(url);
    assert.equal(cacheStatus(revalidated), 'REVALIDATED');
    assert.equal(revalidated.status, 200);
    assert.doesNotMatch(decoded(revalidated), /第二条/);

    // Through the shipped template, a HIT before the change …
    const shippedBefore = await get(`${proxy}/feeds/news.rss`, { 'Accept-Encoding': 'gzip' });
    assert.equal(cacheStatus(shippedBefore), 'HIT');

    await writeFile(sample, rss([{ guid: 'n-1', title: '第一条' }, { guid: 'n-2', title: '第二条' }]));
    await service.scheduler.runNow(service.channels[0]!);
    assert.equal(service.store.items('news').length, 2);

    // Until the entry expires, readers get the copy nginx holds (that is what max-age allows) …
    const held = await get(url);
    assert.ok(cacheStatus(held) !== 'HIT' || !/第二条/.test(decoded(held)), 'a copy nginx answers from its cache is the one from before the change');
    // … then nginx asks again, our ETag no longer matches, and the new document replaces the old.
    const fresh = await untilExpired(url);
    assert.equal(fresh.status, 200);
    assert.match(String(cacheStatus(fresh)), /^(EXPIRED|REVALIDATED)$/);
    assert.match(decoded(fresh), /第二条/);
    const next = await get(url);
    assert.equal(cacheStatus(next), 'HIT');
    assert.match(decoded(next), /第二条/);

    // The shipped template keeps serving its copy for the max-age we gave it, unchanged.
    const shippedAfter = await get(`${proxy}/feeds/news.rss`, { 'Accept-Encoding': 'gzip' });
    assert.equal(cacheStatus(shippedAfter), 'HIT');
    assert.equal(shippedAfter.headers.etag, shippedBefore.headers.etag);
  });
});
