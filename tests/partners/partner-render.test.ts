// Partner feeds in each format: every item names the grant, self links point at /partner/feeds
// without a key, and the content level follows the grant — through the renderers and the output cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputCache } from '../../src/http/output-cache.js';
import type { Channel, Item } from '../../src/model.js';
import { type Delivery, REPRINT_NS, formats } from '../../src/render/index.js';
import { ATOM_NS } from '../../src/render/namespaces.js';
import { readWithFeedparser } from '../helpers/feed-clients.js';
import { fixedStore } from '../helpers/fixed-store.js';
import { assertValidJsonFeed } from '../helpers/jsonfeed.js';
import * as fx from '../helpers/render-fixtures.js';
import { type XmlElement, attr, childrenNamed, only, parseXml } from '../helpers/xml.js';

const DELIVERY: Delivery = { partner: 'hebei-daily', grantId: 'g-0123456789', content: 'full', until: '2026-12-31T16:00:00.000Z' };

type Json = Record<string, any>;

/** The <item>s of an RSS document or the <entry>s of an Atom one. */
function entriesOf(doc: string, format: 'rss' | 'atom'): XmlElement[] {
  const root = parseXml(doc);
  return format === 'rss' ? childrenNamed(only(root, '', 'channel'), '', 'item') : childrenNamed(root, ATOM_NS, 'entry');
}

function render(format: 'rss' | 'atom' | 'json', delivery?: Delivery, items: Item[] = fx.items()): string {
  return formats[format].render(fx.channel(), items, fx.ctx(delivery === undefined ? {} : { delivery }));
}

describe('partner renders', () => {
  for (const format of ['rss', 'atom'] as const) {
    it(`${format}: every item carries one reprint:grant with id, partner, content and until, after the attribution`, () => {
      const entries = entriesOf(render(format, DELIVERY), format);
      assert.equal(entries.length, 3);
      for (const entry of entries) {
        const grant = only(entry, REPRINT_NS, 'grant');
        assert.deepEqual(
          ['id', 'partner', 'content', 'until'].map((a) => attr(grant, a)),
          ['g-0123456789', 'hebei-daily', 'full', '2026-12-31T16:00:00.000Z'],
        );
        assert.equal(grant.children.length + grant.text.length, 0, 'an empty element');
        const reprint = entry.children.filter((c) => c.uri === REPRINT_NS).map((c) => c.local);
        assert.equal(reprint[reprint.length - 1], 'grant', 'the last reprint element');
        assert.ok(reprint.includes('attribution'));
      }
      const noEnd = entriesOf(render(format, { ...DELIVERY, until: undefined }), format);
      assert.equal(attr(only(noEnd[0]!, REPRINT_NS, 'grant'), 'until'), undefined, 'no until for a grant without an end');
    });

    it(`${format}: a partner feed stays valid for feedparser, and its self link is the partner URL`, async () => {
      const doc = render(format, DELIVERY);
      const parsed = await readWithFeedparser(doc);
      assert.equal(parsed.bozo, false, parsed.bozoException ?? undefined);
      assert.equal(parsed.entries.length, 3);
      assert.ok(doc.includes(`href="${fx.BASE_URL}/partner/feeds/qiye-yaowen.${format}"`));
      assert.ok(!doc.includes(`${fx.BASE_URL}/feeds/qiye-yaowen.${format}`), 'no public self link');
    });
  }

  it('json: every item has _grant; feed_url is the partner URL; the document is valid JSON Feed 1.1', () => {
    const feed = JSON.parse(render('json', DELIVERY)) as Json;
    assertValidJsonFeed(feed);
    assert.equal(feed.feed_url, `${fx.BASE_URL}/partner/feeds/qiye-yaowen.json`);
    for (const item of feed.items as Json[]) {
      assert.deepEqual(item._grant, { about: REPRINT_NS, id: 'g-0123456789', partner: 'hebei-daily', content: 'full', until: '2026-12-31T16:00:00.000Z' });
      assert.equal(typeof item._attribution.line, 'string');
    }
  });

  it('without a delivery nothing of it appears: public documents are as they always were', () => {
    for (const format of ['rss', 'atom', 'json'] as const) {
      const doc = render(format);
      assert.equal(doc, formats[format].render(fx.channel(), fx.items(), fx.ctx()));
      assert.doesNotMatch(doc, /reprint:grant|"_grant"|partner\/feeds/, format);
    }
  });
});

describe('output cache with a delivery', () => {
  // bareItem is under csteelnews-own (publicContent excerpt); give it full text to withhold.
  const own = fx.bareItem({ contentHtml: '<p>只给授权媒体的全文</p>' });
  const open = fx.fullItem({ licenseId: 'csteelnews-reprinted' });
  const channel: Channel = fx.channel();

  function setup() {
    const store = fixedStore([open, own]);
    const cache = new OutputCache({ store, licenses: fx.licenses(), baseUrl: fx.BASE_URL, now: () => new Date(fx.NOW) });
    return { store, cache };
  }

  it('a full grant carries the full text of excerpt-only items in every format; an excerpt grant and the public do not', () => {
    const { cache } = setup();
    for (const format of ['rss', 'atom', 'json'] as const) {
      const full = cache.get(channel, format, { limit: 50 }, DELIVERY).body.toString();
      const excerpt = cache.get(channel, format, { limit: 50 }, { ...DELIVERY, grantId: 'g-excerpt', content: 'excerpt' }).body.toString();
      const pub = cache.get(channel, format, { limit: 50 }).body.toString();
      assert.match(full, /只给授权媒体的全文/, `${format}: full grant`);
      assert.doesNotMatch(excerpt, /只给授权媒体的全文/, `${format}: excerpt grant`);
      assert.doesNotMatch(pub, /只给授权媒体的全文/, `${format}: public`);
      for (const doc of [full, excerpt, pub]) assert.match(doc, /会议部署了下半年扶贫工作/, `${format}: full-public items keep their text`);
      assert.match(excerpt, /g-excerpt/);
    }
  });

  it('renders each (representation, delivery) once per store revision, and says which items it carries', () => {
    const { store, cache } = setup();
    const first = cache.get(channel, 'rss', { limit: 50 }, DELIVERY);
    assert.deepEqual(first.itemIds, [open.id, own.id]);
    assert.equal(cache.get(channel, 'rss', { limit: 50 }, DELIVERY), first);
    const other = cache.get(channel, 'rss', { limit: 50 }, { ...DELIVERY, partner: 'xinhua', grantId: 'g-x' });
    assert.notEqual(other.etag, first.etag, 'another partner, another document');
    assert.equal(cache.renders, 2);
    assert.deepEqual(cache.get(channel, 'rss', { limit: 1 }, DELIVERY).itemIds, [open.id]);
    store.bump();
    assert.notEqual(cache.get(channel, 'rss', { limit: 50 }, DELIVERY), first);
    assert.equal(cache.renders, 4);
  });
});
