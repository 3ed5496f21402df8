// The service over real sockets while it ingests 20,000 items, all of one past month (April 2019), into
// a channel that keeps 50 live (issue 13), from four upstream feeds of 5,000 each (a feed document gives
// at most its newest MAX_FEED_ENTRIES; hostile-ingest.test.ts checks that cap): the items travel back from the
// ingest worker and go through the store's merge, retention and the month's archive document on the
// serving thread, in slices. No time is measured here (bench/hostile.ts --only month does that): the
// test checks that feed GETs are answered all along and that nothing of the 20,000 items is lost —
// every one reachable through the RFC 5005 archive documents of that month — and that a second run in
// which the upstream corrected 1,000 of them rewrites the month with the corrections, losing nothing.

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/env.js';
import { MAX_FEED_ENTRIES } from '../../src/ingest/limits.js';
import { DEFAULT_BUDGET, setDocumentBudget } from '../../src/ingest/worker/pool.js';
import { startService, type Service } from '../../src/main.js';
import type { Channel } from '../../src/model.js';
import { ATOM_NS } from '../../src/render/namespaces.js';
import { silentLogger } from '../helpers/log.js';
import { sequentialGetter } from '../helpers/sequential-get.js';
import { copyLicense, FEEDS_DIR, tempDir } from '../helpers/temp.js';
import { attr, childrenNamed, parseXml, textOf } from '../helpers/xml.js';

const ITEMS = 20_000;
/** Upstream feeds of the month channel, each a quarter of the month at the entry cap. */
const SOURCES = ITEMS / MAX_FEED_ENTRIES;
const sourceIds = Array.from({ length: SOURCES }, (_, k) => `month-rss-${k}`);
const LIVE = 50;
const CORRECTED = 1_000;
/** ARCHIVE_PAGE_ITEMS' default: the month is ⌈20,000 / 300⌉ archive documents. */
const PAGE_ITEMS = 300;
const PARAGRAPH = '河钢集团推进产能置换与超低排放改造，氢冶金示范项目进入调试阶段。';

const title = (n: number, corrected: boolean) => `四月要闻 ${n}${corrected ? '（更正）' : ''}`;
/** Item n was published at 2019-04-01T00:00Z + 2 n minutes: 20,000 items fill April 1 to 28; feed
 *  `part` holds the part-th quarter of them. */
