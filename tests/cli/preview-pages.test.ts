// `syndicator preview` on article pages and list pages, over a real HTTP server and from local files.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { load } from 'cheerio';
import type { Item } from '../../src/model.js';
import { startPageServer, type PageServer } from '../helpers/page-server.js';
import { runSyndicator } from '../helpers/spawn.js';
import { FEEDS_DIR, ROOT, FIXTURES } from '../helpers/temp.js';

const PAGES = path.join(FIXTURES, 'pages');

function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('syndicator preview on article and list pages', () => {
  let site: PageServer;
  before(async () => {
    site = await startPageServer({
      '/qypd/ywjx/index.html': { file: path.join(PAGES, 'csteelnews-qypd-ywjx-list.html'), type: 'text/html; charset=utf-8' },
      '/qypd/ywjx/201906/t20190628_15210.html': { file: path.join(PAGES, 'csteelnews-20190628-baowu.gb2312.html'), type: 'text/html' },
      '/qypd/ywjx/201906/t20190627_15188.html': { file: path.join(PAGES, 'csteelnews-20190627-reprint.html'), type: 'text/html; charset=utf-8' },
      '/api/status.json': { body: '{"status":"ok","items":[]}', type: 'application/json' },
      '/logo.png': { body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), type: 'image/png' },
    });
  });
  after(() => site.close());

  test('an article page URL: title, UTC time, attribution, a clean body and the rights text', async () => {
    const r = await runSyndicator(['preview', site.url('/qypd/ywjx/201906/t20190628_15210.html')]);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout) as Item[];
    assert.equal(items.length, 1);
    const [item] = items;
    assert.equal(item!.title, '中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战');
    assert.equal(item!.publishedAt, '2019-06-28T08:42:00.000Z');
    assert.deepEqual(item!.attribution, { authors: [], editor: '实习生2', source: { name: '中国钢铁新闻网', url: `${site.origin}/`, original: true } });
    assert.deepEqual(item!.categories, ['企业频道', '要闻精选']);
    const $ = load(item!.contentHtml ?? '', null, false);
    assert.equal($('p').length, 6);
    assert.ok($('p').first().text().startsWith('作为中国宝武'));
    assert.doesNotMatch($.root().text(), /热点新闻|品牌联盟|版权说明|京ICP备/);
    assert.deepEqual(item!.rights?.match(/【\d】/g), ['【1】', '【2】', '【3】', '【4】']);
  });

  test('a list page URL is recognised as a list: its articles are fetched and printed, with --channel\'s license rules', async () => {
    const r = await runSyndicator(['preview', site.url('/qypd/ywjx/index.html'), '--channel', 'enterprise']);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout) as Item[];
    assert.deepEqual(items.map((i) => i.title), ['中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战', '河钢集团与国际矿业公司签署战略合作协议']);
    assert.deepEqual(items.map((i) => i.licenseId), ['csteelnews-own', 'csteelnews-reprinted']);
    assert.deepEqual(items[1]!.attribution, { authors: ['李明', '王芳'], editor: '张伟', source: { name: '河北日报', original: false } });
    assert.equal(items[1]!.publishedAt, '2019-06-27T01:15:30.000Z');
  });

  test('local files: an article page of another layout, and the bundled list page with --type list', async () => {
    const page = await runSyndicator(['preview', path.join(ROOT, 'tests/fixtures/pages/table-layout.gbk.html')]);
    assert.equal(page.code, 0, page.stderr);
    const [item] = JSON.parse(page.stdout) as Item[];
    assert.equal(item!.title, '鞍钢股份召开2021年生产经营工作会议');
    assert.equal(item!.publishedAt, '2021-03-05T00:05:00.000Z');
    assert.deepEqual(item!.attribution, { authors: ['刘洋'], editor: '王静', source: { name: '鞍山日报', original: false } });

    const list = await runSyndicator(['preview', path.join(FEEDS_DIR, 'samples/pages/qypd/ywjx/index.html'), '--type', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as Item[]).length, 2);
  });

  test('bad input: a 404, a JSON document, an image, a list read as a page — exit 1, one line, no hang', async () => {
    const notFound = await runSyndicator(['preview', site.url('/qypd/ywjx/201906/t20190601_1.html')]);
    assert.equal(notFound.code, 1);
    assertOneLineError(notFound.stderr, /^syndicator: fetcher: http:\/\/127\.0\.0\.1:\d+\/qypd\/ywjx\/201906\/t20190601_1\.html answered 404 Not Found$/);
    assert.equal(notFound.stdout, '');

    const json = await runSyndicator(['preview', site.url('/api/status.json')]);
    assert.equal(json.code, 1);
    assertOneLineError(json.stderr, /^syndicator: extract-page: not an HTML document/);

    const image = await runSyndicator(['preview', site.url('/logo.png'), '--type', 'page']);
    assert.equal(image.code, 1);
    assertOneLineError(image.stderr, /^syndicator: extract-page: not an HTML document/);

    const listAsPage = await runSyndicator(['preview', site.url('/qypd/ywjx/index.html'), '--type', 'page']);
    assert.equal(listAsPage.code, 1);
    assertOneLineError(listAsPage.stderr, /^syndicator: extract-page: no article body found on /);

    const badType = await runSyndicator(['preview', site.url('/qypd/ywjx/index.html'), '--type', 'rss']);
    assert.equal(badType.code, 2);
  });
});
