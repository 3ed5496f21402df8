// The service over real sockets while it ingests hostile pages from an upstream on 127.0.0.1 (issue 13):
// a list page of 110,000 links and an article page nested 10,000 deep. The pages are read in ingest
// workers, so feed GETs are answered while the list is being read; the deep article fails alone, and
// every other source of the channel is stored.

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/env.js';
import { MAX_LIST_LINKS } from '../../src/ingest/limits.js';
import { DEFAULT_BUDGET, setDocumentBudget } from '../../src/ingest/worker/pool.js';
import { startService, type Service } from '../../src/main.js';
import type { Channel } from '../../src/model.js';
import { silentLogger } from '../helpers/log.js';
import { sequentialGetter } from '../helpers/sequential-get.js';
import { copyLicense, FEEDS_DIR, tempDir } from '../helpers/temp.js';

const LINKS = 110_000;
const ARTICLES_TAKEN = 2;
/** Feed GETs (one at a time, each a few milliseconds) answered while the list's 8 MB are read. */
const GETS_DURING_READ = 20;
/** Enough to tell; no more are sent. */
const MAX_GETS = 200;
const DEEP_HTML = `${'<div>'.repeat(10_000)}深层正文${'</div>'.repeat(10_000)}`;
const paragraph = `<p>${'三号高炉顺利点火，标志着项目进入新阶段。'.repeat(10)}</p>`;
const article = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}_钢铁新闻网</title></head><body><h1>${title}</h1><div class="article-content">${body}</div></body></html>`;
const rss = (items: [guid: string, title: string][]) =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>上游</title><link>http://hostile.example/</link>${items
    .map(([guid, title]) => `<item><guid>${guid}</guid><title>${title}</title><link>http://hostile.example/${guid}.html</link><pubDate>Thu, 27 Jun 2019 08:00:00 +0800</pubDate><description>${title}。</description></item>`)
    .join('')}</channel></rss>`;
const hugeList = `<html><head><meta charset="utf-8"></head><body><ul>${Array.from({ length: LINKS }, (_, i) => `<li><a href="/news/2024/${i}.html">钢铁企业要闻第${i}条</a></li>`).join('')}</ul></body></html>`;
const newsTitle = (i: number) => `钢铁企业要闻第${i}条正文页`;

const HTML = 'text/html; charset=utf-8';
const pages: Record<string, { type: string; body: string }> = {
  '/good.xml': { type: 'application/rss+xml', body: rss([['steel-1', '鞍钢冷轧新线投产']]) },
  '/list.html': {
    type: HTML,
    body: `<html><body><ul><li><a href="/good.html">第1篇文章的标题文字</a></li><li><a href="/deep.html">第2篇文章的标题文字</a></li></ul></body></html>`,
  },
  '/good.html': { type: HTML, body: article('宝钢湛江钢铁三号高炉点火', paragraph) },
  '/deep.html': { type: HTML, body: article('深层嵌套的文章页面', DEEP_HTML) },
  ...Object.fromEntries(Array.from({ length: ARTICLES_TAKEN }, (_, i) => [`/news/2024/${i}.html`, { type: HTML, body: article(newsTitle(i), paragraph) }])),
};

const { get, close: closeAgent } = sequentialGetter();

describe('the service while it ingests a 110,000-link list page and an article nested 10,000 deep', () => {
  let upstream: Server;
  let service: Service;
  /** What the upstream saw, in order: the list sent, then the articles asked for. */
  const events: string[] = [];
  let releaseList!: () => void;
  const listReleased = new Promise<void>((resolve) => (releaseList = resolve));
  let listSent!: () => void;
  const listWasSent = new Promise<void>((resolve) => (listSent = resolve));
  const disposers: (() => Promise<unknown>)[] = [];
  const channelOf = (id: string): Channel => service.channels.find((c) => c.id === id)!;

  before(async () => {
    upstream = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/huge-list.html') {
        // Held until the test lets it go, so that the calm channel is stored first.
        void listReleased.then(() => {
          res.on('finish', () => {
            events.push('huge list sent');
            listSent();
          });
          res.writeHead(200, { 'content-type': HTML }).end(hugeList);
        });
        return;
      }
      if (url.startsWith('/news/')) events.push(`article ${url} requested`);
      const page = pages[url];
      if (!page) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': page.type }).end(page.body);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    const feeds = await tempDir('syndicator-hostile-service-feeds-');
    const data = await tempDir('syndicator-hostile-service-data-');
    disposers.push(feeds.dispose, data.dispose);
    await copyLicense(feeds.dir);
    await mkdir(path.join(feeds.dir, 'samples'));
    // The calm channel reads a local document (no host queue shared with the hostile upstream).
    await writeFile(path.join(feeds.dir, 'samples', 'calm.rss.xml'), rss([['calm-1', '沙钢发布季度产量'], ['calm-2', '首钢京唐二期投产']]));
    const channel = (id: string, sources: unknown[]) => ({
      id,
      title: `频道 ${id}`,
      description: '钢铁企业要闻',
      language: 'zh-CN',
      link: 'http://hostile.example/',
      schedule: '0 0 1 1 *',
      license: 'csteelnews-own',
      sources,
    });
    await writeFile(path.join(feeds.dir, 'calm.json'), JSON.stringify(channel('calm', [{ id: 'calm-rss', type: 'feed', url: 'samples/calm.rss.xml' }])));
    await writeFile(
      path.join(feeds.dir, 'steel.json'),
      JSON.stringify(
        channel('steel', [
          { id: 'huge', type: 'list', url: `${origin}/huge-list.html`, maxPages: 1, maxNewArticles: ARTICLES_TAKEN, delayMs: 0 },
          { id: 'mixed', type: 'list', url: `${origin}/list.html`, maxPages: 1, maxNewArticles: 10, delayMs: 0 },
          { id: 'steel-rss', type: 'feed', url: `${origin}/good.xml` },
        ]),
      ),
    );
    // The time budget is tested on its own (hostile-ingest.test.ts); here a busy test machine must not
    // turn the list's reading into a budget failure.
    await setDocumentBudget({ timeMs: 300_000 });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, FEEDS_DIR: feeds.dir, BASE_URL: 'http://feeds.test', FETCH_TIMEOUT_MS: '60000' });
    service = await startService(config, silentLogger());
  });

  after(async () => {
    releaseList();
    closeAgent();
    await service?.stop();
    await setDocumentBudget(DEFAULT_BUDGET);
    await new Promise((r) => upstream.close(r));
    for (const dispose of disposers) await dispose();
  });

  test('feed GETs are answered while the list is read, and the calm channel\'s items are there', async () => {
    // The scheduler started both channels; runNow hands back the run under way.
    await service.scheduler.runNow(channelOf('calm'));
    let steelDone = false;
    const steelRun = service.scheduler.runNow(channelOf('steel')).then(() => (steelDone = true));
    releaseList();
    await listWasSent;
    // GETs one after the other until the service, done reading the list, asks for its first article.
    // Read on this thread, the list would hold every GET until it was read: a few at most would slip
    // in between the end of the reading and that request.
    const answers: { status: number; body: string }[] = [];
    while (answers.length < MAX_GETS && !events.some((e) => e.startsWith('article')) && !steelDone) {
      answers.push(await get(`${service.url}/feeds/calm.rss`));
    }
    await steelRun;
    assert.ok(answers.length >= GETS_DURING_READ, `${answers.length} GETs answered while the list was read`);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.match(answer.body, /沙钢发布季度产量/);
      assert.match(answer.body, /首钢京唐二期投产/);
    }
    assert.deepEqual(events, ['huge list sent', ...Array.from({ length: ARTICLES_TAKEN }, (_, i) => `article /news/2024/${i}.html requested`)]);
  });

  test('the deep article fails alone with a clear error; the list\'s first articles, the good article and the feed are stored', async () => {
    const states = new Map(service.store.sourceStates('steel').map((s) => [s.sourceId, s]));
    assert.match(states.get('mixed')?.lastError ?? '', /1 of 2 articles failed \(.*\/deep\.html: extract-page: page too deeply nested/);
    assert.equal(states.get('huge')?.lastError, undefined);
    assert.equal(states.get('steel-rss')?.lastError, undefined);
    assert.deepEqual(states.get('huge')?.notes, [`crawl-list: http://127.0.0.1:${(upstream.address() as AddressInfo).port}/huge-list.html links to ${LINKS} articles; the first ${MAX_LIST_LINKS} were read`]);

    const feed = JSON.parse((await get(`${service.url}/feeds/steel.json`)).body) as { items: { title: string }[] };
    assert.deepEqual(feed.items.map((i) => i.title).sort(), ['宝钢湛江钢铁三号高炉点火', '鞍钢冷轧新线投产', ...Array.from({ length: ARTICLES_TAKEN }, (_, i) => newsTitle(i))].sort());
  });
});