function monthFeed(corrections: number, part: number): string {
  const items = Array.from({ length: MAX_FEED_ENTRIES }, (_, i) => {
    const n = part * MAX_FEED_ENTRIES + i;
    const date = new Date(Date.UTC(2019, 3, 1) + n * 120_000).toUTCString();
    const fixed = n < corrections;
    return `<item><title>${title(n, fixed)}</title><link>http://month.example.cn/${n}.html</link><guid isPermaLink="false">m-${n}</guid><pubDate>${date}</pubDate><description>${PARAGRAPH}${fixed ? '更正。' : ''}</description></item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>上游</title><link>http://month.example.cn/</link><description>d</description>${items.join('')}</channel></rss>`;
}
const calmFeed = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>上游</title><link>http://calm.example/</link>${['沙钢发布季度产量', '首钢京唐二期投产']
  .map((t, i) => `<item><guid>calm-${i}</guid><title>${t}</title><link>http://calm.example/${i}.html</link><pubDate>Thu, 27 Jun 2019 08:00:00 +0800</pubDate><description>${t}。</description></item>`)
  .join('')}</channel></rss>`;

const { get, close: closeAgent } = sequentialGetter();

describe('the service while it ingests 20,000 items of one past month (maxItems 50)', () => {
  let upstream: Server;
  let service: Service;
  let dataDir: string;
  let corrections = 0;
  let sent = 0;
  const disposers: (() => Promise<unknown>)[] = [];
  const channelOf = (id: string): Channel => service.channels.find((c) => c.id === id)!;

  /** Runs the month channel while GETting the calm feed one request after another; the GETs' answers. */
  async function ingestWhileReading(): Promise<{ status: number; body: string }[]> {
    let done = false;
    const run = service.scheduler.runNow(channelOf('month')).then(() => (done = true));
    const answers: { status: number; body: string }[] = [];
    while (!done) answers.push(await get(`${service.url}/feeds/calm.rss`));
    await run;
    return answers;
  }

  /** Every entry title of the month's archive documents, walked from the current Atom document by prev-archive; and the documents' addresses. */
  async function walkArchive(): Promise<{ titles: string[]; visited: string[] }> {
    const link = (doc: ReturnType<typeof parseXml>, rel: string) => childrenNamed(doc, ATOM_NS, 'link').find((l) => attr(l, 'rel') === rel)?.attributes.href?.value;
    let next = link(parseXml((await get(`${service.url}/feeds/month.atom`)).body), 'prev-archive');
    const titles: string[] = [];
    const visited: string[] = [];
    while (next !== undefined) {
      visited.push(next);
      const res = await get(next.replace('http://feeds.test', service.url));
      assert.equal(res.status, 200, next);
      const doc = parseXml(res.body);
      const entries = childrenNamed(doc, ATOM_NS, 'entry');
      assert.ok(entries.length <= PAGE_ITEMS, `${next} has ${entries.length} entries`);
      for (const entry of entries) titles.push(textOf(entry, ATOM_NS, 'title'));
      next = link(doc, 'prev-archive');
    }
    return { titles, visited };
  }

  before(async () => {
    upstream = createServer((req, res) => {
      const part = /^\/month-(\d)\.rss$/.exec(req.url ?? '')?.[1];
      if (part === undefined || Number(part) >= SOURCES) return void res.writeHead(404).end();
      sent += 1;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(monthFeed(corrections, Number(part)));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    const feeds = await tempDir('syndicator-hostile-month-feeds-');
    const data = await tempDir('syndicator-hostile-month-data-');
    disposers.push(feeds.dispose, data.dispose);
    dataDir = data.dir;
    await copyLicense(feeds.dir);
    await mkdir(path.join(feeds.dir, 'samples'));
    await writeFile(path.join(feeds.dir, 'samples', 'calm.rss.xml'), calmFeed);
    const channel = (id: string, sources: unknown[], maxItems: number) => ({
      id,
      title: `频道 ${id}`,
      description: '钢铁企业要闻',
      language: 'zh-CN',
      link: 'http://month.example.cn/',
      schedule: '0 0 1 1 *',
      license: 'csteelnews-own',
      maxItems,
      sources,
    });
    await writeFile(path.join(feeds.dir, 'calm.json'), JSON.stringify(channel('calm', [{ id: 'calm-rss', type: 'feed', url: 'samples/calm.rss.xml' }], 500)));
    await writeFile(path.join(feeds.dir, 'month.json'), JSON.stringify(channel('month', sourceIds.map((id, k) => ({ id, type: 'feed', url: `${origin}/month-${k}.rss` })), LIVE)));
    // The time budget is tested on its own (hostile-ingest.test.ts); a busy test machine must not turn
    // the reading of 20,000 items into a budget failure.
    await setDocumentBudget({ timeMs: 300_000 });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, FEEDS_DIR: feeds.dir, BASE_URL: 'http://feeds.test', FETCH_TIMEOUT_MS: '60000' });
    service = await startService(config, silentLogger());
    // The start ingests every channel; the calm one is there before the month's run is looked at.
    await service.scheduler.runNow(channelOf('calm'));
  });

  after(async () => {
    closeAgent();
    await service?.stop();
    await setDocumentBudget(DEFAULT_BUDGET);
    await new Promise((r) => upstream.close(r));
    for (const dispose of disposers) await dispose();
  });

  test('feed GETs are answered all through the ingest; the run adds all 20,000 items and keeps the newest 50 live', async () => {
    const answers = await ingestWhileReading();
    assert.ok(answers.length > 0);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.match(answer.body, /沙钢发布季度产量/);
      assert.match(answer.body, /首钢京唐二期投产/);
    }
    assert.equal(sent, SOURCES);
    for (const id of sourceIds) {
      const state = service.store.sourceStates('month').find((s) => s.sourceId === id);
      assert.equal(state?.lastError, undefined, id);
      assert.deepEqual(state?.lastCounts, { fetched: MAX_FEED_ENTRIES, added: MAX_FEED_ENTRIES, updated: 0, unchanged: 0 }, id);
    }
    const live = JSON.parse((await get(`${service.url}/feeds/month.json`)).body) as { items: { title: string }[] };
    assert.deepEqual(
      live.items.map((i) => i.title),
      Array.from({ length: LIVE }, (_, i) => title(ITEMS - 1 - i, false)),
    );
  });

  test('every one of the 20,000 items is in exactly one archive document of April 2019, reached through the RFC 5005 links', async () => {
    const { titles, visited } = await walkArchive();
    assert.equal(visited.length, Math.ceil(ITEMS / PAGE_ITEMS), visited.slice(0, 3).join(' '));
    assert.ok(visited.every((v) => new URL(v).searchParams.get('page') === '2019-04'), 'only April 2019 has items');
    assert.equal(titles.length, ITEMS);
    assert.equal(new Set(titles).size, ITEMS, 'no item twice');
    assert.deepEqual(titles.slice(0, 2), [title(ITEMS - 1, false), title(ITEMS - 2, false)], 'newest first');
    assert.equal(titles.at(-1), title(0, false));
    // The month's file holds the 19,950 that left the live set, as JSON any tool reads.
    const file = JSON.parse(await readFile(path.join(dataDir, 'archive', 'month', '2019-04.json'), 'utf8')) as { items: { title: string }[] };
    assert.equal(file.items.length, ITEMS - LIVE);
  });

  test('a second run in which the upstream corrected 1,000 archived items rewrites the month: the corrections are served, nothing is lost', async () => {
    corrections = CORRECTED;
    const answers = await ingestWhileReading();
    for (const answer of answers) assert.equal(answer.status, 200);
    assert.equal(sent, 2 * SOURCES);
    for (const id of sourceIds) assert.equal(service.store.sourceStates('month').find((s) => s.sourceId === id)?.lastError, undefined, id);
    const { titles } = await walkArchive();
    assert.equal(titles.length, ITEMS);
    assert.equal(new Set(titles).size, ITEMS, 'no item twice');
    const corrected = titles.filter((t) => t.endsWith('（更正）'));
    assert.equal(corrected.length, CORRECTED);
    assert.deepEqual(new Set(corrected), new Set(Array.from({ length: CORRECTED }, (_, n) => title(n, true))));
    const file = JSON.parse(await readFile(path.join(dataDir, 'archive', 'month', '2019-04.json'), 'utf8')) as { items: { title: string }[] };
    assert.equal(file.items.length, ITEMS - LIVE);
    assert.equal(file.items.filter((i) => i.title.endsWith('（更正）')).length, CORRECTED);
  });
});
