// Which entries of one document become items, and the line that says why one did not.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';
import { normalizeFeed } from '../../src/ingest/normalize.js';
import { parseFeed } from '../../src/ingest/feed/parse-feed.js';
import { previewChannel } from '../../src/cli/preview.js';

const NOW = new Date('2024-05-01T00:00:00.000Z');

async function read(items: string) {
  const lines: string[] = [];
  const xml = `<rss version="2.0"><channel><title>c</title>${items}</channel></rss>`;
  const out = normalizeFeed(await parseFeed(xml), {
    channel: previewChannel(),
    source: { id: 's', type: 'feed', url: 'x.xml' },
    documentUrl: 'https://up.example/feed.xml',
    now: NOW,
    report: (line) => lines.push(line),
  });
  return { items: out, lines };
}

describe('entry identity within one document', () => {
  it('entries sharing a guid but not a link are different items, with different ids', async () => {
    const { items, lines } = await read(
      '<item><guid>g</guid><title>A</title><link>https://up.example/a</link></item><item><guid>g</guid><title>B</title><link>https://up.example/b</link></item><item><guid>g</guid><title>C</title><link>https://up.example/c</link></item>',
    );
    assert.deepEqual(items.map((i) => i.title), ['A', 'B', 'C']);
    assert.equal(new Set(items.map((i) => i.id)).size, 3);
    assert.deepEqual(lines, []);
  });

  it('the first of them keeps the id a lone entry with that guid has', async () => {
    const alone = await read('<item><guid>g</guid><title>A</title><link>https://up.example/a</link></item>');
    const shared = await read('<item><guid>g</guid><title>A</title><link>https://up.example/a</link></item><item><guid>g</guid><title>B</title><link>https://up.example/b</link></item>');
    assert.equal(shared.items[0]!.id, alone.items[0]!.id);
  });

  it('a repeat (same guid, same link) is dropped, and a line says which entry it repeats', async () => {
    const { items, lines } = await read('<item><guid>g</guid><title>A</title><link>https://up.example/a</link></item><item><guid>g</guid><title>A again</title><link>https://up.example/a</link></item>');
    assert.deepEqual(items.map((i) => i.title), ['A']);
    assert.deepEqual(lines, ['entry 2 dropped: it repeats entry 1 (same guid "g" and link https://up.example/a)']);
  });

  it('entries with neither guid nor link get ids from their content: same title, different text → two items', async () => {
    const twice = '<item><title>Notice</title><description>first</description></item><item><title>Notice</title><description>second</description></item>';
    const a = await read(twice);
    const b = await read(twice);
    assert.deepEqual(a.items.map((i) => i.summary), ['first', 'second']);
    assert.deepEqual(a.items.map((i) => i.id), b.items.map((i) => i.id), 'the same ids on every run');
    assert.equal(new Set(a.items.map((i) => i.id)).size, 2);
  });

  it('entries without guid or link that say the same are all kept (the document lists them), with ids stable across runs', async () => {
    const xml = '<item><title>Same</title><description>x</description></item><item><title>Same</title><description>x</description></item>';
    const a = await read(xml);
    const b = await read(xml);
    assert.equal(a.items.length, 2);
    assert.equal(new Set(a.items.map((i) => i.id)).size, 2);
    assert.deepEqual(a.items.map((i) => i.id), b.items.map((i) => i.id));
    assert.deepEqual(a.lines, []);
  });

  it('a repeated link without a guid and with the same content is one entry, with a line', async () => {
    const { items, lines } = await read('<item><title>A</title><link>https://up.example/a</link></item><item><title>A</title><link>https://up.example/a</link></item>');
    assert.equal(items.length, 1);
    assert.deepEqual(lines, ['entry 2 dropped: it repeats entry 1 (same link https://up.example/a)']);
  });

  it('entries without a guid that share a link but say different things are different entries', async () => {
    const { items } = await read('<item><title>Monday</title><link>https://up.example/</link></item><item><title>Tuesday</title><link>https://up.example/</link></item>');
    assert.deepEqual(items.map((i) => i.title), ['Monday', 'Tuesday']);
  });
});

describe('charset declarations the bytes contradict', () => {
  it('a prolog saying ISO-8859-1 over UTF-8 bytes is read as UTF-8, and the choice is stated', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item><title>Café</title></item></channel></rss>', 'utf8');
    const decoded = decodeDocument(body);
    assert.equal(decoded.charset, 'utf-8');
    assert.match(decoded.text, /<title>Café<\/title>/);
    assert.match(decoded.note ?? '', /declares ISO-8859-1, but the bytes are UTF-8 with multi-byte characters: read as UTF-8$/);
  });

  it('real ISO-8859-1 bytes are still read as declared', () => {
    const body = iconv.encode('<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>Café</title></rss>', 'latin1');
    const decoded = decodeDocument(body);
    assert.equal(decoded.charset, 'windows-1252');
    assert.match(decoded.text, /Café/);
    assert.equal(decoded.note, undefined);
  });

  it('a header saying Shift_JIS over UTF-8 bytes invalid in Shift_JIS is read as UTF-8', () => {
    const body = Buffer.from('<rss><title>钢铁新闻 — ü</title></rss>', 'utf8');
    const decoded = decodeDocument(body, 'text/xml; charset=Shift_JIS');
    assert.equal(decoded.charset, 'utf-8');
    assert.match(decoded.text, /钢铁新闻 — ü/);
    assert.match(decoded.note ?? '', /declares Shift_JIS, but the bytes are UTF-8 and invalid cp932/);
  });

  it('GBK bytes declared GBK stay GBK', () => {
    const decoded = decodeDocument(iconv.encode('<?xml version="1.0" encoding="gbk"?><rss><title>钢铁新闻</title></rss>', 'gbk'));
    assert.equal(decoded.charset, 'gb18030');
    assert.equal(decoded.note, undefined);
  });
});
