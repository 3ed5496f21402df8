// Fuzzing the page side of ingest: the article extractor (src/ingest/page/extract-page.ts) through the
// worker's article task (extract → normalize, worker/tasks.ts) and the list-page reader (readListPage in
// page/crawl-list.ts), over hostile pages: script and event handlers, broken JSON-LD, info lines with
// dates in every form and authors of runs of `@`, unclosed tags, big attribute lists, nesting past the
// depth limit, links in every scheme. A page is read or refused with its typed error, never anything
// else; what is read keeps the model's promises. Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CrawlError, ExtractError } from '../../src/ingest/errors.js';
import { extractPage } from '../../src/ingest/page/extract-page.js';
import { readListPage } from '../../src/ingest/page/crawl-list.js';
import { parseDate } from '../../src/ingest/dates.js';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';
import { runTask, type TaskResult } from '../../src/ingest/worker/tasks.js';
import type { Channel, PageSource } from '../../src/model.js';
import { articlePage, listPage } from '../helpers/fuzz-documents.js';
import { assertServable, check, htmlFragment, longRun } from '../helpers/fuzz.js';
import { FEEDS_DIR } from '../helpers/temp.js';

const NOW = new Date('2024-05-01T00:00:00.000Z');
const URL_OF_PAGE = 'http://up.example/news/2024/0305/1203.html';
const channel: Channel = {
  id: 'fuzz', title: '模糊测试', description: 'd', language: 'zh-CN', link: 'http://up.example/',
  timezone: 'Asia/Shanghai', schedule: '*/30 * * * *', license: 'own', licenseRules: [], maxItems: 200, sources: [],
};
const source: PageSource = { id: 'fuzz-page', type: 'page', url: URL_OF_PAGE };
const everything = { dates: true, links: true, people: true };
/** Pages reach the extractor decoded (decodeDocument: characters XML forbids removed), as the pipeline gives them. */
const decoded = (html: string) => decodeDocument(Buffer.from(html, 'utf8'), 'text/html; charset=utf-8').text;

describe('fuzz: extractPage', () => {
  test('a hostile page is read or refused with an ExtractError; a date it reports is one parseDate reads', async () => {
    await check(
      fc.property(fc.oneof({ arbitrary: articlePage, weight: 4 }, { arbitrary: htmlFragment(700), weight: 1 }, { arbitrary: fc.string({ maxLength: 100 }), weight: 1 }), (html) => {
        let page;
        try {
          page = extractPage(decoded(html), { url: URL_OF_PAGE, now: NOW });
        } catch (err) {
          if (err instanceof ExtractError) return;
          throw new Error(`extractPage threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
        }
        assert.equal(page.entry.link, URL_OF_PAGE);
        for (const date of [page.entry.published, page.entry.updated]) {
          assert.ok(date === undefined || parseDate(date, 'UTC') !== undefined, `reported date ${JSON.stringify(date)} cannot be read`);
        }
        assert.ok(page.entry.contentHtml !== undefined && page.entry.contentHtml.trim() !== '', 'an article without a body');
      }),
      300,
    );
  });

  /** The worker's two page tasks as the pipeline runs them: extract (first page), then make the item. */
  const throughWorkerTasks = async (html: string, url: string): Promise<TaskResult> => {
    const extracted = await runTask({ kind: 'article', content: { html }, url, now: NOW.toISOString(), first: true });
    if (!extracted.ok) return extracted;
    assert.equal(extracted.kind, 'article');
    return runTask({ kind: 'page-item', page: (extracted as Extract<TaskResult, { kind: 'article' }>).page, channel, source, now: NOW.toISOString() });
  };
  const pageItem = (result: TaskResult) => {
    assert.equal(result.ok && result.kind, 'page-item');
    return (result as Extract<TaskResult, { kind: 'page-item' }>).item;
  };

  test('through the worker tasks (extract → normalize): an item keeping every promise, or an extract-page error', async () => {
    await check(
      fc.asyncProperty(articlePage, async (html) => {
        const result = await throughWorkerTasks(decoded(html), URL_OF_PAGE);
        if (!result.ok) {
          assert.equal(result.stage, 'extract-page', result.message);
          return;
        }
        assertServable(pageItem(result), { holds: everything, now: NOW });
      }),
      250,
    );
  });

  test('a page that names no date and no person gets neither (nothing invented)', async () => {
    // Words without digits or labels: nothing on the page can be read as a date or a byline.
    const words = fc.array(fc.constantFrom('宝钢', '湛江钢铁', '高炉点火', '集团发布', '半年报预告', '粗钢产量增长', '新闻', '钢铁'), { minLength: 20, maxLength: 80 });
    const page = fc.tuple(words, fc.constantFrom('h1', 'h2', 'div class="title"'), fc.constantFrom('article-content', 'content', 'TRS_Editor', 'main'), fc.array(words, { minLength: 1, maxLength: 4 })).map(
      ([title, h, body, paragraphs]) =>
        `<html><head><title>${title.slice(0, 5).join('')}_钢铁新闻网</title></head><body><${h}>${title.slice(0, 5).join('')}</${h.split(' ')[0]}><div class="${body}">${paragraphs.map((p) => `<p>${p.join('，')}。</p>`).join('')}</div></body></html>`,
    );
    await check(
      fc.asyncProperty(page, async (html) => {
        const result = await throughWorkerTasks(html, 'http://up.example/news/a.html');
        assert.ok(result.ok, result.ok ? '' : result.message);
        assertServable(pageItem(result), { holds: { dates: false, links: true, people: false }, now: NOW });
      }),
      100,
    );
  });
});

describe('fuzz: readListPage', () => {
  test('hostile list pages give distinct absolute http(s) article links (never the list itself) or a CrawlError', async () => {
    const publicUrl = 'http://up.example/news/list.html';
    await check(
      fc.asyncProperty(fc.oneof({ arbitrary: listPage, weight: 5 }, { arbitrary: htmlFragment(700), weight: 1 }, { arbitrary: longRun(20_000), weight: 1 }), fc.constantFrom(undefined, 'ul.list', 'li', '#nope', 'a'), async (html, linkSelector) => {
        let read;
        try {
          read = await readListPage({ fetchedUrl: publicUrl, publicUrl, html: decoded(html) }, { feedsDir: FEEDS_DIR, ...(linkSelector !== undefined && { linkSelector }) });
        } catch (err) {
          if (err instanceof CrawlError) return;
          throw new Error(`readListPage threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
        }
        const urls = read.links.map((l) => l.url);
        assert.equal(new Set(urls).size, urls.length, 'a link is listed twice');
        assert.ok(!urls.includes(publicUrl), 'the list links to itself');
        for (const link of [...read.links, ...(read.next ? [read.next] : [])]) {
          for (const u of [link.url, link.location]) {
            assert.ok(URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), `${JSON.stringify(u)} is not an absolute http(s) URL`);
          }
        }
        assert.ok(read.links.length <= (html.match(/<a\s/gi)?.length ?? 0), 'more links than anchors');
      }),
      300,
    );
  });
});
