import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crawlList, readListPage, type CrawlOptions, type ListPage, type PageLink } from '../../src/ingest/page/crawl-list.js';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';
import { fetchDocument } from '../../src/ingest/fetch/fetcher.js';
import { startPageServer, type PageServer } from '../helpers/page-server.js';
import { FEEDS_DIR, ROOT, FIXTURES } from '../helpers/temp.js';


const html = 'text/html; charset=utf-8';

/** A list page in the fixture's shape: article links under ./201906/, a 下一页 link to `next`. */
function listPage(ids: number[], next?: string): string {
  const items = ids.map((id) => `<li><a href="./201906/t201906${id}.html">第${id}号新闻标题文字</a><span>2019-06-${id}</span></li>`).join('');
  return `<html><body><div class="nav"><a href="/">首页</a><a href="/qypd/">企业频道</a></div><ul class="list">${items}</ul>${next ? `<div class="page"><a href="${next}">下一页</a></div>` : ''}<div class="footer"><a href="/about/2019.html">关于我们网站介绍</a></div></body></html>`;
}

async function load(link: PageLink): Promise<ListPage> {
  const fetched = await fetchDocument(link.location, { feedsDir: FEEDS_DIR, timeoutMs: 5000, maxBytes: 1 << 20, userAgent: 'test' });
  assert.ok(fetched.kind === 'ok');
  return { fetchedUrl: fetched.url, publicUrl: fetched.url.startsWith('file:') ? link.url : fetched.url, html: decodeDocument(fetched.body, fetched.contentType).text };
}

describe('crawl-list over http', () => {
  let site: PageServer;
  before(async () => {
    site = await startPageServer({
      '/qypd/ywjx/index.html': { file: path.join(FIXTURES, 'pages', 'csteelnews-qypd-ywjx-list.html'), type: html },
      '/list/index.html': { body: listPage([11, 12], 'index_1.html'), type: html },
      '/list/index_1.html': { body: listPage([13, 14], 'index_2.html'), type: html },
      '/list/index_2.html': { body: listPage([15], 'index_3.html'), type: html },
      '/empty/index.html': { body: '<html><body><p>暂无内容</p></body></html>', type: html },
    });
  });
  after(() => site.close());

  const options = (overrides: Partial<CrawlOptions> = {}): CrawlOptions => ({
    maxPages: 3,
    maxNewArticles: 20,
    isNew: () => true,
    feedsDir: FEEDS_DIR,
    loadPage: load,
    ...overrides,
  });
  const first = (p: string) => load({ location: site.url(p), url: site.url(p) });
  const names = (links: PageLink[]) => links.map((l) => new URL(l.url).pathname);

  it('finds the fixture list page\'s two articles (absolute) and its next page, and no navigation or footer link', async () => {
    const { links, next } = await readListPage(await first('/qypd/ywjx/index.html'), { feedsDir: FEEDS_DIR });
    assert.deepEqual(links, [
      { location: site.url('/qypd/ywjx/201906/t20190628_15210.html'), url: site.url('/qypd/ywjx/201906/t20190628_15210.html') },
      { location: site.url('/qypd/ywjx/201906/t20190627_15188.html'), url: site.url('/qypd/ywjx/201906/t20190627_15188.html') },
    ]);
    assert.deepEqual(next, { location: site.url('/qypd/ywjx/index_1.html'), url: site.url('/qypd/ywjx/index_1.html') });
  });

  it('follows next pages up to maxPages', async () => {
    const result = await crawlList(await first('/list/index.html'), options({ maxPages: 2 }));
    assert.deepEqual(names(result.articles), [11, 12, 13, 14].map((id) => `/list/201906/t201906${id}.html`));
    assert.equal(result.pagesRead, 2);
    assert.deepEqual(result.notes, []);
  });

  it('a next page that cannot be loaded ends the crawl with a note; the articles found still count', async () => {
    const result = await crawlList(await first('/list/index.html'), options({ maxPages: 10 }));
    assert.equal(result.articles.length, 5);
    assert.equal(result.pagesRead, 3);
    assert.equal(result.notes.length, 1);
    assert.match(result.notes[0]!, /^crawl-list: next page http:\/\/127\.0\.0\.1:\d+\/list\/index_3\.html not read \(fetcher: .* 404 Not Found\)$/);
  });

  it('stops at maxNewArticles, and after a page that brings nothing new', async () => {
    const capped = await crawlList(await first('/list/index.html'), options({ maxNewArticles: 3 }));
    assert.deepEqual(names(capped.articles), [11, 12, 13].map((id) => `/list/201906/t201906${id}.html`));
    assert.equal(capped.pagesRead, 2);

    const before = site.count('/list/index_1.html');
    const known = await crawlList(await first('/list/index.html'), options({ isNew: (url) => !/t20190611|t20190612/.test(url) }));
    assert.deepEqual(known.articles, []);
    assert.equal(known.pagesRead, 1);
    assert.equal(site.count('/list/index_1.html'), before, 'page 2 was not requested');
  });

  it('uses the configured link and next-page selectors', async () => {
    const { links, next } = await readListPage(await first('/list/index.html'), { feedsDir: FEEDS_DIR, linkSelector: '.footer', nextSelector: '.nav a:first-child' });
    assert.deepEqual(names(links), ['/about/2019.html']);
    assert.equal(next?.url, site.url('/'));
  });

  it('a first page without article links is an error', async () => {
    await assert.rejects(crawlList(await first('/empty/index.html'), options()), { message: `crawl-list: no article links found on ${site.url('/empty/index.html')}` });
  });
});

describe('crawl-list on a local list page', () => {
  it('maps the links back to files under feeds/ with their public addresses, and refuses links leaving it', async () => {
    const first = await load({ location: 'samples/pages/qypd/ywjx/index.html', url: 'http://www.csteelnews.com/qypd/ywjx/index.html' });
    const result = await crawlList(first, { maxPages: 3, maxNewArticles: 20, isNew: () => true, feedsDir: FEEDS_DIR, loadPage: load });
    assert.deepEqual(result.articles, [
      { location: 'samples/pages/qypd/ywjx/201906/t20190628_15210.html', url: 'http://www.csteelnews.com/qypd/ywjx/201906/t20190628_15210.html' },
      { location: 'samples/pages/qypd/ywjx/201906/t20190627_15188.html', url: 'http://www.csteelnews.com/qypd/ywjx/201906/t20190627_15188.html' },
    ]);
    assert.equal(result.notes.length, 1, 'the next page is not bundled');
    assert.match(result.notes[0]!, /^crawl-list: next page http:\/\/www\.csteelnews\.com\/qypd\/ywjx\/index_1\.html not read \(fetcher: cannot read "samples\/pages\/qypd\/ywjx\/index_1\.html"/);

    const escaping: ListPage = { ...first, html: '<ul><li><a href="../../../../../../../etc/t20190628_1.html">一条逃出目录的新闻</a></li><li><a href="/qypd/t20190628_2.html">根路径链接的新闻</a></li></ul>' };
    const notes: string[] = [];
    const { links } = await readListPage(escaping, { feedsDir: FEEDS_DIR }, notes);
    assert.deepEqual(links, []);
    assert.equal(notes.length, 2);
    for (const note of notes) assert.match(note, /^crawl-list: link ".*" on a local list page leads outside the feeds directory; skipped$/);
  });
});
