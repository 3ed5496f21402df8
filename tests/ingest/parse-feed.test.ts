import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ParseError } from '../../src/ingest/errors.js';
import { parseFeed } from '../../src/ingest/feed/parse-feed.js';
import { escapeRegExp } from '../../src/text.js';

const sample = (name: string) => readFileSync(new URL(`../../feeds/samples/${name}`, import.meta.url), 'utf8');

const rss = (items: string, channel = '', attrs = '') =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" ${attrs}><channel><title>t</title><link>http://e.cn/</link>${channel}${items}</channel></rss>`;
const atom = (entries: string, feed = '') =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>${feed}${entries}</feed>`;

describe('parseFeed: RSS fixture', async () => {
  const feed = await parseFeed(sample('steel-enterprise.rss.xml'));
  const [first, second, third] = feed.entries;

  it('reads the channel', () => {
    assert.equal(feed.kind, 'rss');
    assert.equal(feed.title, '钢铁企业要闻');
    assert.equal(feed.link, 'http://news.example.cn/qiye/');
    assert.equal(feed.language, 'zh-cn');
    assert.equal(feed.rights, '版权所有 钢铁企业新闻网 未经授权不得转载');
    assert.equal(feed.entries.length, 3);
  });

  it('reads guid, dc:creator, categories, description and content:encoded', () => {
    assert.equal(first?.guid, 'qiye-15201');
    assert.deepEqual(first?.authors, ['赵强']);
    assert.deepEqual(first?.categories, ['企业动态']);
    assert.equal(first?.summary, '<p>6月26日,鞍钢集团召开2019年上半年经济活动分析会。</p>');
    assert.match(first?.contentHtml ?? '', /^<p>6月26日.*<script>alert\(1\)<\/script>$/);
    assert.equal(first?.published, 'Thu, 27 Jun 2019 15:30:00 +0800');
    assert.equal(first?.titleIsHtml, false);
  });

  it('takes the name from an e-mail-form <author> and reads <source url>', () => {
    assert.equal(second?.guid, undefined);
    assert.equal(second?.title, '沙钢集团  &  东北特钢:联合开展技术攻关');
    assert.deepEqual(second?.authors, ['孙丽']);
    assert.deepEqual(second?.source, { name: '新华网', url: 'http://www.xinhuanet.com/rss' });
  });

  it('keeps a naive date raw', () => {
    assert.equal(third?.published, '2019-06-25 17:20:00');
  });
});

describe('parseFeed: Atom fixture', async () => {
  const feed = await parseFeed(sample('steel-enterprise.atom.xml'));
  const [e8812, e8799] = feed.entries;

  it('reads the feed', () => {
    assert.equal(feed.kind, 'atom');
    assert.equal(feed.title, '冶金企业动态');
    assert.equal(feed.link, 'http://metal.example.cn/qiye/');
    assert.equal(feed.language, 'zh-CN');
    assert.equal(feed.rights, '© 2019 冶金企业动态 保留所有权利');
    assert.deepEqual(feed.authors, ['冶金企业动态编辑部']);
  });

  it('reads an html title, author, contributor, rights, content and dates', () => {
    assert.equal(e8812?.guid, 'tag:metal.example.cn,2019:/qiye/8812');
    assert.equal(e8812?.title, '华菱钢铁发布<b>半年报</b>预告');
    assert.equal(e8812?.titleIsHtml, true);
    assert.deepEqual(e8812?.authors, ['钱进']);
    assert.deepEqual(e8812?.contributors, ['周敏']);
    assert.equal(e8812?.rights, '本文由华菱钢铁供稿,转载须注明出处');
    assert.match(e8812?.contentHtml ?? '', /<img src="http:\/\/metal.example.cn\/img\/8812.jpg" onerror="alert\(1\)">$/);
    assert.equal(e8812?.published, '2019-06-28T08:30:00+08:00');
    assert.equal(e8812?.updated, '2019-06-28T08:45:00+08:00');
  });

  it('lets an entry without author inherit the feed authors; a link without rel is the article', () => {
    assert.deepEqual(e8799?.authors, ['冶金企业动态编辑部']);
    assert.equal(e8799?.published, undefined);
    assert.equal(e8799?.updated, '2019-06-27T12:00:00Z');
    assert.equal(e8799?.link, 'http://metal.example.cn/qiye/8799.html');
    assert.equal(e8799?.summary, '日照基地全面投产。');
  });
});

describe('parseFeed: what rss-parser alone would lose', () => {
  it('keeps every dc:creator and dc:contributor, and dc:rights', async () => {
    const feed = await parseFeed(rss('<item><title>a</title><dc:creator>张三</dc:creator><dc:creator>李四</dc:creator><dc:contributor>王五</dc:contributor><dc:rights>转载请注明来源</dc:rights></item>'));
    assert.deepEqual(feed.entries[0]?.authors, ['张三', '李四']);
    assert.deepEqual(feed.entries[0]?.contributors, ['王五']);
    assert.equal(feed.entries[0]?.rights, '转载请注明来源');
  });

  it('never publishes an e-mail address as a name', async () => {
    const feed = await parseFeed(rss('<item><author>news@example.cn</author></item><item><author>孙丽 &lt;sun@example.cn&gt;</author></item><item><author>孙丽</author></item>'));
    assert.deepEqual(feed.entries.map((e) => e.authors), [[], ['孙丽'], ['孙丽']]);
  });

  it('reads categories with a domain attribute', async () => {
    const feed = await parseFeed(rss('<item><category domain="http://e.cn/c">钢铁</category><category>企业</category></item>'));
    assert.deepEqual(feed.entries[0]?.categories, ['钢铁', '企业']);
  });

  it('uses a permalink guid as the link, but not one marked isPermaLink="false"', async () => {
    const feed = await parseFeed(rss('<item><guid>http://e.cn/a.html</guid></item><item><guid isPermaLink="false">http://e.cn/b.html</guid></item>'));
    assert.deepEqual(feed.entries.map((e) => e.link), ['http://e.cn/a.html', undefined]);
  });

  it('reads <rss> without a version as RSS 2.0', async () => {
    const feed = await parseFeed('<rss><channel><title>t</title><item><title>a</title></item></channel></rss>');
    assert.equal(feed.entries[0]?.title, 'a');
  });

  it('reads RSS 1.0 (RDF) with dc:date and dc:language', async () => {
    const feed = await parseFeed(`<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="http://e.cn/"><title>t</title><link>http://e.cn/</link><dc:language>zh-cn</dc:language></channel>
      <item rdf:about="http://e.cn/1.html"><title>一</title><link>http://e.cn/1.html</link><dc:date>2019-06-28T16:42:00+08:00</dc:date><dc:subject>钢铁</dc:subject></item></rdf:RDF>`);
    assert.equal(feed.kind, 'rdf');
    assert.equal(feed.language, 'zh-cn');
    assert.deepEqual(
      { guid: feed.entries[0]?.guid, published: feed.entries[0]?.published, categories: feed.entries[0]?.categories },
      { guid: 'http://e.cn/1.html', published: '2019-06-28T16:42:00+08:00', categories: ['钢铁'] },
    );
  });

  it('picks the Atom alternate link, never self/edit/enclosure', async () => {
    const feed = await parseFeed(atom('<entry><id>x</id><title>a</title><link rel="edit" href="http://e.cn/edit/1"/><link rel="enclosure" href="http://e.cn/1.mp3"/><link rel="alternate" type="text/html" href="/1.html"/></entry><entry><id>y</id><link rel="self" href="http://e.cn/2.xml"/></entry>'));
    assert.deepEqual(feed.entries.map((e) => e.link), ['/1.html', undefined]);
  });

  it('keeps every Atom author, reads categories, source and text constructs', async () => {
    const feed = await parseFeed(atom(`<entry><id>x</id>
      <title type="text">A &lt;b&gt; B</title>
      <author><name>张三</name></author><author><name>李四</name><email>li@e.cn</email></author><author><email>only@e.cn</email></author>
      <category term="steel" label="钢铁"/><category term="enterprise"/>
      <source><id>urn:y</id><title>新华网</title><link href="http://www.xinhuanet.com/"/></source>
      <summary type="text">1 &lt; 2</summary>
      <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>正文</p></div></content>
      <rights type="html">&lt;p&gt;版权所有&lt;/p&gt;</rights></entry>`));
    const [entry] = feed.entries;
    assert.equal(entry?.title, 'A <b> B');
    assert.equal(entry?.titleIsHtml, false);
    assert.deepEqual(entry?.authors, ['张三', '李四']);
    assert.deepEqual(entry?.categories, ['钢铁', 'enterprise']);
    assert.deepEqual(entry?.source, { name: '新华网', url: 'http://www.xinhuanet.com/' });
    assert.equal(entry?.summary, '1 &lt; 2');
    assert.match(entry?.contentHtml ?? '', /<p>正文<\/p>/);
    assert.equal(entry?.rights, '版权所有');
  });

  it('survives an Atom date rss-parser cannot read (it would reject the whole feed)', async () => {
    const feed = await parseFeed(atom('<entry><id>x</id><title>a</title><published>2019年6月28日</published><updated>昨天</updated></entry>'));
    assert.equal(feed.entries[0]?.published, '2019年6月28日');
    assert.equal(feed.entries[0]?.updated, '昨天');
  });
});

