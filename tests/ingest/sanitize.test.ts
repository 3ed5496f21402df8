import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlToText, sanitizeHtml } from '../../src/ingest/sanitize.js';

const BASE = 'http://news.example.cn/qiye/201906/t20190627_15201.html';

describe('sanitizeHtml', () => {
  const cases: [what: string, html: string, expected: string][] = [
    ['drops script and its content', '<p>会议指出</p><script>alert(1)</script>', '<p>会议指出</p>'],
    ['drops style, iframe, object, noscript with everything inside', '<style>p{}</style><iframe src="http://x/"><p>x</p></iframe><object><img src="http://x/a.png"></object><noscript><img src="http://x/b.png"></noscript><p>正文</p>', '<p>正文</p>'],
    ['removes event handlers, keeps the image', '<img src="http://metal.example.cn/img/8812.jpg" onerror="alert(1)" alt="图">', '<img alt="图" src="http://metal.example.cn/img/8812.jpg" />'],
    ['removes style and class', '<p style="color:red" class="x">a</p>', '<p>a</p>'],
    ['keeps text of unknown wrappers', '<font color="red"><center>文字</center></font>', '文字'],
    ['absolutizes relative and protocol-relative URLs', '<a href="../a.html">a</a><img src="//img.example.cn/b.png"><img src="/c.png">', '<a href="http://news.example.cn/qiye/a.html">a</a><img src="http://img.example.cn/b.png" /><img src="http://news.example.cn/c.png" />'],
    ['drops javascript: and data: URLs', '<a href="java\tscript:alert(1)">x</a><a href="JAVASCRIPT:alert(1)">y</a><img src="data:image/png;base64,AAAA">', '<a>x</a><a>y</a>'],
    ['keeps mailto: on links only', '<a href="mailto:news@example.cn">信箱</a><img src="mailto:x@example.cn">', '<a href="mailto:news@example.cn">信箱</a>'],
    ['takes lazy image addresses', '<img src="/grey.gif" data-src="/real.jpg"><img data-original="http://img.example.cn/o.jpg">', '<img src="http://news.example.cn/real.jpg" /><img src="http://img.example.cn/o.jpg" />'],
    ['keeps the structural allowlist', '<h2>标题</h2><ul><li><strong>a</strong><em>b</em></li></ul><blockquote>q</blockquote><table><tbody><tr><td colspan="2">c</td></tr></tbody></table><pre><code>x</code></pre>', '<h2>标题</h2><ul><li><strong>a</strong><em>b</em></li></ul><blockquote>q</blockquote><table><tbody><tr><td colspan="2">c</td></tr></tbody></table><pre><code>x</code></pre>'],
    ['turns h1 into h2', '<h1>大标题</h1>', '<h2>大标题</h2>'],
    ['escapes text', '<p>a &amp; b &lt; c</p>', '<p>a &amp; b &lt; c</p>'],
  ];
  for (const [what, html, expected] of cases) {
    it(what, () => assert.equal(sanitizeHtml(html, BASE), expected));
  }

  it('drops relative URLs when the base is not a web URL', () => {
    assert.equal(sanitizeHtml('<a href="a.html">a</a><img src="b.png">', 'file:///srv/feeds/x.xml'), '<a>a</a>');
  });
});

describe('htmlToText', () => {
  it('decodes entities and collapses whitespace', () => {
    assert.equal(htmlToText('沙钢集团  &amp;  东北特钢&nbsp;&#x8054;合'), '沙钢集团 & 东北特钢 联合');
  });
  it('adds no space for inline markup', () => {
    assert.equal(htmlToText('华菱钢铁发布<b>半年报</b>预告'), '华菱钢铁发布半年报预告');
  });
  it('separates blocks and line breaks', () => {
    assert.equal(htmlToText('<p>第一段</p><p>第二段<br>第三行</p><ul><li>一</li><li>二</li></ul>'), '第一段 第二段 第三行 一 二');
  });
  it('drops scripts and styles', () => {
    assert.equal(htmlToText('<p>正文</p><script>alert(1)</script><style>p{}</style>'), '正文');
  });
  it('passes plain text through, trimmed', () => {
    assert.equal(htmlToText('  a < b  '), 'a < b');
  });
});

describe('htmlToText on characters no document holds (found by the fuzz suite)', () => {
  it('two lone low surrogates before a comment do not throw (parse5 pairs them into a code point past U+10FFFF)', () => {
    assert.equal(htmlToText('\udc00\udc00<!--x-->正文'), '正文');
    assert.equal(htmlToText('a\ud800<b>b</b>'), 'ab');
  });
});
