// Article pages → Items: the model site's fixture pages (both encodings) with every fact their README lists,
// three layouts of our own against their expected items, and the rules one at a time.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'cheerio';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';
import { extractPage, type PageExtractOptions } from '../../src/ingest/page/extract-page.js';
import { normalizePage } from '../../src/ingest/normalize.js';
import type { Channel, Item, PageSource } from '../../src/model.js';
import { FIXTURES as ALL_FIXTURES } from '../helpers/temp.js';

/** The model site's pages and our own layouts (tests/fixtures/pages, whose README lists their facts). */
const FIXTURES = path.join(ALL_FIXTURES, 'pages');

function fixturePath(name: string): string {
  return path.join(FIXTURES, name);
}
const BAOWU_URL = 'http://www.csteelnews.com/qypd/ywjx/201906/t20190628_15210.html';
const REPRINT_URL = 'http://www.csteelnews.com/qypd/ywjx/201906/t20190627_15188.html';

const channel: Channel = {
  id: 'qiye',
  title: '企业频道 · 要闻精选',
  description: '钢铁企业要闻',
  language: 'zh-CN',
  link: 'http://www.csteelnews.com/qypd/ywjx/',
  timezone: 'Asia/Shanghai',
  schedule: '*/30 * * * *',
  license: 'own',
  licenseRules: [{ when: { original: false }, license: 'reprinted' }],
  maxItems: 100,
  sources: [],
};
const NOW = new Date('2024-05-01T00:00:00.000Z');

function itemOf(html: string, url: string, source: Partial<PageSource> = {}, extract: Partial<PageExtractOptions> = {}): Item {
  const src: PageSource = { id: 'pages', type: 'page', url, ...source };
  const page = extractPage(html, { url, ...(src.selectors && { selectors: src.selectors }), ...(src.siteNames && { siteNames: src.siteNames }), ...extract });
  return normalizePage(page, { channel, source: src, now: NOW });
}

function fixture(name: string): string {
  return decodeDocument(readFileSync(fixturePath(name))).text;
}

/** The body as a reader sees it: paragraph texts, image and link addresses, all text. */
function body(item: Item) {
  const $ = load(item.contentHtml ?? '', null, false);
  return {
    paragraphs: $('p').toArray().map((p) => $(p).text()).filter((t) => t.trim() !== ''),
    allParagraphs: $('p').length,
    images: $('img').toArray().map((i) => $(i).attr('src')),
    links: $('a').toArray().map((a) => $(a).attr('href')),
    text: $.root().text(),
  };
}

const SITE = ['中国冶金报—中国钢铁新闻网', '中国钢铁新闻网', '中国冶金报'];
const OUTLET = { name: '中国冶金报—中国钢铁新闻网', url: 'http://www.csteelnews.com/' };

