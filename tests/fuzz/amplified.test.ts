// Amplified fuzzing: documents of hundreds of kilobytes built by repeating fast-check-generated
// hostile pieces (runs of `@` in an author, tens of thousands of items, categories, attributes, entities,
// CDATA sections, links, nesting tens of thousands deep, breadcrumbs and info lines by the thousand),
// read through the real worker path (worker/pool.ts runInWorker) with a small per-document budget.
// The product's own budget is the bound on time: a document must give its items or a typed error
// that is not the budget's. No timing is asserted here. Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { IngestError } from '../../src/ingest/errors.js';
import { escapeMarkup } from '../../src/text.js';
import { closeIngestPool, DEFAULT_BUDGET, runInWorker, setDocumentBudget } from '../../src/ingest/worker/pool.js';
import type { Channel, FeedSource, PageSource } from '../../src/model.js';
import { dateText, personText } from '../helpers/fuzz-documents.js';
import { assertServable, attrs, check, entity, htmlPiece, tagName, word } from '../helpers/fuzz.js';
import { articleItemInWorker } from '../helpers/page-worker.js';

const NOW = new Date('2024-05-01T00:00:00.000Z');
/** Small enough that super-linear work on these documents would exceed it, large enough for a loaded CI machine. */
const BUDGET_MS = 5_000;
const channel: Channel = {
  id: 'fuzz', title: '模糊测试', description: 'd', language: 'zh-CN', link: 'http://up.example/',
  timezone: 'Asia/Shanghai', schedule: '*/30 * * * *', license: 'own', licenseRules: [], maxItems: 200, sources: [],
};
const feedSource: FeedSource = { id: 'amp-feed', type: 'feed', url: 'http://up.example/feed.xml' };
const pageSource: PageSource = { id: 'amp-page', type: 'page', url: 'http://up.example/news/2024/1.html' };
const everything = { dates: true, links: true, people: true };

const count = (min: number, max: number) => fc.integer({ min, max });
const rss = (items: string) => `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>上游</title><link>http://up.example/</link>${items}</channel></rss>`;
const item = (n: number, extra: string) => `<item><guid>g-${n}</guid><title>条目${n}</title><link>http://up.example/a/${n}.html</link><pubDate>Thu, 27 Jun 2019 08:00:00 +0800</pubDate>${extra}</item>`;
const GOOD = item(0, '<description>三号高炉顺利点火。</description>');

/** Feed documents of 100 KB – 1 MB, each one hostile shape repeated. */
const bigFeed: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('@', '(', ')', '<', '@ ', 'a@', '&amp;', '"', '@('), count(40_000, 80_000)).map(([c, n]) => rss(item(1, `<author>${escapeMarkup(c.repeat(n))}</author><dc:creator>${escapeMarkup(c.repeat(n))}</dc:creator>`) + GOOD)),
  fc.tuple(fc.array(htmlPiece, { minLength: 1, maxLength: 4 }), count(5_000, 20_000)).map(([p, n]) => rss(item(1, '').replace('<title>条目1</title>', `<title>${escapeMarkup(p.join('').repeat(n)).slice(0, 600_000)}</title>`) + GOOD)),
  fc.tuple(tagName, count(10_000, 60_000), fc.boolean()).map(([t, n, cdata]) => {
    const deep = `${`<${t}>`.repeat(n)}深层${`</${t}>`.repeat(n)}`;
    return rss(item(1, `<description>${cdata ? `<![CDATA[${deep}]]>` : escapeMarkup(deep)}</description>`) + GOOD);
  }),
  fc.tuple(count(10_000, 60_000), tagName).map(([n, t]) => rss(item(1, `<description>${`<${t}>`.repeat(n)}未闭合</description>`) + GOOD)),
  fc.tuple(fc.array(fc.tuple(personText.filter((p) => p.length < 200), dateText.filter((d) => d.length < 100), word), { minLength: 1, maxLength: 5 }), count(2_000, 6_000)).map(([pieces, n]) =>
    rss(Array.from({ length: n }, (_, i) => { const [p, d, w] = pieces[i % pieces.length]!; return item(i + 1, `<author>${escapeMarkup(p)}</author><pubDate>${escapeMarkup(d)}</pubDate><category>${escapeMarkup(w)}</category>`); }).join('')),
  ),
  fc.tuple(word, count(20_000, 60_000)).map(([w, n]) => rss(item(1, `<category>${escapeMarkup(w)}</category>`.repeat(n)) + GOOD)),
  fc.tuple(attrs, count(200, 2_000)).map(([a, n]) => rss(item(1, `<description x="1"${a.repeat(n).replace(/\s(?:xmlns|xml:base)[^=]*=("[^"]*"|'[^']*'|\S*)/g, '')}>属性</description>`) + GOOD)),
  fc.tuple(entity, count(30_000, 120_000)).map(([e, n]) => rss(item(1, `<title>${e.repeat(n)}</title><description>${e.repeat(n)}</description>`) + GOOD)),
  fc.tuple(fc.constantFrom('<![CDATA[x]]>', '<!--x-->', '<![CDATA[', '<!--', '&', ']]>', '<', '<?pi x?>', '&#', '<![CDATA[<b>]]>'), count(20_000, 120_000)).map(([p, n]) => rss(item(1, `<description>${p.repeat(n)}</description>`) + GOOD)),
  fc.tuple(count(5_000, 20_000), fc.constantFrom('xmlns:a="http://a.example/"', 'xml:base="http://b.example/x/"', 'xml:base="../"', 'xmlns="http://www.w3.org/2005/Atom"')).map(([n, a]) => rss(item(1, `<description>${`<x ${a}>`.repeat(n)}t${'</x>'.repeat(n)}</description>`) + GOOD)),
  fc.tuple(fc.array(fc.tuple(fc.constantFrom('title', 'content_html', 'summary'), fc.oneof(word, htmlPiece)), { minLength: 1, maxLength: 3 }), count(5_000, 20_000)).map(([fields, n]) =>
    JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'j', items: Array.from({ length: n }, (_, i) => ({ id: String(i), url: `http://up.example/j/${i}`, ...Object.fromEntries(fields) })) }),
  ),
  count(50_000, 200_000).map((n) => `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"t","tags":${'['.repeat(n)}${']'.repeat(n)}}]}`),
);

