// Hostile documents served by a real upstream on 127.0.0.1 and read through the ingest pipeline
// (issue 13): each is read in a worker thread within its budget, bounded, or refused for that entry
// only, and the serving thread stays responsive while it is read.

import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ExtractError, ParseError } from '../../src/ingest/errors.js';
import { FIELD_LIMITS, MAX_FEED_ENTRIES, MAX_CONTENT_CHARS, MAX_LIST_LINKS } from '../../src/ingest/limits.js';
import { collectArticles, fetchFeed, readFeed, type FetchSettings } from '../../src/ingest/pipeline.js';
import { readListPage } from '../../src/ingest/page/crawl-list.js';
import { closeIngestPool, DEFAULT_BUDGET, runInWorker, setDocumentBudget } from '../../src/ingest/worker/pool.js';
import type { Channel, FeedSource, Item, ListSource, Source } from '../../src/model.js';
import { HostPolicy } from '../../src/ingest/fetch/polite.js';
import { refreshChannel } from '../../src/ingest/refresh.js';
import { FileStore } from '../../src/store/files/file-store.js';
import { withLoopTurns } from '../helpers/event-loop.js';
import { silentLogger } from '../helpers/log.js';
import { articleItemInWorker } from '../helpers/page-worker.js';
import { FEEDS_DIR, tempDir } from '../helpers/temp.js';

const channel: Channel = {
  id: 'qiye', title: '企业频道', description: '钢铁企业要闻', language: 'zh-CN', link: 'http://hostile.example/',
  timezone: 'Asia/Shanghai', schedule: '*/30 * * * *', license: 'own', licenseRules: [], maxItems: 200, sources: [],
};
const feedSource = (id: string): FeedSource => ({ id, type: 'feed', url: `http://127.0.0.1/${id}` });
const feedSourceAt = (id: string, url: string): FeedSource => ({ id, type: 'feed', url });
const NOW = new Date('2024-05-01T00:00:00.000Z');

const rss = (items: string) =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>上游</title><link>http://hostile.example/</link>${items}</channel></rss>`;
const item = (n: number, title: string, extra = '') =>
  `<item><guid>g-${n}</guid><title>${title}</title><link>http://hostile.example/a/${n}.html</link><pubDate>Thu, 27 Jun 2019 08:00:00 +0800</pubDate>${extra}</item>`;
