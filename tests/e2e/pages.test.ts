// End to end for article pages, as a newsroom runs them: a channel file in feeds/ with list sources →
// refresh.ts over real HTTP servers on 127.0.0.1 serving the fixture pages at the paths their README
// gives (the original work once as UTF-8, once as GB2312 with a charset header, once as GB2312 that
// only its <meta> declares) → lowdb files on disk. Then the bundled demo, offline, through the CLI and
// the service's JSON Feed.

import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { load } from 'cheerio';
import { loadFeeds } from '../../src/config/channels.js';
import { loadConfig, USER_AGENT } from '../../src/config/env.js';
import { HostPolicy } from '../../src/ingest/fetch/polite.js';
import { refreshChannel, type ChannelReport } from '../../src/ingest/refresh.js';
import { silentLogger } from '../helpers/log.js';
import { startService } from '../../src/main.js';
import type { Channel, Item } from '../../src/model.js';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { startPageServer, type PageServer, type RecordedRequest } from '../helpers/page-server.js';
import { runSyndicator } from '../helpers/spawn.js';
import { FEEDS_DIR, FIXTURES, tempDir } from '../helpers/temp.js';

const PAGES = path.join(FIXTURES, 'pages');
const LIST = '/qypd/ywjx/index.html';
const BAOWU = '/qypd/ywjx/201906/t20190628_15210.html';
const REPRINT = '/qypd/ywjx/201906/t20190627_15188.html';
const UTF8 = 'text/html; charset=utf-8';

const SITE_NAMES = ['中国冶金报—中国钢铁新闻网', '中国钢铁新闻网', '中国冶金报'];
const OUTLET = { name: '中国冶金报—中国钢铁新闻网', url: 'http://www.csteelnews.com/' };

/** One upstream site; `baowuType` is how the original work is served (its file and Content-Type). */
function site(baowu: { file: string; type: string }, extra: Record<string, { body: string; type: string; status?: number }> = {}) {
  return startPageServer(
    {
      [LIST]: { file: path.join(PAGES, 'csteelnews-qypd-ywjx-list.html'), type: UTF8 },
      [BAOWU]: { file: path.join(PAGES, baowu.file), type: baowu.type },
      [REPRINT]: { file: path.join(PAGES, 'csteelnews-20190627-reprint.html'), type: UTF8 },
      ...extra,
    },
    { latencyMs: 5 },
  );
}

const list = (links: string[]) =>
  `<html><head><meta charset="utf-8"><title>列表</title></head><body><ul>${links.map((l, i) => `<li><a href="${l}">第${i + 1}条企业新闻的标题</a></li>`).join('')}</ul></body></html>`;

