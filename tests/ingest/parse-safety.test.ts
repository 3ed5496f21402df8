// Parsing safety (issue #6 §3): entities are never expanded or fetched, a non-feed is an error, the
// channel's <ttl> is read for scheduling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';
import { parseFeed } from '../../src/ingest/feed/parse-feed.js';

const rss = (head: string, body: string) => `<?xml version="1.0"?>${head}<rss version="2.0"><channel><title>t</title>${body}</channel></rss>`;

describe('parseFeed refuses entity tricks', () => {
  it('refuses an external entity (XXE), by name', async () => {
    const xml = rss('<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '<item><title>&xxe;</title><link>http://a.example/1</link></item>');
    await assert.rejects(parseFeed(xml), /^ParseError: parse-feed: refusing a DOCTYPE that declares entities/);
  });

  it('refuses billion laughs at once (bounded time and memory)', async () => {
    const levels = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i <= 10; i++) levels.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const started = performance.now();
    await assert.rejects(parseFeed(rss(`<!DOCTYPE rss [${levels.join('')}]>`, '<item><title>&a10;</title></item>')), /refusing a DOCTYPE/);
    assert.ok(performance.now() - started < 500);
  });

  it('an entity reference without a declaration is malformed XML, never resolved', async () => {
    await assert.rejects(parseFeed(rss('<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">', '<item><title>&evil;</title></item>')), /^ParseError: parse-feed: malformed RSS document/);
  });

  it('a plain DOCTYPE without entities is still read', async () => {
    const feed = await parseFeed(rss('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">', '<item><title>ok</title><link>http://a.example/1</link></item>'));
    assert.equal(feed.entries[0]!.title, 'ok');
  });

  it('an HTML error page is an error, not zero items', async () => {
    await assert.rejects(parseFeed('<!DOCTYPE html><html><body><h1>503</h1></body></html>'), /not an RSS, Atom or JSON Feed document \(root element <html>\)/);
  });

  it('characters illegal in XML are stripped before parsing', async () => {
    const { text } = decodeDocument(Buffer.from(rss('', '<item><title>a\u0001b\u000Bc</title><link>http://a.example/1</link></item>')));
    assert.equal((await parseFeed(text)).entries[0]!.title, 'abc');
  });
});

describe('parseFeed reads <ttl>', () => {
  it('as minutes when it is a positive whole number', async () => {
    assert.equal((await parseFeed(rss('', '<ttl>45</ttl>'))).ttlMinutes, 45);
    assert.equal((await parseFeed(rss('', '<ttl>soon</ttl>'))).ttlMinutes, undefined);
    assert.equal((await parseFeed(rss('', '<ttl>0</ttl>'))).ttlMinutes, undefined);
  });
});

describe('parseFeed: an unused entity declaration is harmless', () => {
  it('is ignored, and the feed read', async () => {
    const feed = await parseFeed(rss('<!DOCTYPE rss [<!ENTITY unused SYSTEM "file:///etc/passwd">]>', '<item><title>ok</title><link>http://a.example/1</link></item>'));
    assert.equal(feed.entries[0]!.title, 'ok');
  });
});