const GOOD = item(1, '宝钢湛江钢铁三号高炉点火', '<description>三号高炉顺利点火。</description>');
const DEEP_HTML = `${'<div>'.repeat(10_000)}深层正文${'</div>'.repeat(10_000)}`;
const article = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}_钢铁新闻网</title></head><body><h1>${title}</h1><div class="article-content">${body}</div></body></html>`;

const documents: Record<string, { type: string; body: string }> = {
  '/huge-author.xml': { type: 'application/rss+xml', body: rss(item(2, '作者超长', `<author>${'@'.repeat(60_000)}</author>`) + GOOD) },
  '/ten-mb-title.xml': { type: 'application/rss+xml', body: rss(item(3, '钢'.repeat(10 * 1024 * 1024 / 3)) + GOOD) },
  '/bidi-title.xml': { type: 'application/rss+xml', body: rss(item(4, '\u202E\u2066宝武&lt;b&gt;集团&lt;/b&gt;\u2069 &amp; 发布\u200F', '<author>news@example.cn (\u202B孙丽\u202C)</author>')) },
  // 12 MB of content and as much again of summary in one item: paragraphs of 40 characters.
  '/huge-content.xml': {
    type: 'application/rss+xml',
    body: rss(item(6, '超长正文', `<description>${'&lt;p&gt;摘要段落，钢铁企业要闻摘要，反复出现的摘要文字。&lt;/p&gt;'.repeat(100_000)}</description><content:encoded><![CDATA[${'<p>正文段落：钢铁企业要闻，反复出现的正文文字，直到十二兆字节。</p>'.repeat(100_000)}]]></content:encoded>`) + GOOD).replace('<rss version="2.0">', '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'),
  },
  // An entry's rights statement of 6 MB.
  '/huge-rights.xml': {
    type: 'application/rss+xml',
    body: rss(item(7, '版权超长', `<dc:rights>${'版权所有，转载须注明出处。'.repeat(160_000)}</dc:rights>`) + GOOD).replace('<rss version="2.0">', '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'),
  },
  '/deep-content.xml': { type: 'application/rss+xml', body: rss(item(5, '深层嵌套', `<description><![CDATA[${DEEP_HTML}]]></description>`) + GOOD) },
  '/good.html': { type: 'text/html; charset=utf-8', body: article('宝钢湛江钢铁三号高炉点火', `<p>${'三号高炉顺利点火，标志着项目进入新阶段。'.repeat(10)}</p>`) },
  '/deep.html': { type: 'text/html; charset=utf-8', body: article('深层嵌套的文章页面', DEEP_HTML) },
  '/list.html': {
    type: 'text/html; charset=utf-8',
    body: `<html><body><ul>${['/good.html', '/deep.html'].map((h, i) => `<li><a href="${h}">第${i + 1}篇文章的标题文字</a></li>`).join('')}</ul></body></html>`,
  },
};
const LINKS = 40_000;
const listOf = (n: number) => `<html><body><ul>${Array.from({ length: n }, (_, i) => `<li><a href="/news/2024/${i}.html">钢铁企业要闻第${i}条</a></li>`).join('')}</ul></body></html>`;
const bigList = listOf(LINKS);
// Documents that need far more than a 48 MB worker heap: a feed of 100,000 entries (13 MB) and a list
// page of 110,000 links (8 MB); a small feed beside them.
documents['/bloated.xml'] = { type: 'application/rss+xml', body: rss(Array.from({ length: 100_000 }, (_, i) => item(100 + i, `臃肿条目${i}`)).join('')) };
documents['/huge-list.html'] = { type: 'text/html; charset=utf-8', body: listOf(110_000) };
documents['/good.xml'] = { type: 'application/rss+xml', body: rss(GOOD) };
// 5,003 entries, oldest first, one a minute: the three oldest are beyond the entry cap.
documents['/many-entries.xml'] = {
  type: 'application/rss+xml',
  body: rss(
    Array.from({ length: 5_003 }, (_, i) =>
      `<item><guid>m-${i}</guid><title>条目${i}</title><link>http://hostile.example/m/${i}.html</link><pubDate>${new Date(Date.UTC(2019, 5, 1) + i * 60_000).toUTCString()}</pubDate></item>`,
    ).join(''),
  ),
};
// An article page of 200,000 paragraphs beside a small one, on one list.
documents['/heavy.html'] = { type: 'text/html; charset=utf-8', body: article('厚重的文章页面', '<p>钢铁企业要闻段落。</p>'.repeat(200_000)) };
documents['/small.html'] = { type: 'text/html; charset=utf-8', body: article('沙钢发布季度产量报告', `<p>${'沙钢发布季度产量，同比增长。'.repeat(10)}</p>`) };
documents['/heavy-list.html'] = {
  type: 'text/html; charset=utf-8',
  body: `<html><body><ul>${['/small.html', '/heavy.html'].map((h, i) => `<li><a href="${h}">第${i + 1}篇文章的标题文字</a></li>`).join('')}</ul></body></html>`,
};

let server: Server;
let origin = '';
const settings: FetchSettings = { feedsDir: FEEDS_DIR, fetchTimeoutMs: 20_000, maxBodyBytes: 64 * 1024 * 1024, userAgent: 'syndicator-test' };

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/healthz') return void res.end('ok');
    const doc = documents[req.url ?? ''];
    if (!doc) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': doc.type }).end(doc.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await closeIngestPool();
  await new Promise((r) => server.close(r));
});

const readUrl = async (path: string) => {
  const fetched = await fetchFeed(`${origin}${path}`, settings);
  assert.equal(fetched.kind, 'ok');
  if (fetched.kind !== 'ok') throw new Error('unreachable');
  return readFeed(fetched, { channel, source: feedSource(path.slice(1, -4)), now: NOW });
};

const healthz = () =>
  new Promise<string>((resolve, reject) => {
    request(`${origin}/healthz`, (res) => {
      let body = '';
      res.on('data', (c) => (body += c)).on('end', () => resolve(body));
    }).on('error', reject).end();
  });