describe('article pages: list page → article pages → lowdb', () => {
  let utf8: PageServer;
  let gbHeader: PageServer;
  let gbMeta: PageServer;
  let servers: PageServer[];
  let channel: Channel;
  let store: LowdbStore;
  let hosts: HostPolicy;
  let first: ChannelReport;
  let items: Item[];
  let dataDir: string;
  const disposers: (() => Promise<unknown>)[] = [];

  const ingest = (c: Channel) =>
    refreshChannel(c, store, { feedsDir: FEEDS_DIR, fetchTimeoutMs: 5000, maxBodyBytes: 1 << 20, userAgent: USER_AGENT, log: silentLogger(), hosts });

  before(async () => {
    utf8 = await site(
      { file: 'csteelnews-20190628-baowu.html', type: UTF8 },
      {
        '/robots.txt': { body: 'User-agent: *\nDisallow: /\n\nUser-agent: Syndicator\nDisallow: /qypd/secret/\n', type: 'text/plain' },
        '/mixed/index.html': { body: list(['/mixed/201906/t20190628_15210.html', '/qypd/secret/t20190628_9.html']), type: UTF8 },
        '/mixed/201906/t20190628_15210.html': { body: await readFile(path.join(PAGES, 'csteelnews-20190628-baowu.html'), 'utf8'), type: UTF8 },
        '/qypd/secret/t20190628_9.html': { body: await readFile(path.join(PAGES, 'csteelnews-20190628-baowu.html'), 'utf8'), type: UTF8 },
        '/broken/index.html': { body: list(['/broken/201906/t20190627_15188.html', '/broken/201906/t20190627_99999.html']), type: UTF8 },
        '/broken/201906/t20190627_15188.html': { body: await readFile(path.join(PAGES, 'csteelnews-20190627-reprint.html'), 'utf8'), type: UTF8 },
        '/broken/201906/t20190627_99999.html': { body: 'boom', type: 'text/plain', status: 500 },
      },
    );
    gbHeader = await site({ file: 'csteelnews-20190628-baowu.gb2312.html', type: 'text/html; charset=gb2312' });
    gbMeta = await site({ file: 'csteelnews-20190628-baowu.gb2312.html', type: 'text/html' });
    servers = [utf8, gbHeader, gbMeta];
    disposers.push(...servers.map((s) => () => s.close()));

    const feeds = await tempDir('syndicator-pages-feeds-');
    const data = await tempDir('syndicator-pages-data-');
    disposers.push(feeds.dispose, data.dispose);
    dataDir = data.dir;
    await mkdir(path.join(feeds.dir, 'licenses'));
    for (const id of ['csteelnews-own', 'csteelnews-reprinted']) {
      await copyFile(path.join(FEEDS_DIR, 'licenses', `${id}.json`), path.join(feeds.dir, 'licenses', `${id}.json`));
    }
    const source = (id: string, url: string) => ({ id, type: 'list', url, siteNames: SITE_NAMES, outlet: OUTLET, delayMs: 0 });
    await writeFile(
      path.join(feeds.dir, 'pages.json'),
      JSON.stringify({
        id: 'pages',
        title: '企业频道 · 要闻精选',
        description: '列表页与文章页',
        language: 'zh-CN',
        link: 'http://www.csteelnews.com/qypd/ywjx/',
        schedule: '*/30 * * * *',
        license: 'csteelnews-own',
        licenseRules: [{ when: { original: false }, license: 'csteelnews-reprinted' }],
        sources: [
          source('utf8', utf8.url(LIST)),
          source('gb-header', gbHeader.url(LIST)),
          source('gb-meta', gbMeta.url(LIST)),
          source('mixed', utf8.url('/mixed/index.html')),
          source('broken', utf8.url('/broken/index.html')),
        ],
      }),
    );
    const loaded = await loadFeeds(feeds.dir);
    assert.deepEqual(loaded.problems, []);
    channel = loaded.channels[0]!;

    store = await LowdbStore.open(dataDir, ['pages']);
    hosts = new HostPolicy({ userAgent: USER_AGENT, timeoutMs: 5000, maxBytes: 1 << 20 });
    first = await ingest(channel);
    items = [...store.items('pages')];
  });

  after(async () => {
    await store?.close();
    for (const dispose of disposers) await dispose();
  });

  const report = (id: string) => first.sources.find((s) => s.sourceId === id)!;
  const item = (sourceId: string, pathname: string) => {
    const found = items.find((i) => i.sourceId === sourceId && i.link !== undefined && new URL(i.link).pathname === pathname);
    assert.ok(found, `no item ${pathname} from ${sourceId}`);
    return found;
  };

  it('ingests both articles of each list page; a next page that is not there is a note, not a failure', () => {
    for (const id of ['utf8', 'gb-header', 'gb-meta']) {
      assert.equal(report(id).ok, true, report(id).error);
      assert.equal(report(id).added, 2);
      assert.equal(report(id).notes?.length, 1);
      assert.match(report(id).notes![0]!, /^crawl-list: next page http:\/\/127\.0\.0\.1:\d+\/qypd\/ywjx\/index_1\.html not read \(fetcher: .* 404 Not Found\)$/);
    }
    assert.equal(items.length, 2 * 3 + 1 + 1);
  });

  for (const [sourceId, what] of [
    ['utf8', 'UTF-8'],
    ['gb-header', 'GB2312 declared in the Content-Type header'],
    ['gb-meta', 'GB2312 declared only in <meta>'],
  ] as const) {
    describe(`the original work, ${what}`, () => {
      it('title, UTC time, channel path, editor, no author, no 来源: the site\'s own work under csteelnews-own', () => {
        const baowu = item(sourceId, BAOWU);
        assert.equal(baowu.title, '中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战');
        assert.equal(baowu.publishedAt, '2019-06-28T08:42:00.000Z');
        assert.deepEqual(baowu.categories, ['企业频道', '要闻精选']);
        assert.equal(baowu.attribution.editor, '实习生2');
        assert.deepEqual(baowu.attribution.authors, []);
        assert.deepEqual(baowu.attribution.source, { ...OUTLET, original: true });
        assert.equal(baowu.licenseId, 'csteelnews-own');
        assert.equal(baowu.link, new URL(BAOWU, servers[['utf8', 'gb-header', 'gb-meta'].indexOf(sourceId)]!.origin).href);
      });
      it('six body paragraphs, the first starting 作为中国宝武; no navigation, 热点新闻, 品牌联盟, footer or script', () => {
        const $ = load(item(sourceId, BAOWU).contentHtml ?? '', null, false);
        const paragraphs = $('p').toArray().map((p) => $(p).text());
        assert.equal(paragraphs.length, 6);
        assert.ok(paragraphs[0]!.startsWith('作为中国宝武'), paragraphs[0]);
        const text = $.root().text();
        for (const junk of ['首页', '新闻中心', '钢材动态', '热点新闻', '鞍钢集团召开2019年上半年经济活动分析会', '品牌联盟', '地址:北京市', '京ICP备', '_hmt', 'document.write', '版权说明', '编辑:']) {
          assert.ok(!text.includes(junk), `body contains "${junk}"`);
        }
      });
      it('the 版权说明 block, four clauses, is the rights text', () => {
        const { rights } = item(sourceId, BAOWU);
        assert.deepEqual(rights?.match(/【\d】/g), ['【1】', '【2】', '【3】', '【4】']);
        assert.ok(rights?.startsWith('版权说明 【1】 凡本网注明"来源:中国冶金报—中国钢铁新闻网"的所有作品,版权均属于中国钢铁新闻网。'));
      });
      it('the reprinted work: 2019-06-27T01:15:30Z, 李明 and 王芳, editor 张伟, source 河北日报, csteelnews-reprinted', () => {
        const reprint = item(sourceId, REPRINT);
        assert.equal(reprint.title, '河钢集团与国际矿业公司签署战略合作协议');
        assert.equal(reprint.publishedAt, '2019-06-27T01:15:30.000Z');
        assert.deepEqual(reprint.attribution, { authors: ['李明', '王芳'], editor: '张伟', source: { name: '河北日报', original: false } });
        assert.equal(reprint.licenseId, 'csteelnews-reprinted');
      });
    });
  }

  it('the items are on disk in the channel\'s lowdb file, with the source states and notes', async () => {
    const doc = JSON.parse(await readFile(path.join(dataDir, 'channels', 'pages.json'), 'utf8'));
    assert.equal(doc.items.length, items.length);
    assert.equal(doc.sources.utf8.consecutiveFailures, 0);
    assert.deepEqual(doc.sources.utf8.lastCounts, { fetched: 2, added: 2, updated: 0, unchanged: 0 });
    assert.match(doc.sources.utf8.notes[0], /index_1\.html not read/);
  });

  it('honours robots.txt: the group for Syndicator applies, and a disallowed article is skipped and reported, never requested', () => {
    assert.equal(utf8.count('/qypd/secret/t20190628_9.html'), 0);
    assert.equal(report('mixed').ok, true);
    assert.equal(report('mixed').added, 1);
    assert.deepEqual(report('mixed').notes, [`robots: ${utf8.url('/qypd/secret/t20190628_9.html')} is disallowed by ${utf8.origin}/robots.txt; skipped`]);
  });

  it('one failing article does not stop the others; the source reports how many failed', () => {
    const broken = report('broken');
    assert.equal(broken.ok, false);
    assert.equal(broken.added, 1);
    assert.equal(
      broken.error,
      `crawl-list: 1 of 2 articles failed (${utf8.url('/broken/201906/t20190627_99999.html')}: fetcher: ${utf8.url('/broken/201906/t20190627_99999.html')} answered 500 Internal Server Error)`,
    );
  });

  it('sends an honest User-Agent, and never has two requests to the host in flight at once', () => {
    const all: RecordedRequest[] = servers.flatMap((s) => s.requests);
    for (const r of all) assert.equal(r.headers['user-agent'], USER_AGENT);
    assertNoOverlap(all);
  });

  it('a second run fetches no article again, only the first list page of each source; robots.txt stays cached', async () => {
    const before = servers.map((s) => s.requests.length);
    const robotsBefore = servers.map((s) => s.count('/robots.txt'));
    const second = await ingest(channel);
    const fresh = servers.flatMap((s, i) => s.requests.slice(before[i]).map((r) => r.path));
    // The article that failed last time is not stored, so it is tried again; the disallowed one never is.
    assert.deepEqual(fresh.sort(), [LIST, LIST, LIST, '/mixed/index.html', '/broken/index.html', '/broken/201906/t20190627_99999.html'].sort());
    for (const s of second.sources.filter((r) => r.sourceId !== 'broken')) assert.equal(s.fetched, 0, s.sourceId);
    assert.deepEqual(servers.map((s) => s.count('/robots.txt')), robotsBefore);
    assert.deepEqual(robotsBefore, [1, 1, 1]);
  });

  it('refetch: true fetches the stored articles again; two crawls at once still never overlap on a host, and pause delayMs', async () => {
    const refetching = (): Channel => ({
      ...channel,
      sources: channel.sources.slice(0, 3).map((s) => ({ ...s, refetch: true, delayMs: 25 })),
    });
    const start = servers.map((s) => s.requests.length);
    const reports = await Promise.all([ingest(refetching()), ingest(refetching())]);
    for (const r of reports) for (const s of r.sources) assert.equal(s.fetched, 2, `${s.sourceId}: ${s.error ?? ''}`);
    const during = servers.flatMap((s, i) => s.requests.slice(start[i]));
    assert.equal(during.length, 2 * 3 * 4, 'two runs × three sources × (list, two articles, the missing next page)');
    assertNoOverlap(during, 20);
  });
});

