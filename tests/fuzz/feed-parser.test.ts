// Fuzzing the feed parser (src/ingest/feed/parse-feed.ts with the XML and JSON Feed readers beside it)
// and the whole of a feed's ingest as a worker runs it (decode → parse → normalize, worker/tasks.ts):
// RSS 2.0, RSS 1.0, Atom and JSON Feed documents with hostile titles, authors, dates, links, CDATA,
// entities, DOCTYPEs, unknown elements, unclosed tags and downloads cut short. A document is read or
// refused with a ParseError, never anything else; what is read keeps the field limits; the items keep
// every promise of the model. Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../src/ingest/errors.js';
import { parseFeed, type ParsedFeed } from '../../src/ingest/feed/parse-feed.js';
import { FIELD_LIMITS } from '../../src/ingest/limits.js';
import { runTask } from '../../src/ingest/worker/tasks.js';
import type { Channel, FeedSource } from '../../src/model.js';
import { feedDocument } from '../helpers/fuzz-documents.js';
import { assertServable, check, htmlFragment, longRun } from '../helpers/fuzz.js';

const RAW = 8; // limits.ts: raw fields are cut at 8 × the plain-text limit
const NOW = new Date('2024-05-01T00:00:00.000Z');
const channel: Channel = {
  id: 'fuzz', title: '模糊测试', description: 'd', language: 'zh-CN', link: 'http://channel.example/',
  timezone: 'Asia/Shanghai', schedule: '*/30 * * * *', license: 'own', licenseRules: [], maxItems: 200, sources: [],
};
const source: FeedSource = { id: 'fuzz-feed', type: 'feed', url: 'http://up.example/feed.xml' };

/** Reads `text`; resolves with the feed, or with the ParseError it was refused with. Any other throw fails. */
async function parseOrRefuse(text: string): Promise<ParsedFeed | ParseError> {
  try {
    return await parseFeed(text);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw new Error(`parseFeed threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

/** The bounds of limits.ts hold for every entry read. */
function assertBounded(feed: ParsedFeed): void {
  for (const e of feed.entries) {
    assert.ok((e.title ?? '').length <= FIELD_LIMITS.title * RAW, `title of ${e.title?.length}`);
    assert.ok((e.link ?? '').length <= FIELD_LIMITS.link, `link of ${e.link?.length}`);
    for (const list of [e.authors, e.contributors, e.categories]) assert.ok(list.length <= FIELD_LIMITS.listLength);
    for (const a of [...e.authors, ...e.contributors]) assert.ok(a.length <= FIELD_LIMITS.author * RAW, `author of ${a.length}`);
    for (const c of e.categories) assert.ok(c.length <= FIELD_LIMITS.category * RAW, `category of ${c.length}`);
    // personName: an e-mail address alone is never a name.
    for (const a of e.authors) assert.doesNotMatch(a, /^[^\s@]+@[^\s@]+$/, `author "${a}" is an address`);
  }
}

describe('fuzz: parseFeed', () => {
  test('hostile RSS, RSS 1.0, Atom and JSON Feed: a feed within the limits, or a ParseError', async () => {
    await check(
      fc.asyncProperty(feedDocument(), async (doc) => {
        const result = await parseOrRefuse(doc.text);
        if (result instanceof ParseError) return;
        assertBounded(result);
        // No entry is invented: there are at most as many as the document opens.
        const opened = doc.kind === 'json' ? (doc.text.match(/"id":|"title":|"url":|"content_html":|\{/g)?.length ?? 0) : (doc.text.match(/<(?:[\w-]+:)?(?:item|entry)[\s>/]/g)?.length ?? 0);
        assert.ok(result.entries.length <= opened, `${result.entries.length} entries from ${opened} opened`);
      }),
      300,
    );
  });

  test('any text at all (random strings, markup soup, long runs, deep nesting): a feed or a ParseError', async () => {
    const anything = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      htmlFragment(800),
      longRun(60_000),
      fc.tuple(fc.constantFrom('<rss>', '<feed>', '<rdf:RDF>', '{"version": "https://jsonfeed.org/version/1.1", "items": ', '<?xml version="1.0"?><rss version="2.0"><channel>'), htmlFragment(300)).map(([a, b]) => a + b),
      fc.integer({ min: 1, max: 20_000 }).map((n) => `{"version":"https://jsonfeed.org/version/1.1","items":${'['.repeat(n)}${']'.repeat(n)}}`),
    );
    await check(
      fc.asyncProperty(anything, async (text) => {
        const result = await parseOrRefuse(text);
        if (result instanceof ParseError) {
          assert.match(result.message, /^parse-feed: /);
          return;
        }
        assertBounded(result);
      }),
      300,
    );
  });
});

describe('fuzz: a feed document through the worker task (decode → parse → normalize)', () => {
  test('gives items that keep every promise, or a parse-feed error; never a throw', async () => {
    const contentType = fc.constantFrom(undefined, 'application/rss+xml', 'application/xml; charset=gbk', 'text/xml; charset=utf-8', 'application/json', 'text/html; charset=big5', 'application/rss+xml; charset=bogus');
    await check(
      fc.asyncProperty(feedDocument(), contentType, async (doc, type) => {
        const result = await runTask({
          kind: 'feed',
          body: new Uint8Array(Buffer.from(doc.text, 'utf8')),
          ...(type !== undefined && { contentType: type }),
          url: source.url,
          channel,
          source,
          now: NOW.toISOString(),
          documentUrl: source.url,
        });
        if (!result.ok) {
          assert.equal(result.stage, 'parse-feed', result.message);
          return;
        }
        assert.equal(result.kind, 'feed');
        if (result.kind !== 'feed') return;
        for (const item of result.items) assertServable(item, { holds: doc, now: NOW });
        assert.equal(new Set(result.items.map((i) => i.id)).size, result.items.length, 'two items share an id');
      }),
      300,
    );
  });
});
