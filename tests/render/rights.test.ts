import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { License } from '../../src/model.js';
import { attributionLine } from '../../src/render/index.js';
import { licenseUrl, publicItem } from '../../src/render/rights.js';
import * as fx from '../helpers/render-fixtures.js';

function withTemplate(attributionTemplate?: string): License {
  return fx.ownLicense({ reprint: { permission: 'attribution', ...(attributionTemplate !== undefined && { attributionTemplate }) } });
}

describe('attributionLine', () => {
  const full = fx.fullItem();
  const bare = fx.bareItem();

  it('uses the language-neutral default template when the license has none', () => {
    assert.equal(attributionLine(full, withTemplate()), `河北日报 · 李明、王芳 · ${full.link}`);
  });

  it('fills every placeholder', () => {
    const line = attributionLine(full, withTemplate('{title}|{source}|{authors}|{editor}|{link}|{published}'), 'Asia/Shanghai');
    assert.equal(line, `中国宝武部署下半年扶贫工作|河北日报|李明、王芳|张伟|${full.link}|2019-07-12`);
  });

  it('never presents the source outlet as the author: {authors} is empty without authors (blank names do not count)', () => {
    assert.equal(attributionLine(bare, withTemplate('来源:{source} 作者:{authors}')), '来源:中国钢铁新闻网');
    const blank = fx.bareItem({ attribution: { authors: ['', '  '], source: { name: '新华社', original: false } } });
    assert.equal(attributionLine(blank, withTemplate('来源:{source} 作者:{authors}')), '来源:新华社');
    // The seed article: no 作者, an editor, the outlet's own template with the source written out.
    const seed = fx.bareItem({ attribution: { authors: [], editor: '实习生2', source: { name: '中国冶金报—中国钢铁新闻网', original: true } } });
    const own = '来源:《中国冶金报—中国钢铁新闻网》 作者:{authors} 编辑:{editor}';
    assert.equal(attributionLine(seed, withTemplate(own)), '来源:《中国冶金报—中国钢铁新闻网》 编辑:实习生2');
  });

  it('writes {published} as the calendar date in the given time zone, and leaves it out when unknown', () => {
    const lateUtc = fx.fullItem({ publishedAt: '2019-07-11T20:00:00.000Z' });
    assert.equal(attributionLine(lateUtc, withTemplate('{published}'), 'Asia/Shanghai'), '2019-07-12');
    assert.equal(attributionLine(lateUtc, withTemplate('{published}')), '2019-07-11');
    assert.equal(attributionLine(bare, withTemplate('{source}（{published}）')), '中国钢铁新闻网');
  });

  it('drops the label of an empty value and keeps the separators tidy', () => {
    const template = '来源:{source} 作者:{authors} 编辑:{editor} 原文:{link}';
    assert.equal(attributionLine(full, withTemplate(template)), `来源:河北日报 作者:李明、王芳 编辑:张伟 原文:${full.link}`);
    assert.equal(attributionLine(bare, withTemplate(template)), `来源:中国钢铁新闻网 原文:${bare.link}`);
    assert.equal(attributionLine(bare, withTemplate('{editor} · {source} · {published}')), '中国钢铁新闻网');
    assert.equal(attributionLine(bare, withTemplate('{source} · {editor} · {title}')), '中国钢铁新闻网 · 鞍钢集团召开安全生产工作会议');
    assert.equal(attributionLine(bare, withTemplate('Editor: {editor}, Source: {source}')), 'Source: 中国钢铁新闻网');
    assert.equal(attributionLine(bare, withTemplate('{title}（{published}）编辑:{editor}|{source}')), '鞍钢集团召开安全生产工作会议|中国钢铁新闻网');
  });

  it('leaves unknown placeholders and plain text as written', () => {
    assert.equal(attributionLine(full, withTemplate('转载自{source}，{unknown}')), '转载自河北日报，{unknown}');
  });
});

describe('licenseUrl', () => {
  it("is the license's own URL when it has one, resolved against the base URL if relative", () => {
    assert.equal(licenseUrl(fx.reprintedLicense(), fx.BASE_URL), 'https://creativecommons.org/licenses/by-nc-nd/4.0/');
    assert.equal(licenseUrl(fx.ownLicense({ url: '/terms/own.html' }), fx.BASE_URL), `${fx.BASE_URL}/terms/own.html`);
  });

  it('is the page the service serves for the license otherwise', () => {
    assert.equal(licenseUrl(fx.ownLicense(), fx.BASE_URL), `${fx.BASE_URL}/licenses/csteelnews-own`);
    assert.equal(licenseUrl(fx.ownLicense({ id: 'a b/c' }), fx.BASE_URL), `${fx.BASE_URL}/licenses/a%20b%2Fc`);
  });
});

describe('publicItem', () => {
  it('drops the full text of an item whose license allows only an excerpt in public feeds, keeping summary, link and terms', () => {
    const item = fx.fullItem({ licenseId: 'csteelnews-own' });
    const licenses = new Map([['csteelnews-own', fx.ownLicense({ publicContent: 'excerpt' })]]);
    const shown = publicItem(item, licenses);
    assert.equal(shown.contentHtml, undefined);
    assert.equal(shown.summary, item.summary);
    assert.equal(shown.link, item.link);
    assert.equal(shown.licenseId, item.licenseId);
    assert.deepEqual(shown.attribution, item.attribution);
    assert.ok(item.contentHtml, 'the stored item is not modified');
  });

  it('keeps everything under a license that allows the full text', () => {
    const item = fx.fullItem({ licenseId: 'csteelnews-own' });
    const licenses = new Map([['csteelnews-own', fx.ownLicense({ publicContent: 'full' })]]);
    assert.equal(publicItem(item, licenses), item);
  });
});
