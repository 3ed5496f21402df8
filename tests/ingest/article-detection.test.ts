// Is a page an article? Decided from the page as a whole, not a fixed body length: a one-paragraph
// brief is an item when its heading agrees with <title> or og:title, it is dated, and it has a
// byline label or a container named for article text; index and navigation pages stay refused.
// Also: which rule found each field (what `syndicator preview --explain` prints).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractPage } from '../../src/ingest/page/extract-page.js';

const url = 'http://www.example-steel.example/news/2021/0305/912.html';
const BRIEF = '3月4日，酒钢集团召开安全环保工作会，部署全年重点任务。';

function page(head: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body><div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>${body}<div class="footer">某钢铁网 版权所有</div></body></html>`;
}
const refused = (html: string) => assert.throws(() => extractPage(html, { url }), { message: `extract-page: no article body found on ${url}` });

describe('a brief is an article when the page as a whole says so', () => {
  it('heading agreeing with <title>, a date label, a 来源: one paragraph, one item', () => {
    const { entry, explain } = extractPage(
      page('<title>酒钢集团召开安全环保工作会_行业动态_西部钢铁网</title>', `<h2>酒钢集团召开安全环保工作会</h2><div class="info">时间:2021-3-5 8:05 来源:酒钢日报</div><div class="text"><p>${BRIEF}</p></div>`),
      { url },
    );
    assert.equal(entry.title, '酒钢集团召开安全环保工作会');
    assert.equal(entry.contentHtml, `<p>${BRIEF}</p>`);
    assert.equal(entry.published, '2021-3-5 8:05');
    assert.deepEqual(entry.source, { name: '酒钢日报' });
    assert.match(explain?.article ?? '', /brief/);
  });

  it('a heading agreeing with og:title and a body-named container (#zoom) stand in for <title> and labels', () => {
    const { entry } = extractPage(
      page('<title>某市工业和信息化局</title><meta property="og:title" content="关于2021年清明节放假的通知">', `<div class="title">关于2021年清明节放假的通知</div><div>2021-03-30</div><div id="zoom">根据通知精神，清明节放假三天。</div>`),
      { url },
    );
    assert.equal(entry.title, '关于2021年清明节放假的通知');
    assert.equal(entry.contentHtml, '<p>根据通知精神，清明节放假三天。</p>');
  });

  it('the same brief without a date, or under a heading <title> does not name, is refused', () => {
    refused(page('<title>酒钢集团召开安全环保工作会_西部钢铁网</title>', `<h2>酒钢集团召开安全环保工作会</h2><div class="info">来源:酒钢日报</div><div class="text"><p>${BRIEF}</p></div>`));
    refused(page('<title>西部钢铁网</title>', `<h2>酒钢集团召开安全环保工作会</h2><div class="info">时间:2021-3-5 8:05 来源:酒钢日报</div><div class="text"><p>${BRIEF}</p></div>`));
  });

  it('a long body needs no such evidence (as before)', () => {
    const long = '新区项目按照绿色、智能、高效的定位建设，配套建设了干法除尘和煤气回收系统，下一步将加快推进轧钢系统调试。';
    const { entry } = extractPage(page('<title>西部钢铁网</title>', `<div class="x"><p>${long}</p><p>${long}</p></div>`), { url });
    assert.equal(entry.contentHtml, `<p>${long}</p><p>${long}</p>`);
  });
});

describe('index and navigation pages are still refused', () => {
  it('a column index whose heading is the <title> and whose rows are dated links', () => {
    refused(
      page(
        '<title>通知公告</title>',
        '<table><tr><td class="title">通知公告</td></tr><tr><td><a href="/art/2021/3/30/art_88_1201.html">关于2021年清明节放假的通知</a></td><td>2021-03-30</td></tr><tr><td><a href="/art/2021/3/1/art_88_1188.html">关于开展安全生产大检查的通知</a></td><td>2021-03-01</td></tr></table>',
      ),
    );
  });
  it('a home page with a dated, sourced notice and a teaser paragraph', () => {
    refused(
      page(
        '<title>钢铁要闻网 - 首页</title>',
        '<div class="focus"><h2><a href="/a/1.html">建龙集团签署战略合作协议</a></h2><p>7月11日，建龙集团在北京签署战略合作协议。</p></div><ul><li><a href="/a/2.html">宝武韶钢高炉大修后复产</a> 2019-07-11</li></ul><div class="notice">发布时间：2019-07-12　来源：本网</div>',
      ),
    );
  });
  it('a page of links only, however well dated and labelled', () => {
    refused(
      page(
        '<title>企业新闻_中钢资讯</title>',
        '<h2>企业新闻</h2><div class="info">时间:2021-04-06 来源:本站</div><div class="content"><a href="/a/1.html">沙钢集团一季度产钢突破千万吨</a><a href="/a/2.html">马钢新型钢材通过认证</a></div>',
      ),
    );
  });
});

describe('explain: which rule found each field', () => {
  it('labels, headings and the body container on a labelled page', () => {
    const { explain } = extractPage(
      page('<title>酒钢集团召开安全环保工作会_行业动态_西部钢铁网</title>', `<h2>酒钢集团召开安全环保工作会</h2><div class="info">时间:2021-3-5 8:05 来源:酒钢日报 作者:何亮</div><div class="text"><p>${BRIEF}</p></div>`),
      { url },
    );
    assert.equal(explain?.title, 'heuristic: heading <h2> agreeing with <title>');
    assert.equal(explain?.published, 'label (info line)');
    assert.equal(explain?.source, 'label (info line)');
    assert.equal(explain?.authors, 'label (info line)');
    assert.match(explain?.body ?? '', /^heuristic: <div text> with the most paragraph text/);
  });
  it('selectors, JSON-LD and meta', () => {
    const ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"结构化标题","datePublished":"2021-01-02T03:04:05Z"}</script>';
    const html = page(`<title>t</title>${ld}<meta name="author" content="元数据作者">`, `<h1>结构化标题</h1><div class="ed">编辑：王五</div><div class="content"><p>${BRIEF}${BRIEF}</p></div>`);
    const { explain } = extractPage(html, { url, selectors: { editor: '.ed' } });
    assert.equal(explain?.title, 'JSON-LD headline');
    assert.equal(explain?.published, 'JSON-LD datePublished');
    assert.equal(explain?.authors, 'meta author');
    assert.equal(explain?.editor, 'selector ".ed"');
  });
});