describe('hostile upstream documents', () => {
  test('an <author> of 60,000 "@" is read, cut to the author limit; the good entry is kept', async () => {
    const { items } = await readUrl('/huge-author.xml');
    assert.equal(items.length, 2);
    assert.ok(items[0]!.attribution.authors[0]!.length <= FIELD_LIMITS.author);
    assert.equal(items[1]!.title, '宝钢湛江钢铁三号高炉点火');
  });

  test('a 10 MB title is cut to the title limit, and a /healthz GET issued meanwhile answers before the ingest ends', async () => {
    const order: string[] = [];
    const ingest = readUrl('/ten-mb-title.xml').then((r) => (order.push('ingest'), r));
    await new Promise((r) => setTimeout(r, 20));
    const health = healthz().then((b) => (order.push('healthz'), b));
    const {
      value: { items },
      turns,
    } = await withLoopTurns(ingest);
    assert.equal(await health, 'ok');
    assert.deepEqual(order, ['healthz', 'ingest']);
    assert.ok(turns > 10, `the event loop turned ${turns} times during the ingest`);
    assert.ok([...items[0]!.title].length <= FIELD_LIMITS.title);
    assert.ok(items[0]!.title.startsWith('钢钢钢'));
    assert.equal(items[1]!.title, '宝钢湛江钢铁三号高炉点火');
  });

  test('a rights statement of 6 MB is cut to the rights limit; the good entry is kept', async () => {
    const { items } = await readUrl('/huge-rights.xml');
    assert.equal(items.length, 2);
    assert.ok(items[0]!.rights!.startsWith('版权所有，转载须注明出处。'));
    assert.ok([...items[0]!.rights!].length <= FIELD_LIMITS.rights, `rights of ${items[0]!.rights!.length}`);
    assert.equal(items[1]!.title, '宝钢湛江钢铁三号高炉点火');
  });

  test('a feed of 5,003 entries gives its newest 5,000 as items, and says so', async () => {
    const { items, notes } = await readUrl('/many-entries.xml');
    assert.equal(items.length, MAX_FEED_ENTRIES);
    const titles = new Set(items.map((i) => i.title));
    assert.deepEqual(['条目0', '条目1', '条目2', '条目3', '条目5002'].map((t) => titles.has(t)), [false, false, false, true, true]);
    assert.ok(notes.includes('the feed lists 5003 entries; the newest 5000 were read'), notes.join(' | '));
  });

  test('a title with markup and bidi controls is plain text without them; so is the author', async () => {
    const { items } = await readUrl('/bidi-title.xml');
    assert.equal(items[0]!.title, '宝武集团 & 发布');
    assert.deepEqual(items[0]!.attribution.authors, ['孙丽']);
  });

  test('12 MB of content is cut to MAX_CONTENT_CHARS, whole paragraphs kept and the cut one closed; the good entry is kept', async () => {
    const { items } = await readUrl('/huge-content.xml');
    assert.equal(items.length, 2);
    const [huge, good] = items as [Item, Item];
    const html = huge.contentHtml ?? '';
    assert.ok(html.length > MAX_CONTENT_CHARS * 0.9 && html.length <= MAX_CONTENT_CHARS + 16, `${html.length} characters`);
    assert.ok(html.startsWith('<p>正文段落'));
    // sanitize-html closes the paragraph the cut left open.
    assert.ok(html.endsWith('</p>'), JSON.stringify(html.slice(-40)));
    // The summary (12 MB of escaped HTML too) is the reader-facing plain text, as for any item.
    assert.ok(huge.summary?.startsWith('摘要段落'));
    assert.equal(good.title, '宝钢湛江钢铁三号高炉点火');
  });

  test('HTML content nested 10,000 deep gives its text; the source and its good entry are kept', async () => {
    const { items } = await readUrl('/deep-content.xml');
    assert.equal(items.length, 2);
    assert.match(items[0]!.summary ?? '', /深层正文/);
    assert.equal(items[1]!.title, '宝钢湛江钢铁三号高炉点火');
  });

  test('a list whose article page is nested 10,000 deep: that article fails as "too deeply nested", the other is stored', async () => {
    const source: ListSource = { id: 'list', type: 'list', url: `${origin}/list.html`, maxPages: 1, maxNewArticles: 10 };
    const run = await collectArticles(channel, source, {
      fetch: async (location) => fetchFeed(location, settings),
      feedsDir: FEEDS_DIR,
      isNew: () => true,
      now: NOW,
    });
    assert.deepEqual(run.items.map((i) => i.title), ['宝钢湛江钢铁三号高炉点火']);
    assert.equal(run.failures.length, 1);
    assert.match(run.failures[0]!, /deep\.html: extract-page: page too deeply nested/);
  });

  test('a list page of 40,000 links gives its first MAX_LIST_LINKS distinct article links, in page order, and a note saying so', async () => {
    const notes: string[] = [];
    const { links } = await readListPage({ fetchedUrl: `${origin}/list`, publicUrl: 'http://hostile.example/list', html: bigList }, { feedsDir: FEEDS_DIR }, notes);
    assert.equal(links.length, MAX_LIST_LINKS);
    assert.equal(new Set(links.map((l) => l.url)).size, MAX_LIST_LINKS);
    assert.deepEqual([links[0]!.url, links.at(-1)!.url], ['http://hostile.example/news/2024/0.html', `http://hostile.example/news/2024/${MAX_LIST_LINKS - 1}.html`]);
    assert.deepEqual(notes, [`crawl-list: http://hostile.example/list links to ${LINKS} articles; the first ${MAX_LIST_LINKS} were read`]);
  });

  test('a document over its time budget fails that document with a clear error; the next one is read', async () => {
    await setDocumentBudget({ timeMs: 1 });
    try {
      await assert.rejects(readUrl('/ten-mb-title.xml'), (err: Error) => err instanceof ParseError && /longer than its 0\.001 s budget/.test(err.message));
    } finally {
      await setDocumentBudget(DEFAULT_BUDGET);
    }
    const { items } = await readUrl('/bidi-title.xml');
    assert.equal(items.length, 1);
  });

  test('a feed, a list page and an article page over the memory budget fail their sources (or article) with the budget named; the rest is stored', async () => {
    const data = await tempDir('syndicator-memory-budget-');
    const store = await FileStore.open(data.dir, [channel.id]);
    const sources: Source[] = [
      feedSourceAt('bloated', `${origin}/bloated.xml`),
      { id: 'huge-list', type: 'list', url: `${origin}/huge-list.html`, maxPages: 1, maxNewArticles: 5, delayMs: 0 },
      { id: 'heavy-list', type: 'list', url: `${origin}/heavy-list.html`, maxPages: 1, maxNewArticles: 5, delayMs: 0 },
      feedSourceAt('good', `${origin}/good.xml`),
    ];
    // The time budget is raised so that only memory can stop a document, on however busy a machine.
    await setDocumentBudget({ memoryMb: 48, timeMs: 300_000 });
    let report;
    try {
      report = await refreshChannel({ ...channel, sources }, store, { ...settings, log: silentLogger(), hosts: new HostPolicy({ userAgent: settings.userAgent, timeoutMs: settings.fetchTimeoutMs, maxBytes: settings.maxBodyBytes }) });
    } finally {
      await setDocumentBudget(DEFAULT_BUDGET);
    }
    const bySource = new Map(report.sources.map((r) => [r.sourceId, r]));
    assert.match(bySource.get('bloated')?.error ?? '', /^parse-feed: feed document needed more than its 48 MB memory budget; reading it was stopped$/);
    assert.match(bySource.get('huge-list')?.error ?? '', /^crawl-list: list page needed more than its 48 MB memory budget; reading it was stopped$/);
    assert.equal(bySource.get('heavy-list')?.error, `crawl-list: 1 of 2 articles failed (${origin}/heavy.html: extract-page: article page needed more than its 48 MB memory budget; reading it was stopped)`);
    assert.equal(bySource.get('good')?.ok, true);
    assert.deepEqual(store.items(channel.id).map((i) => i.title).sort(), ['宝钢湛江钢铁三号高炉点火', '沙钢发布季度产量报告'].sort());
    await store.close();
    await data.dispose();
  });

  test('a memory budget too small for a worker to start fails the document with a clear error, not the process', async () => {
    await setDocumentBudget({ memoryMb: 4 });
    try {
      await assert.rejects(readUrl('/bidi-title.xml'), (err: Error) => err instanceof ParseError && /no ingest worker could start within the 4 MB memory budget/.test(err.message));
    } finally {
      await setDocumentBudget(DEFAULT_BUDGET);
    }
    const { items } = await readUrl('/bidi-title.xml');
    assert.equal(items.length, 1);
  });

  test('an article page nested 10,000 deep, read alone, is refused with a typed error', async () => {
    const source = { id: 'page', type: 'page' as const, url: `${origin}/deep.html` };
    await assert.rejects(
      collectArticles(channel, source, { fetch: async (l) => fetchFeed(l, settings), feedsDir: FEEDS_DIR, isNew: () => true, now: NOW }),
      (err: Error) => err instanceof ExtractError && /too deeply nested/.test(err.message),
    );
  });
});