describe('parseFeed: not a feed', () => {
  const cases: [what: string, input: string, message: string | RegExp][] = [
    ['an HTML page', '<!DOCTYPE html>\n<!-- page --><html><head><title>钢铁</title></head><body><p>x</p></body></html>', 'parse-feed: not an RSS, Atom or JSON Feed document (root element <html>)'],
    ['an XHTML page with a prolog', '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x "y">]><html xmlns="http://www.w3.org/1999/xhtml"/>', 'parse-feed: not an RSS, Atom or JSON Feed document (root element <html>)'],
    ['an empty string', '', 'parse-feed: not an RSS, Atom or JSON Feed document (empty document)'],
    ['plain text', 'Service Unavailable', 'parse-feed: not an RSS, Atom or JSON Feed document (starts with "Service Unavailable")'],
    ['malformed XML with no complete entry', '<rss version="2.0"><channel><title>a</titl><item><title>cut', /^parse-feed: malformed RSS document \(unexpected close tag/],
    ['a truncated Atom feed', '<feed xmlns="http://www.w3.org/2005/Atom"><entry>', /^parse-feed: malformed Atom document \(unclosed tag: entry/],
  ];
  for (const [what, input, message] of cases) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(parseFeed(input), (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.match(err.message, typeof message === 'string' ? new RegExp(`^${escapeRegExp(message)}$`) : message);
        return true;
      });
    });
  }
});

describe('parseFeed: documents that are not well-formed XML', () => {
  it('reads the entries around a stray end tag and an unclosed <br>, and says the document is not well-formed', async () => {
    const feed = await parseFeed(
      '<rss version="2.0"><channel><title>c</title><item><title>a</titl><link>http://e.cn/1</link></item><item><title>b</title><description>one<br>two</description><link>http://e.cn/2</link></item></channel></rss>',
    );
    assert.deepEqual(feed.entries.map((e) => e.title), ['a', 'b']);
    assert.equal(feed.entries[1]!.summary, 'one<br>two');
    assert.match(feed.problems?.[0] ?? '', /unexpected close tag/);
  });

  it('leaves out the entry a truncated document ends inside, keeping the complete ones', async () => {
    const feed = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><title>Whole</title></entry><entry><id>urn:2</id><title>Cut sh',
    );
    assert.deepEqual(feed.entries.map((e) => e.title), ['Whole']);
    assert.match(feed.problems?.[0] ?? '', /unclosed tag/);
  });

  it('a well-formed document has no problems', async () => {
    assert.equal((await parseFeed(rss('<item><title>a</title></item>'))).problems, undefined);
  });
});
