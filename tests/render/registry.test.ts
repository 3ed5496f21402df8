import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Item } from '../../src/model.js';
import { type FormatId, type RenderContext, formats, isFormatId } from '../../src/render/index.js';
import * as fx from '../helpers/render-fixtures.js';

const ids = Object.keys(formats) as FormatId[];

describe('format registry', () => {
  it('lists rss, atom and json, each under its own id', () => {
    assert.deepEqual(ids.sort(), ['atom', 'json', 'rss']);
    for (const id of ids) assert.equal(formats[id].id, id);
    assert.ok(Object.isFrozen(formats));
  });

  it('recognizes format ids and nothing else', () => {
    for (const id of ['rss', 'atom', 'json']) assert.equal(isFormatId(id), true, id);
    for (const s of ['RSS', 'xml', '', 'toString', '__proto__', 'constructor']) assert.equal(isFormatId(s), false, s);
  });
});

describe('renderers are pure', () => {
  for (const id of ids) {
    const render = (items: Item[] = fx.items(), now = fx.NOW): string =>
      formats[id].render(fx.channel(), items, fx.ctx({ now: new Date(now) }));

    it(`${id}: same input twice gives identical bytes`, () => {
      assert.equal(render(), render());
    });

    it(`${id}: output does not depend on ctx.now when there are items`, () => {
      assert.equal(render(fx.items(), '2031-05-05T05:05:05.000Z'), render(fx.items(), '2040-12-31T23:59:59.000Z'));
    });

    it(`${id}: output does not depend on the clock`, (t) => {
      t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2001-01-01T00:00:00Z') });
      const early = render();
      t.mock.timers.setTime(Date.parse('2099-01-01T00:00:00Z'));
      assert.equal(render(), early);
      assert.equal(render([]), render([]));
    });

    it(`${id}: does not modify its inputs`, () => {
      const channel = fx.channel();
      const items = fx.items();
      const ctx = fx.ctx();
      formats[id].render(channel, items, ctx);
      assert.deepEqual(channel, fx.channel());
      assert.deepEqual(items, fx.items());
      assert.deepEqual(ctx, fx.ctx());
    });
  }
});

describe('the bytes served are the UTF-8 of the document', () => {
  // Items of ~700 KB of CJK text each: the XML writer's reused buffer (256 KiB to begin with, kept up to
  // 2 MiB) must grow mid-document, and a document larger than what it keeps must not leave a smaller
  // one after it with stale bytes.
  const big = (n: number) => Array.from({ length: n }, (_, i) => fx.fullItem({ id: `big${i}`, guid: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`, contentHtml: `<p>${'钢铁行业😀'.repeat(40_000)}${i}</p>` }));
  for (const id of ids) {
    it(`${id}: small, 2 MB, 4 MB and small again`, () => {
      for (const items of [fx.items(), big(1), big(3), big(6), fx.items()]) {
        const text = formats[id].render(fx.channel(), items, fx.ctx());
        const bytes = formats[id].renderBytes(fx.channel(), items, fx.ctx());
        assert.equal(bytes.length, Buffer.byteLength(text), `${items.length} items`);
        assert.equal(bytes.toString('utf8'), text, `${items.length} items`);
      }
    });
  }
});

describe('renderers refuse what they cannot render, naming it', () => {
  const item = (overrides: Partial<Item>) => () => [fx.bareItem(overrides)];
  const cases: Array<{ what: string; items: () => Item[]; ctx?: RenderContext; message: RegExp }> = [
    { what: 'an unknown item license', items: item({ licenseId: 'nope' }), message: /^render: item "b2c3d4e5f6a1" names license "nope"/ },
    { what: 'a relative link', items: item({ link: '/a.html' }), message: /^render: item "b2c3d4e5f6a1" link is not an absolute URI/ },
    { what: 'a guid that is not a URI', items: item({ guid: 'news-12345' }), message: /^render: item "b2c3d4e5f6a1" guid is not an absolute URI/ },
    { what: 'an invalid updatedAt', items: item({ updatedAt: 'yesterday' }), message: /^render: item "b2c3d4e5f6a1" updatedAt is not a valid date/ },
    { what: 'an invalid publishedAt', items: item({ publishedAt: '2019-13-45' }), message: /^render: item "b2c3d4e5f6a1" publishedAt/ },
    {
      what: 'an unknown default license',
      items: () => [],
      ctx: fx.ctx({ licenses: new Map() }),
      message: /^render: channel "qiye-yaowen" names default license "csteelnews-own"/,
    },
  ];
  for (const id of ids) {
    for (const { what, items, ctx, message } of cases) {
      it(`${id}: ${what}`, () => {
        assert.throws(() => formats[id].render(fx.channel(), items(), ctx ?? fx.ctx()), { message });
      });
    }
    it(`${id}: an unknown time zone`, () => {
      const channel = fx.channel({ timezone: 'Mars/Olympus' });
      assert.throws(() => formats[id].render(channel, [], fx.ctx()), { message: /^render: channel "qiye-yaowen" has an unknown time zone/ });
    });
  }
});