describe('the model site pages (tests/fixtures/pages)', () => {
  for (const file of ['csteelnews-20190628-baowu.html', 'csteelnews-20190628-baowu.gb2312.html']) {
    describe(`original work: ${file}`, () => {
      const bytes = readFileSync(fixturePath(file));
      const decoded = decodeDocument(bytes);
      const item = itemOf(decoded.text, BAOWU_URL, { siteNames: SITE, outlet: OUTLET });

      it('is decoded by its declared charset', () => {
        assert.equal(decoded.charset, file.includes('gb2312') ? 'gb18030' : 'utf-8');
      });
      it('title, UTC publication time, channel path', () => {
        assert.equal(item.title, '中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战');
        assert.equal(item.publishedAt, '2019-06-28T08:42:00.000Z');
        assert.deepEqual(item.categories, ['企业频道', '要闻精选']);
        assert.equal(item.link, BAOWU_URL);
      });
      it('editor 实习生2, no author (the empty 作者 gives none), no 来源: the site\'s own work under clause 【1】', () => {
        assert.deepEqual(item.attribution, { authors: [], editor: '实习生2', source: { name: '中国冶金报—中国钢铁新闻网', url: 'http://www.csteelnews.com/', original: true } });
        assert.equal(item.licenseId, 'own');
      });
      it('six body paragraphs, the first starting 作为中国宝武, and nothing of the page around them', () => {
        const b = body(item);
        assert.equal(b.paragraphs.length, 6);
        assert.equal(b.allParagraphs, 6);
        assert.ok(b.paragraphs[0]!.startsWith('作为中国宝武'), b.paragraphs[0]);
        assert.ok(b.paragraphs[5]!.endsWith('乡村兴的目标。'));
        for (const junk of ['首页', '新闻中心', '钢材动态', '企业频道', '热点新闻', '鞍钢集团召开', '品牌联盟', '地址', '京ICP备', '版权所有', '_hmt', '统计', '版权说明', '编辑', '实习生2', '作者', '2019-06-28 16:42']) {
          assert.ok(!b.text.includes(junk), `body contains "${junk}"`);
        }
      });
      it('the 版权说明 block, with its four clauses, is the item\'s rights', () => {
        assert.ok(item.rights?.startsWith('版权说明 【1】 凡本网注明"来源:中国冶金报—中国钢铁新闻网"的所有作品'), item.rights);
        assert.deepEqual(item.rights?.match(/【\d】/g), ['【1】', '【2】', '【3】', '【4】']);
        assert.match(item.rights!, /需经书面授权。转载时需注明来源于《中国冶金报—中国钢铁新闻网》及作者姓名/);
        assert.match(item.rights!, /【2】 凡本网注明"来源:XXX\(非中国钢铁新闻网\)"的作品,均转载自其它媒体/);
        assert.doesNotMatch(item.rights!, /\s{2}/, 'whitespace collapsed');
      });
    });
  }

  describe('reprinted work: csteelnews-20190627-reprint.html', () => {
    const item = itemOf(fixture('csteelnews-20190627-reprint.html'), REPRINT_URL, { siteNames: SITE, outlet: OUTLET });
    it('published 2019-06-27T01:15:30Z, authors 李明 and 王芳, editor 张伟, source 河北日报: clause 【2】', () => {
      assert.equal(item.title, '河钢集团与国际矿业公司签署战略合作协议');
      assert.equal(item.publishedAt, '2019-06-27T01:15:30.000Z');
      assert.deepEqual(item.attribution, { authors: ['李明', '王芳'], editor: '张伟', source: { name: '河北日报', original: false } });
      assert.equal(item.licenseId, 'reprinted');
      assert.deepEqual(item.categories, ['企业频道', '要闻精选']);
    });
    it('two body paragraphs, no info line, rights kept', () => {
      const b = body(item);
      assert.equal(b.paragraphs.length, 2);
      assert.ok(b.paragraphs[0]!.startsWith('6月26日,河钢集团'));
      assert.ok(!b.text.includes('河北日报') && !b.text.includes('李明'));
      assert.deepEqual(item.rights?.match(/【\d】/g), ['【1】', '【2】', '【3】', '【4】']);
    });
  });

  it('without siteNames or outlet, the site names itself by its <title> suffix', () => {
    const item = itemOf(fixture('csteelnews-20190628-baowu.html'), BAOWU_URL);
    assert.deepEqual(item.attribution.source, { name: '中国钢铁新闻网', url: 'http://www.csteelnews.com/', original: true });
  });
});

describe('layouts of our own (tests/fixtures/pages/*.expected.json)', () => {
  for (const name of ['table-layout.gbk', 'jsonld-article', 'meta-only']) {
    it(name, () => {
      const expected = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as {
        url: string;
        item: Partial<Item>;
        body: { paragraphs: number; startsWith: string; endsWith: string; images: string[]; links: string[]; excludes: string[] };
      };
      const item = itemOf(fixture(`${name}.html`), expected.url);
      const picked = Object.fromEntries(Object.keys(expected.item).map((k) => [k, item[k as keyof Item]]));
      assert.deepEqual(picked, expected.item);
      assert.equal(item.rights, (expected.item as Partial<Item>).rights, 'rights text only where the page has one');
      const b = body(item);
      assert.equal(b.allParagraphs, expected.body.paragraphs, item.contentHtml);
      assert.ok(b.paragraphs[0]!.startsWith(expected.body.startsWith), b.paragraphs[0]);
      assert.ok(b.text.trim().endsWith(expected.body.endsWith), b.text);
      assert.deepEqual(b.images, expected.body.images);
      assert.deepEqual(b.links, expected.body.links);
      for (const junk of expected.body.excludes) assert.ok(!b.text.includes(junk), `body contains "${junk}"`);
    });
  }
});

