// Feed-level links in every format: the WebSub hub, RFC 5005 archive navigation and the stylesheet
// that lets a browser show RSS and Atom as a page. Without them, documents carry none of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formats } from '../../src/render/index.js';
import type { FeedLinks } from '../../src/render/index.js';
import { ATOM_NS, FH_NS } from '../../src/render/namespaces.js';
import { readWithFeedparser } from '../helpers/feed-clients.js';
import { assertValidJsonFeed } from '../helpers/jsonfeed.js';
import * as fx from '../helpers/render-fixtures.js';
import { type XmlElement, attr, childNamed, childrenNamed, only, parseXml } from '../helpers/xml.js';

const B = fx.BASE_URL;
const current: FeedLinks = {
  hub: 'https://hub.example/websub',
  stylesheet: `${B}/assets/feed.xsl`,
  prevArchive: `${B}/feeds/qiye-yaowen.rss?page=2019-05`,
};
const archive: FeedLinks = {
  hub: 'https://hub.example/websub',
  current: `${B}/feeds/qiye-yaowen.rss`,
  prevArchive: `${B}/feeds/qiye-yaowen.rss?page=2019-04`,
  nextArchive: `${B}/feeds/qiye-yaowen.rss?page=2019-06`,
};

const linkHrefs = (parent: XmlElement, uri: string): Record<string, string> =>
  Object.fromEntries(childrenNamed(parent, uri, 'link').map((l) => [attr(l, 'rel') ?? '', attr(l, 'href') ?? '']));

describe('feed-level links', () => {
  it('RSS: atom:link hub and prev-archive, and the xml-stylesheet instruction right after the declaration', async () => {
    const doc = formats.rss.render(fx.channel(), fx.items(), fx.ctx({ links: current }));
    assert.match(doc, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<\?xml-stylesheet type="text\/xsl" href="http:\/\/127\.0\.0\.1:8080\/assets\/feed\.xsl"\?>/);
    const channel = only(parseXml(doc), '', 'channel');
    const links = linkHrefs(channel, ATOM_NS);
    assert.equal(links.hub, current.hub);
    assert.equal(links['prev-archive'], current.prevArchive);
    assert.equal(links.self, `${B}/feeds/qiye-yaowen.rss`);
    assert.equal(childNamed(channel, FH_NS, 'archive'), undefined, 'the current document is not an archive');
    const parsed = await readWithFeedparser(doc);
    assert.equal(parsed.bozo, false, parsed.bozoException ?? undefined);
  });

  it('a root-relative stylesheet stays root-relative (the browser resolves it against the origin it is at)', () => {
    for (const format of ['rss', 'atom'] as const) {
      const doc = formats[format].render(fx.channel(), fx.items(), fx.ctx({ links: { stylesheet: '/assets/feed.xsl' } }));
      assert.match(doc, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<\?xml-stylesheet type="text\/xsl" href="\/assets\/feed\.xsl"\?>/, format);
    }
    assert.throws(() => formats.rss.render(fx.channel(), fx.items(), fx.ctx({ links: { stylesheet: 'assets/feed.xsl' } })), /stylesheet link is not an absolute URI/);
  });

  it('Atom: an archive document is marked fh:archive, links current, prev and next, and its self link names the month', async () => {
    const doc = formats.atom.render(fx.channel(), fx.items(), fx.ctx({ links: archive, page: '2019-05' }));
    const feed = parseXml(doc);
    const links = linkHrefs(feed, ATOM_NS);
    assert.equal(links.self, `${B}/feeds/qiye-yaowen.atom?page=2019-05`);
    assert.equal(links.current, archive.current);
    assert.equal(links['prev-archive'], archive.prevArchive);
    assert.equal(links['next-archive'], archive.nextArchive);
    assert.equal(links.hub, archive.hub);
    assert.ok(childNamed(feed, FH_NS, 'archive'));
    assert.doesNotMatch(doc, /xml-stylesheet/, 'no stylesheet unless one is given');
    const parsed = await readWithFeedparser(doc);
    assert.equal(parsed.bozo, false, parsed.bozoException ?? undefined);
  });

  it('JSON Feed: hubs, next_url to the older archive, and expired on an archive', () => {
    const live = JSON.parse(formats.json.render(fx.channel(), fx.items(), fx.ctx({ links: current }))) as Record<string, unknown>;
    assertValidJsonFeed(live);
    assert.deepEqual(live.hubs, [{ type: 'WebSub', url: current.hub }]);
    assert.equal(live.next_url, current.prevArchive);
    assert.equal(live.expired, undefined);
    const old = JSON.parse(formats.json.render(fx.channel(), fx.items(), fx.ctx({ links: archive, page: '2019-05' }))) as Record<string, unknown>;
    assertValidJsonFeed(old);
    assert.equal(old.expired, true);
    assert.equal(old.feed_url, `${B}/feeds/qiye-yaowen.json?page=2019-05`);
  });

  it('without links, no hub, archive link or stylesheet appears in any format', () => {
    for (const format of ['rss', 'atom', 'json'] as const) {
      const doc = formats[format].render(fx.channel(), fx.items(), fx.ctx());
      assert.doesNotMatch(doc, /hub|archive|xml-stylesheet|next_url/, format);
    }
  });
});