const page = (head: string, body: string) => `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>宝钢湛江钢铁三号高炉点火_钢铁新闻网</title>${head}</head><body><h1>宝钢湛江钢铁三号高炉点火</h1>${body}<div class="article-content"><p>${'三号高炉顺利点火，标志着项目进入新阶段。'.repeat(12)}</p></div></body></html>`;

/** Article pages of 100 KB – 1 MB, each one hostile shape repeated. */
const bigPage: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(word, count(5_000, 15_000)).map(([w, n]) => page('', `<ul>${Array.from({ length: n }, (_, i) => `<li><a href="/news/2024/${i}.html">${escapeMarkup(w)}${i}</a></li>`).join('')}</ul>`)),
  fc.tuple(fc.array(fc.oneof(word, entity), { minLength: 1, maxLength: 3 }), fc.constantFrom('<br>', '<br><br>', '<br/>\n', '</p><p>'), count(5_000, 20_000), fc.constantFrom('', '<font size="3">', '<span>')).map(([w, br, n, wrap]) =>
    page('', `<div class="article-content">${wrap}${`${w.join('')}三号高炉顺利点火${br}`.repeat(n)}${wrap === '' ? '' : `</${wrap.slice(1, wrap.indexOf(' ') > 0 ? wrap.indexOf(' ') : -1)}>`}</div>`),
  ),
  fc.tuple(fc.constantFrom('<p>相关新闻</p>', '<span>分享到</span>', '<p>上一页 1 2 3 下一页</p>', '<p style="display:none">x</p>', '<div class="share">x</div>', '<h3>推荐阅读</h3>', '<header>站点</header>'), count(5_000, 20_000)).map(([p, n]) =>
    page('', `<div>${`${p}<p>三号高炉顺利点火</p>`.repeat(n)}</div>`),
  ),
  fc.tuple(fc.constantFrom(' > ', ' » ', '>>', ' / ', '＞'), word, count(5_000, 30_000)).map(([s, w, n]) => page('', `<div class="breadcrumb">当前位置：${`<a href="/c/">${escapeMarkup(w)}</a>${s}`.repeat(n)}</div><div class="position">${`首页${s}`.repeat(n)}</div>`)),
  fc.tuple(tagName.filter((t) => !/^(?:script|style|title|textarea|xmp|plaintext|noscript|template|iframe|svg|math|select|option|object|embed)$/i.test(t)), count(10_000, 40_000)).map(([t, n]) => page('', `${`<${t}>`.repeat(n)}深层${`</${t}>`.repeat(n)}`)),
  fc.tuple(fc.constantFrom('div', 'span', 'p', 'font'), count(100, 500), word, count(50_000, 200_000)).map(([t, depth, w, len]) => page('', `${`<${t} class="time">`.repeat(depth)}${escapeMarkup(w).repeat(Math.ceil(len / Math.max(1, w.length)))}${`</${t}>`.repeat(depth)}`)),
  fc.tuple(fc.constantFrom('span class="time"', 'span class="source"', 'em class="author"', 'div class="info"', 'p class="date"'), dateText.filter((d) => d.length < 60), count(5_000, 20_000)).map(([t, d, n]) =>
    page('', `<div>${`<${t}>发布时间：${escapeMarkup(d)} 来源：本网</${t.split(' ')[0]}>`.repeat(n)}</div>`),
  ),
  fc.tuple(count(100, 250), word).map(([n, w]) => page('', `<table>${`<tr>${`<td>${escapeMarkup(w)}</td>`.repeat(n)}</tr>`.repeat(n)}</table>`)),
  fc.tuple(personText.filter((p) => p.length < 100), count(5_000, 20_000)).map(([p, n]) => page('', `<div class="article-content">${`<p>（作者：${escapeMarkup(p)} 责任编辑：王静）</p>`.repeat(n)}</div>`)),
  fc.tuple(fc.constantFrom('版权声明：本网所有作品', '【版权说明】', '版权说明'), count(2_000, 10_000)).map(([r, n]) => page('', `${`<div><p>${r}</p></div>`.repeat(n)}`)),
  fc.tuple(fc.constantFrom('author', 'og:title', 'article:section', 'pubdate', 'source'), word, count(10_000, 40_000)).map(([name, v, n]) => page(`<meta name="${name}" content="${escapeMarkup(v, true)}">`.repeat(n), '')),
  fc.tuple(fc.oneof(word, personText.filter((p) => p.length < 300)), count(2_000, 10_000)).map(([v, n]) => page(`<script type="application/ld+json">${JSON.stringify({ '@type': 'NewsArticle', headline: v, author: { name: v } }).replace(/</g, '\\u003c')}</script>`.repeat(n), '')),
  fc.tuple(fc.constantFrom('@', '<', '&', '(', '钢'), count(100_000, 400_000)).map(([c, n]) => page('', `<div class="author">作者：${escapeMarkup(c.repeat(n))}</div>`)),
  fc.tuple(count(300, 500), word, count(20_000, 100_000)).map(([depth, w, len]) => page('', `${'<div>'.repeat(depth)}<p>${escapeMarkup(w).repeat(Math.ceil(len / Math.max(1, w.length)))}</p>${'</div>'.repeat(depth)}`)),
);

