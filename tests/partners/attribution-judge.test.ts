// The judgement of one reprinted page, duty by duty, on pages written the ways partner sites write
// them: full-width punctuation and other dashes, links with another scheme or a trailing slash, an item
// without an original link, authors spread over the byline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgePage } from '../../src/partners/attribution-check.js';
import { readPageText as readPage } from '../../src/ingest/page/page-text.js';

const ORIGINAL = 'http://www.csteelnews.com/qypd/ywjx/202611/t20261120_40000.html';
const expect = { sourceName: '中国冶金报—中国钢铁新闻网', authors: ['赵强', '孙丽'], originalLink: ORIGINAL };

const judged = (html: string, e: Parameters<typeof judgePage>[1] = expect) =>
  Object.fromEntries(judgePage(readPage(html, 'https://partner.example/news/1.html'), e).map((d) => [d.duty, d]));

test('the outlet written with another dash, full-width letters or spaces still counts; the link may differ in scheme and trailing slash', () => {
  const d = judged(`<p>来源：中国冶金报 - 中国钢铁新闻网　作者：赵　强　孙丽</p><p><a href="https://WWW.csteelnews.com/qypd/ywjx/202611/t20261120_40000.html/#top">原文</a></p>`);
  assert.deepEqual([d.source?.ok, d.author?.ok, d.link?.ok], [true, true, true]);
  assert.match(d.source?.evidence ?? '', /中国冶金报 - 中国钢铁新闻网/);
});

test('a relative link resolved against the page is compared as the absolute URL it is', () => {
  const own = { ...expect, originalLink: 'https://partner.example/archive/a.html' };
  assert.equal(judged('<p>来源:中国冶金报—中国钢铁新闻网 作者:赵强 孙丽 <a href="../archive/a.html">原文</a></p>', own).link?.ok, true);
});

test('text in scripts, styles and alt attributes is not attribution; a missing author is named', () => {
  const d = judged(`<script>var s="中国冶金报—中国钢铁新闻网 赵强 孙丽"</script><style>/*赵强*/</style><img alt="赵强 孙丽"><p>作者:赵强</p>`);
  assert.equal(d.source?.evidence, '"中国冶金报—中国钢铁新闻网" not found on the page');
  assert.equal(d.author?.ok, false);
  assert.equal(d.author?.evidence, '"孙丽" appears only in an image caption: «赵强 孙丽»');
});

test('an item without an original link is not judged on a link; an item without an author passes the author duty, saying so', () => {
  const d = judged('<p>来源:中国冶金报—中国钢铁新闻网</p>', { sourceName: expect.sourceName, authors: [] });
  assert.deepEqual(Object.keys(d).sort(), ['author', 'source']);
  assert.deepEqual(d.author, { duty: 'author', ok: true, evidence: 'the item names no author' });
});

test('excerpt: the share of the original sentences on the page against the larger of 30 % and what the public excerpt covers', () => {
  const sentences = ['第一句话写的是会议的时间地点。', '第二句话写的是会议的主要内容。', '第三句话写的是会议的具体要求。', '第四句话写的是参会人员的名单。'];
  const excerpt = { fullText: sentences.join(''), publicExcerpt: sentences.slice(0, 2).join('') };
  const page = (n: number) => `<p>来源:中国冶金报—中国钢铁新闻网 作者:赵强 孙丽</p>${sentences.slice(0, n).map((s) => `<p>${s}</p>`).join('')}`;
  assert.equal(judged(page(2), { ...expect, excerpt }).excerpt?.ok, true, 'as much as the public excerpt');
  const three = judged(page(3), { ...expect, excerpt }).excerpt;
  assert.deepEqual([three?.ok, three?.evidence], [false, '3 of 4 sentences of the original (75%) are on the page; only an excerpt may be reprinted: at most 50%']);
});