// Found by the amplified fuzz suite (tests/fuzz/amplified.test.ts): work quadratic in the number of
// references, siblings or lines. Each document is read in a worker within the product's default
// budget (10 s per document), which the quadratic code overran by far; no time is measured here.
describe('hostile documents found by the fuzz suite, read within the default budget', () => {
  const pageSource = { id: 'fuzz-found', type: 'page' as const, url: 'http://hostile.example/news/2024/1.html' };
  const readPage = (text: string) => articleItemInWorker(text, { url: pageSource.url, channel, source: pageSource, now: NOW });
  const BODY = `<p>${'三号高炉顺利点火，标志着项目进入新阶段。'.repeat(10)}</p>`;

  test('a feed of 300,000 entity references (escapeStrayAmpersands started a search at each `&`: 15 s for 240,000)', async () => {
    const text = rss(item(6, `<title>${'&amp;'.repeat(150_000)}</title><description>${'&nbsp;'.repeat(150_000)}</description>`) + GOOD);
    const { items } = await runInWorker({ kind: 'feed', body: new Uint8Array(Buffer.from(text)), url: 'http://127.0.0.1/refs', channel, source: feedSource('refs'), now: NOW.toISOString(), documentUrl: 'http://127.0.0.1/refs' });
    assert.equal(items.length, 2);
    assert.equal(items[1]!.title, '宝钢湛江钢铁三号高炉点火');
  });

  test('an article of 20,000 lines written with <br> (paragraphs wrapped and label groups read one splice at a time: 33 s for 10,000)', async () => {
    const { item } = await readPage(article('两万行的文章页面', `${'三号高炉顺利点火一段文字<br><br>'.repeat(20_000)}`));
    assert.equal(item.title, '两万行的文章页面');
    assert.match(item.contentHtml ?? '', /^<p>三号高炉顺利点火一段文字<\/p><p>/);
  });

  test('an article whose text sits in one <font> of 20,000 lines (unwrapped node by node: 15 s for 10,000)', async () => {
    const { item } = await readPage(article('字体包裹的文章页面', `<font size="3">${'一段文字三号高炉顺利点火<br>'.repeat(20_000)}</font>`));
    assert.equal(item.title, '字体包裹的文章页面');
    assert.match(item.contentHtml ?? '', /一段文字三号高炉顺利点火/);
  });

  test('an article with 100,000 <meta> tags (removed one by one, each with a search and a splice: 16 s)', async () => {
    const text = article('满是元数据的文章页面', BODY).replace('<meta charset="utf-8">', `<meta charset="utf-8">${'<meta name="keywords" content="钢铁">'.repeat(100_000)}`);
    const { item } = await readPage(text);
    assert.equal(item.title, '满是元数据的文章页面');
    assert.match(item.contentHtml ?? '', /三号高炉顺利点火/);
  });

  test('an article with a breadcrumb of 70,000 links (searched with .find() from each of its children: 13 s)', async () => {
    const { item } = await readPage(article('面包屑很长的文章页面', `<div class="breadcrumb">当前位置：${'<a href="/c/">频道</a> &gt; '.repeat(70_000)}</div>${BODY}`));
    assert.equal(item.title, '面包屑很长的文章页面');
    assert.match(item.contentHtml ?? '', /三号高炉顺利点火/);
  });

  test('a list page of 80,000 links under the configured link selector is read to the link cap (cheerio .find() compared them pairwise: 12 s)', async () => {
    const html = `<html><body><ul class="list">${Array.from({ length: 80_000 }, (_, i) => `<li><a href="/news/2024/${i}.html">要闻${i}</a></li>`).join('')}</ul></body></html>`;
    const notes: string[] = [];
    const { links } = await readListPage({ fetchedUrl: `${origin}/list`, publicUrl: 'http://hostile.example/list', html }, { feedsDir: FEEDS_DIR, linkSelector: 'ul.list' }, notes);
    assert.equal(links.length, MAX_LIST_LINKS);
    assert.equal(links.at(-1)?.url, `http://hostile.example/news/2024/${MAX_LIST_LINKS - 1}.html`);
    assert.match(notes.join('\n'), /links to 80000 articles; the first 5000 were read/);
  });
});