/** Requests to 127.0.0.1 (every server here) never overlap, and each starts `gap` ms after the previous ended. */
function assertNoOverlap(requests: RecordedRequest[], gap = 0): void {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    assert.ok(current.start >= previous.end + gap, `${current.path} started ${(current.start - previous.end).toFixed(1)} ms after ${previous.path} ended`);
  }
}

describe('the bundled demo: feeds/enterprise.json ingests the bundled list and article pages offline', () => {
  it('`syndicator ingest` stores the two articles, the original under csteelnews-own and the reprint under csteelnews-reprinted', async (t) => {
    const data = await tempDir('syndicator-demo-data-');
    t.after(data.dispose);
    const run = await runSyndicator(['ingest', '--channel', 'enterprise', '--source', 'csteelnews-list'], { DATA_DIR: data.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^enterprise\/csteelnews-list: 2 fetched, 2 new, 0 updated, 0 unchanged/m);
    const doc = JSON.parse(await readFile(path.join(data.dir, 'channels', 'enterprise.json'), 'utf8'));
    const byLink = new Map((doc.items as Item[]).map((i) => [i.link, i]));
    const baowu = byLink.get(`http://www.csteelnews.com${BAOWU}`)!;
    const reprint = byLink.get(`http://www.csteelnews.com${REPRINT}`)!;
    assert.equal(baowu.licenseId, 'csteelnews-own');
    assert.deepEqual(baowu.attribution.source, { ...OUTLET, original: true });
    assert.equal(baowu.publishedAt, '2019-06-28T08:42:00.000Z');
    assert.equal(reprint.licenseId, 'csteelnews-reprinted');
    assert.deepEqual(reprint.attribution.source, { name: '河北日报', original: false });
    assert.match(doc.sources['csteelnews-list'].notes[0], /index_1\.html not read/);

    const again = await runSyndicator(['ingest', '--channel', 'enterprise', '--source', 'csteelnews-list'], { DATA_DIR: data.dir });
    assert.match(again.stdout, /^enterprise\/csteelnews-list: 0 fetched, 0 new/m);
  });

  it('the service\'s JSON Feed carries both items with their clause and attribution', async (t) => {
    const data = await tempDir('syndicator-demo-serve-');
    t.after(data.dispose);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, FEEDS_DIR, BASE_URL: 'http://feeds.test' });
    const service = await startService(config, silentLogger());
    t.after(() => service.stop());
    await service.scheduler.runNow(service.channels.find((c) => c.id === 'enterprise')!);
    const feed = (await (await fetch(`${service.url}/feeds/enterprise.json?limit=50`)).json()) as { items: Record<string, any>[] };
    const find = (p: string) => feed.items.find((i) => i.url === `http://www.csteelnews.com${p}`)!;
    assert.equal(find(BAOWU)._license.id, 'csteelnews-own');
    assert.match(find(BAOWU)._license.statement, /^凡本网注明"来源:中国冶金报—中国钢铁新闻网"的所有作品/);
    assert.equal(find(BAOWU)._attribution.editor, '实习生2');
    assert.equal(find(REPRINT)._license.id, 'csteelnews-reprinted');
    assert.match(find(REPRINT)._license.statement, /转载自其它媒体/);
    assert.deepEqual(find(REPRINT)._attribution.source, { name: '河北日报', original: false });
    assert.deepEqual(find(REPRINT)._attribution.authors, ['李明', '王芳']);
  });
});
