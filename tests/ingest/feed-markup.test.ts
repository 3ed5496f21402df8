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