/** The typed error a document over its budget fails with names the budget; nothing here may hit it. */
function assertNotBudget(err: unknown): void {
  assert.ok(err instanceof IngestError, `not a typed ingest error: ${(err as Error)?.name}: ${(err as Error)?.message}`);
  assert.doesNotMatch(err.message, /budget/, 'the document ran into its budget');
}

describe('fuzz, amplified: hostile documents of hundreds of KB through the ingest workers', () => {
  before(() => setDocumentBudget({ timeMs: BUDGET_MS }));
  after(async () => {
    // Back to the product's budget, so no other test in this process runs with this one.
    await setDocumentBudget(DEFAULT_BUDGET);
    await closeIngestPool();
  });

  test('feed documents: items, or a typed error other than the budget', async () => {
    await check(
      fc.asyncProperty(bigFeed, async (text) => {
        let result;
        try {
          result = await runInWorker({ kind: 'feed', body: new Uint8Array(Buffer.from(text, 'utf8')), url: feedSource.url, channel, source: feedSource, now: NOW.toISOString(), documentUrl: feedSource.url });
        } catch (err) {
          assertNotBudget(err);
          return;
        }
        for (const it of result.items.slice(0, 50)) assertServable(it, { holds: everything, now: NOW });
      }),
      12,
    );
  });

  test('article pages: an item, or a typed error other than the budget', async () => {
    await check(
      fc.asyncProperty(bigPage, async (text) => {
        let result;
        try {
          result = await articleItemInWorker(text, { url: pageSource.url, channel, source: pageSource, now: NOW });
        } catch (err) {
          assertNotBudget(err);
          return;
        }
        assertServable(result.item, { holds: everything, now: NOW });
      }),
      12,
    );
  });
});
