// Polite list crawling (issue 14), against a real HTTP server on 127.0.0.1 that answers ETag /
// Last-Modified validators with 304 and counts every request: an unchanged list page costs one 304
// and no article requests; articles retention archived are not fetched again while still listed;
// the list page's Cache-Control sets nextAttemptAt, which scheduled runs honour; a run with failed
// articles keeps no validators, so the next run reads the list again and retries them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { USER_AGENT } from '../../src/config/env.js';
import { HostPolicy } from '../../src/ingest/fetch/polite.js';
import { refreshChannel, type SourceReport } from '../../src/ingest/refresh.js';
import { silentLogger } from '../helpers/log.js';
import type { Channel, ListSource } from '../../src/model.js';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { CORPUS } from '../helpers/corpus.js';
import { tempDir } from '../helpers/temp.js';

interface Route {
  body: Buffer;
  type: string;
  status?: number;
  etag?: string;
  lastModified?: string;
  cacheControl?: string;
}

const LIST = '/a/qiye/';
const ARTICLES = {
  '/a/qiye/2021/0406/8812.html': 'dede-gbk-meta.html',
  '/a/qiye/2021/0405/8811.html': 'dede-brief-nocharset.html',
  '/a/qiye/2021/0401/8790.html': 'empire-gbk.html',
  '/a/qiye/2021/0407/8820.html': 'phpcms-utf8.html',
};

/** A list page (GBK, like the corpus's DedeCMS list) linking to `paths`. */
function listPage(paths: string[]): Buffer {
  const items = paths.map((p, i) => `<li><a href="${p}" class="title">第${i + 1}条企业新闻的标题文字</a></li>`).join('');
  return Buffer.from(`<html><head><meta charset="utf-8"><title>企业新闻_中钢资讯</title></head><body><ul class="e2">${items}</ul></body></html>`);
}