describe('extraction rules', () => {
  const page = (head: string, bodyHtml: string) =>
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>钢厂新闻标题一二三-测试网</title>${head}</head><body>${bodyHtml}</body></html>`;
  const paragraphs = '<div class="content"><p>第一段正文内容，介绍了钢铁企业的生产经营情况和下一步工作安排。</p><p>第二段正文内容，说明了会议的主要精神和具体要求，以及落实措施。</p></div>';
  const url = 'http://news.test.example/a/2021/0305/1.html';

  it('configured selectors win over every general rule', () => {
    const html = page(
      '<meta property="og:title" content="元数据标题"><meta property="article:published_time" content="2020-01-01T00:00:00+08:00">',
      `<h1>页面标题</h1><div class="byline"><span class="d">2021-03-05 08:05</span><span class="w">撰稿：甲 乙</span><span class="e">值班编辑 丙</span><span class="s"><a href="https://hbrb.example/">河北日报</a></span></div>
       <div class="ad">广告内容</div><div id="main-text"><p>选中的正文内容，这里是配置的选择器所选的文章主体部分。</p><div class="ad">正文中的广告内容</div></div>${paragraphs}`,
    );
    const item = itemOf(html, url, {
      selectors: { title: 'h1', date: '.byline .d', authors: '.byline .w', editor: '.byline .e', source: '.byline .s', body: '#main-text', remove: ['.ad'] },
    });
    assert.equal(item.title, '页面标题');
    assert.equal(item.publishedAt, '2021-03-05T00:05:00.000Z');
    assert.deepEqual(item.attribution, { authors: ['甲', '乙'], editor: '值班编辑 丙', source: { name: '河北日报', url: 'https://hbrb.example/', original: false } });
    assert.equal(item.contentHtml, '<p>选中的正文内容，这里是配置的选择器所选的文章主体部分。</p>');
  });

  it('JSON-LD before meta, meta before labels', () => {
    const ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"结构化标题","datePublished":"2021-01-02T03:04:05Z","author":{"@type":"Person","name":"结构化作者"}}</script>';
    const meta = '<meta property="og:title" content="元数据标题"><meta name="author" content="元数据作者"><meta property="article:published_time" content="2020-01-01T00:00:00+08:00">';
    const labels = '<h1>页面上的文章标题</h1><div class="info">发布时间：2019-01-01 10:00 作者：标签作者</div>';
    const both = itemOf(page(ld + meta, labels + paragraphs), url);
    assert.equal(both.title, '结构化标题');
    assert.equal(both.publishedAt, '2021-01-02T03:04:05.000Z');
    assert.deepEqual(both.attribution.authors, ['结构化作者']);
    const metaOnly = itemOf(page(meta, labels + paragraphs), url);
    assert.equal(metaOnly.title, '元数据标题');
    assert.equal(metaOnly.publishedAt, '2019-12-31T16:00:00.000Z');
    assert.deepEqual(metaOnly.attribution.authors, ['元数据作者']);
    const labelsOnly = itemOf(page('', labels + paragraphs), url);
    assert.equal(labelsOnly.title, '页面上的文章标题');
    assert.equal(labelsOnly.publishedAt, '2019-01-01T02:00:00.000Z');
    assert.deepEqual(labelsOnly.attribution.authors, ['标签作者']);
  });

  it('labels in parentheses at the end of the body are read and taken out of it', () => {
    const html = page('', `<h1>钢厂新闻标题一二三</h1><div class="content"><p>第一段正文内容，介绍了钢铁企业的生产经营情况和下一步工作安排。</p><p>第二段正文内容，说明了会议的主要精神和具体要求。(责任编辑:王静)</p><p>（来源：新华社）</p></div>`);
    const item = itemOf(html, url);
    assert.equal(item.attribution.editor, '王静');
    assert.deepEqual(item.attribution.source, { name: '新华社', original: false });
    assert.equal(body(item).allParagraphs, 2);
    assert.ok(!body(item).text.includes('王静') && !body(item).text.includes('新华社'));
  });

  it('a 来源 written as a link credits that outlet with its address; 本网 and the site\'s own names credit the site', () => {
    const linked = itemOf(page('', `<h1>钢厂新闻标题一二三</h1><p class="info">2021-03-05 来源：<a href="http://www.hbrb.example/">河北日报</a></p>${paragraphs}`), url);
    assert.deepEqual(linked.attribution.source, { name: '河北日报', url: 'http://www.hbrb.example/', original: false });
    for (const self of ['本网', '本站原创', '测试网', '中国冶金报']) {
      const item = itemOf(page('', `<h1>钢厂新闻标题一二三</h1><p class="info">来源：${self}</p>${paragraphs}`), url, { siteNames: ['中国冶金报—中国钢铁新闻网'] });
      assert.equal(item.attribution.source.original, true, self);
      assert.equal(item.licenseId, 'own', self);
    }
  });

  it('lazy images get their real address, relative URLs become absolute, scripts and handlers go', () => {
    const html = page('', `<h1>钢厂新闻标题一二三</h1><div class="content"><p>第一段正文内容，介绍了钢铁企业的生产经营情况和下一步工作安排。<img src="/grey.gif" data-src="../img/a.jpg" onerror="x()"></p><p>第二段正文 <a href="/b/2.html" onclick="y()">链接</a> 内容说明了会议的主要精神和具体要求，以及落实措施。<img data-original="//cdn.example/c.png"></p><script>evil()</script></div>`);
    const b = body(itemOf(html, url));
    assert.deepEqual(b.images, ['http://news.test.example/a/2021/img/a.jpg', 'http://cdn.example/c.png']);
    assert.deepEqual(b.links, ['http://news.test.example/b/2.html']);
    assert.ok(!b.text.includes('evil'));
  });

  it('a page that writes no labels: the elements named .date, .source and .author say it', () => {
    const html = page(
      '',
      `<h1 class="main-title">钢厂新闻标题一二三</h1><div class="date-source"><span class="date">2019年08月20日 19:12</span><a href="https://stcn.example/" class="source">证券时报</a><span class="author">记者 赵六</span></div>${paragraphs}`,
    );
    const item = itemOf(html, url);
    assert.equal(item.publishedAt, '2019-08-20T11:12:00.000Z');
    assert.deepEqual(item.attribution, { authors: ['赵六'], source: { name: '证券时报', url: 'https://stcn.example/', original: false } });
    assert.ok(!body(item).text.includes('证券时报'));
  });

  it('leaves out previous/next links, tag lines and a title repeated in the body; keeps "1-5月" in a title', () => {
    const html = `<html><head><meta charset="utf-8"><title>中钢协：1-5月粗钢日产同比增长</title></head><body>
      <div class="crumbs">当前位置：<a href="/">首页</a> › <a href="/hy/">行业动态</a> › 正文</div>
      <div class="article-info">2021-06-10 10:20:30 星期四　来源: 中国冶金报　作者: 张三　【我要打印】【关闭】</div>
      <div class="article-content"><div class="tit">中钢协：1-5月粗钢日产同比增长</div>${paragraphs}
      <div class="prenext"><p>上一篇：<a href="/1.html">上一条新闻的标题</a></p><p>下一篇：<a href="/3.html">下一条新闻的标题</a></p></div></div></body></html>`;
    const item = itemOf(html, url);
    assert.equal(item.title, '中钢协：1-5月粗钢日产同比增长');
    assert.equal(item.publishedAt, '2021-06-10T02:20:30.000Z');
    assert.deepEqual(item.attribution, { authors: ['张三'], source: { name: '中国冶金报', original: false } });
    assert.deepEqual(item.categories, ['行业动态']);
    const b = body(item);
    assert.equal(b.allParagraphs, 2);
    assert.ok(!/上一篇|下一篇|中钢协/.test(b.text), b.text);
  });

  it('refuses a document that is not HTML, and a page with no article body', () => {
    assert.throws(() => extractPage('{"error": "not found"}', { url }), { message: 'extract-page: not an HTML document (starts with "{"error": "not found"}")' });
    assert.throws(() => extractPage(page('', '<div class="nav"><a href="/">首页</a></div><p>页面不存在</p>'), { url }), { message: `extract-page: no article body found on ${url}` });
  });
});

describe('JSON-LD strings spelling characters no page holds (found by the fuzz suite)', () => {
  it('\\u0000 and lone surrogates written as JSON escapes are dropped, so the item can be stored (PostgreSQL jsonb refuses them)', () => {
    const ld = '{"@type":"NewsArticle","headline":"\\u0000宝钢\\ud800集团","author":{"@type":"Person","name":"孙\\udc00丽"},"articleBody":"\\u0000三号高炉\\udc00\\udc00顺利点火。"}';
    const html = `<html><head><title>宝钢集团_钢铁新闻网</title><script type="application/ld+json">${ld}</script></head><body><h1>宝钢集团</h1><p>短</p></body></html>`;
    const page = extractPage(html, { url: 'http://www.example.cn/a/1.html' });
    assert.equal(page.entry.title, '宝钢集团');
    assert.deepEqual(page.entry.authors, ['孙丽']);
    assert.doesNotMatch(JSON.stringify(page.entry), /\\u0000|\\ud[89a-f]/i);
  });
});
