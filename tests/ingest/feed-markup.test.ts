// Titles written with markup, and RSS 0.91/0.92 items placed outside <channel>: what a reader sees
// after parse → normalize.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeFeed } from '../../src/ingest/normalize.js';
import { parseFeed } from '../../src/ingest/feed/parse-feed.js';
import { previewChannel } from '../../src/cli/preview.js';

const NOW = new Date('2024-05-01T00:00:00.000Z');

async function titles(xml: string): Promise<string[]> {
  const items = normalizeFeed(await parseFeed(xml), { channel: previewChannel(), source: { id: 's', type: 'feed', url: 'x.xml' }, documentUrl: 'https://up.example/feed.xml', now: NOW });
  return items.map((i) => i.title);
}

const rss = (title: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>${title}</title><link>https://up.example/1</link></item></channel></rss>`;
const atom = (title: string) =>
  `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>c</title><entry><id>urn:1</id><title>${title}</title><link href="https://up.example/1"/><updated>2024-01-01T00:00:00Z</updated></entry></feed>`;

describe('titles written with markup keep their text, in order', () => {
  const cases: [string, string, string][] = [
    ['a naked <p>', '<p>Item Title</p>', 'Item Title'],
    ['a naked <b> after text', 'Test: <b>bold</b>', 'Test: bold'],
    ['a naked <em> inside text', 'This is <em>really</em> it', 'This is really it'],
    ['nested naked markup', '<p>An <b><em>important</em> story</b> today</p>', 'An important story today'],
  ];
  for (const [what, markup, expected] of cases) {
    it(`RSS title with ${what}`, async () => {
      assert.deepEqual(await titles(rss(markup)), [expected]);
    });
    it(`Atom title with ${what}`, async () => {
      assert.deepEqual(await titles(atom(markup)), [expected]);
    });
  }

  it('Atom type="xhtml" keeps the word order', async () => {
    assert.deepEqual(await titles(atom('<div xmlns="http://www.w3.org/1999/xhtml">This is <b>XHTML</b> content.</div>').replace('<title>', '<title type="xhtml">')), [
      'This is XHTML content.',
    ]);
  });
});

describe('RSS 0.91/0.92 items outside <channel>', () => {
  for (const version of ['0.91', '0.92']) {
    it(`RSS ${version}: items after </channel> are read, in document order`, async () => {
      const xml = `<?xml version="1.0"?><rss version="${version}"><channel><title>c</title><link>https://up.example/</link><description>d</description><item><title>Inside</title><link>https://up.example/0</link></item></channel><item><title>First outside</title><link>https://up.example/1</link></item><item><title>Second outside</title><link>https://up.example/2</link></item></rss>`;
      assert.deepEqual(await titles(xml), ['Inside', 'First outside', 'Second outside']);
    });
  }

  it('an item inside another item is not a separate entry', async () => {
    const xml = `<rss version="0.91"><channel><title>c</title></channel><item><title>Outer</title><link>https://up.example/1</link><description><item>not an entry</item></description></item></rss>`;
    assert.deepEqual(await titles(xml), ['Outer']);
  });
});

// Found by the fuzz suite (tests/fuzz/feed-parser.test.ts): plain-text titles could still hold a tag,
// which an RSS reader that renders titles as HTML runs; JSON escapes could spell characters no document
// holds; an Atom author could be a bare address.
describe('no markup survives in a title, whatever form it came in', () => {
  const items = async (xml: string) =>
    normalizeFeed(await parseFeed(xml), { channel: previewChannel(), source: { id: 's', type: 'feed', url: 'x.xml' }, documentUrl: 'https://up.example/feed.xml', now: NOW });
  const cases: [string, string, string][] = [
    ['an unclosed tag in RSS CDATA (read as text: nothing closes it)', '<![CDATA[<img src=x onerror=alert(1)>宝钢集团]]>', '宝钢集团'],
    ['an escaped void tag in RSS', '&lt;img src=x onerror=alert(1)&gt;宝钢集团', '宝钢集团'],
    ['markup escaped twice (a tag once decoded)', '&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;宝钢集团', '宝钢集团'],
    ['a bidi control between < and the tag name', '&lt;\u2066img src=x onerror=alert(1)&gt;宝钢集团', '宝钢集团'],
  ];
  for (const [what, title, expected] of cases) {
    it(what, async () => {
      assert.deepEqual(await titles(rss(title)), [expected]);
    });
  }

  it('a title taken from the description holds no tag either', async () => {
    const xml = `<rss version="2.0"><channel><title>c</title><item><link>https://up.example/1</link><description>&lt;p&gt;&amp;lt;img src=x onerror=alert(1)&amp;gt;三号高炉点火&lt;/p&gt;</description></item></channel></rss>`;
    assert.deepEqual(await titles(xml), ['三号高炉点火']);
  });

  it('Atom type="text" and JSON Feed titles lose a tag too; "a < b" is no tag and stays', async () => {
    assert.deepEqual(await titles(atom('Use &lt;b&gt; for bold').replace('<title>', '<title type="text">')), ['Use for bold']);
    assert.deepEqual(await titles(rss('if a &lt; b')), ['if a < b']);
    const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'c', items: [{ id: '1', url: 'https://up.example/1', title: '<img src=x onerror=alert(1)>钢铁新闻' }] });
    assert.deepEqual(await titles(json), ['钢铁新闻']);
  });

  it('the upstream feed title, used as the outlet name, is plain, without bidi controls, and capped', async () => {
    const xml = `<rss version="2.0"><channel><title>\u202E${'钢'.repeat(5000)}&lt;img src=x onerror=alert(1)&gt;</title><item><title>t</title><link>https://up.example/1</link></item></channel></rss>`;
    const name = (await items(xml))[0]!.attribution.source.name;
    assert.ok([...name].length <= 200, `outlet name of ${[...name].length} characters`);
    assert.ok(name.startsWith('钢钢钢') && !name.includes('\u202E') && !name.includes('<'));
  });

  it('JSON Feed strings lose the characters their escapes spell and no document holds (\\u0000, lone surrogates)', async () => {
    const json = `{"version":"https://jsonfeed.org/version/1.1","title":"c","items":[{"id":"1","url":"https://up.example/1","title":"a\\u0000b\\ud800c","tags":["\\udc00x"],"authors":[{"name":"\\u0000孙丽"}],"content_html":"\\udc00\\udc00<!--<p>正文</p>"}]}`;
    const [item] = await items(json);
    assert.equal(item!.title, 'abc');
    assert.deepEqual(item!.categories, ['x']);
    assert.deepEqual(item!.attribution.authors, ['孙丽']);
    assert.doesNotMatch(JSON.stringify(item), /\\u0000|\\ud[89a-f]/i, 'storable in PostgreSQL jsonb');
  });

  it('an Atom author whose name is a bare e-mail address names no one; "name <address>" gives the name', async () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><title>c</title><entry><id>urn:1</id><title>t</title><link href="https://up.example/1"/><author><name>news@example.cn</name></author><author><name>孙丽 &lt;sunli@example.cn&gt;</name></author></entry></feed>`;
    assert.deepEqual((await items(xml))[0]!.attribution.authors, ['孙丽']);
  });
});