describe('polite list crawling over HTTP', () => {
  const routes = new Map<string, Route>();
  const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  let server: Server;
  let origin: string;
  let store: LowdbStore;
  let dispose: () => Promise<void>;
  const hosts = new HostPolicy({ userAgent: USER_AGENT, timeoutMs: 5000, maxBytes: 1 << 20 });
  const T0 = Date.parse('2021-04-10T00:00:00.000Z');
  let channel: Channel;
  let source: ListSource;

  const count = (p: string) => requests.filter((r) => r.path === p).length;
  const run = async (atSeconds: number, force = false): Promise<SourceReport> => {
    const report = await refreshChannel(channel, store, { feedsDir: CORPUS, fetchTimeoutMs: 5000, maxBodyBytes: 1 << 20, userAgent: USER_AGENT, log: silentLogger(), hosts, now: () => new Date(T0 + atSeconds * 1000), force });
    return report.sources[0]!;
  };
  const state = () => store.sourceStates('polite').find((s) => s.sourceId === 'list')!;

  before(async () => {
    for (const [p, file] of Object.entries(ARTICLES)) routes.set(p, { body: readFileSync(path.join(CORPUS, file)), type: 'text/html' });
    routes.set(LIST, { body: listPage(Object.keys(ARTICLES).slice(0, 3)), type: 'text/html; charset=utf-8', etag: '"v1"', lastModified: 'Fri, 09 Apr 2021 00:00:00 GMT', cacheControl: 'max-age=600' });
    server = createServer((req, res) => {
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push({ path: p, headers: req.headers });
      const route = routes.get(p);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const headers: Record<string, string> = { 'content-type': route.type };
      if (route.etag) headers.etag = route.etag;
      if (route.lastModified) headers['last-modified'] = route.lastModified;
      if (route.cacheControl) headers['cache-control'] = route.cacheControl;
      if (route.etag && req.headers['if-none-match'] === route.etag) {
        res.writeHead(304, headers).end();
        return;
      }
      res.writeHead(route.status ?? 200, headers).end(route.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    source = { id: 'list', type: 'list', url: `${origin}${LIST}`, maxPages: 3, maxNewArticles: 20, delayMs: 0 };
    channel = {
      id: 'polite',
      title: '企业新闻',
      description: '列表页',
      language: 'zh-CN',
      link: `${origin}/`,
      timezone: 'Asia/Shanghai',
      schedule: '*/30 * * * *',
      license: 'own',
      licenseRules: [],
      maxItems: 1,
      sources: [source],
    };
    const data = await tempDir('syndicator-polite-');
    dispose = data.dispose;
    store = await LowdbStore.open(data.dir, ['polite']);
  });
  after(async () => {
    await store?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await dispose();
  });

  it('run 1: the list and its three articles, once each; the validators and max-age are kept; retention archives two', async () => {
    const report = await run(0);
    assert.equal(report.ok, true, report.error);
    assert.equal(report.added, 3);
    for (const p of [LIST, ...Object.keys(ARTICLES).slice(0, 3)]) assert.equal(count(p), 1, p);
    assert.equal(requests.find((r) => r.path === LIST)!.headers['if-none-match'], undefined);
    assert.deepEqual(state().listPages, { [`${origin}${LIST}`]: { etag: '"v1"', lastModified: 'Fri, 09 Apr 2021 00:00:00 GMT' } });
    assert.equal(state().nextAttemptAt, new Date(T0 + 600_000).toISOString());
    assert.deepEqual(store.items('polite').map((i) => new URL(i.link!).pathname), ['/a/qiye/2021/0406/8812.html']);
    assert.equal(store.archiveMonths('polite').length, 1);
  });

  it('run 2, a minute later and not forced: skipped until nextAttemptAt, no request at all', async () => {
    const before = requests.length;
    const report = await run(60);
    assert.match(report.skipped ?? '', /^not due until 2021-04-10T00:10:00\.000Z$/);
    assert.equal(requests.length, before);
  });

  it('run 3, once due: the list is asked for with If-None-Match / If-Modified-Since, answers 304, and no article is fetched', async () => {
    const before = requests.length;
    const report = await run(700);
    assert.equal(report.ok, true, report.error);
    assert.equal(report.notModified, true);
    const asked = requests.slice(before);
    assert.deepEqual(asked.map((r) => r.path), [LIST]);
    assert.equal(asked[0]!.headers['if-none-match'], '"v1"');
    assert.equal(asked[0]!.headers['if-modified-since'], 'Fri, 09 Apr 2021 00:00:00 GMT');
    assert.equal(state().listPages?.[`${origin}${LIST}`]?.etag, '"v1"');
  });

  it('run 4, the list changed: only the new article is fetched, not the two retention archived that it still lists', async () => {
    routes.set(LIST, { ...routes.get(LIST)!, body: listPage(Object.keys(ARTICLES)), etag: '"v2"' });
    const before = requests.length;
    const report = await run(1400);
    assert.equal(report.ok, true, report.error);
    assert.deepEqual(requests.slice(before).map((r) => r.path), [LIST, '/a/qiye/2021/0407/8820.html']);
    for (const p of Object.keys(ARTICLES)) assert.equal(count(p), 1, p);
    assert.equal(state().listPages?.[`${origin}${LIST}`]?.etag, '"v2"');
  });

  it('run 5, an article fails: no validators kept, so run 6 reads the list unconditionally and retries only that article', async () => {
    routes.set('/a/qiye/2021/0408/8830.html', { body: Buffer.from('boom'), type: 'text/plain', status: 500 });
    routes.set(LIST, { ...routes.get(LIST)!, body: listPage(['/a/qiye/2021/0408/8830.html', ...Object.keys(ARTICLES)]), etag: '"v3"' });
    const failed = await run(2100);
    assert.equal(failed.ok, false);
    assert.match(failed.error ?? '', /1 of 1 articles failed/);
    assert.equal(state().listPages, undefined);
    routes.set('/a/qiye/2021/0408/8830.html', { body: readFileSync(path.join(CORPUS, 'hanweb-gov.html')), type: 'text/html' });
    const before = requests.length;
    const retried = await run(2200, true);
    assert.equal(retried.ok, true, retried.error);
    const asked = requests.slice(before);
    assert.deepEqual(asked.map((r) => r.path), [LIST, '/a/qiye/2021/0408/8830.html']);
    assert.equal(asked[0]!.headers['if-none-match'], undefined);
    assert.equal(retried.added, 1);
  });
});
