// `syndicator preview --explain` over a real HTTP server on 127.0.0.1 serving corpus pages: per field,
// the value and the rule that found it; an article split over three pages read as one item.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { load } from 'cheerio';
import type { Item } from '../../src/model.js';
import { CORPUS } from '../helpers/corpus.js';
import { startPageServer, type PageServer } from '../helpers/page-server.js';
import { runSyndicator } from '../helpers/spawn.js';

describe('syndicator preview --explain', () => {
  let site: PageServer;
  const PAGED = '/a/rw/2020/1218/7001.html';
  before(async () => {
    site = await startPageServer({
      [PAGED]: { file: path.join(CORPUS, 'dede-paged.html'), type: 'text/html' },
      '/a/rw/2020/1218/7001_2.html': { file: path.join(CORPUS, 'dede-paged_2.html'), type: 'text/html' },
      '/a/rw/2020/1218/7001_3.html': { file: path.join(CORPUS, 'dede-paged_3.html'), type: 'text/html' },
      '/portal.php': { file: path.join(CORPUS, 'discuz-big5-undeclared.html'), type: 'text/html' },
      '/wp/1203/': { file: path.join(CORPUS, 'wordpress-utf8.html'), type: 'text/html; charset=UTF-8' },
    });
  });
  after(() => site.close());

  test('an article over three pages (7001.html, 7001_2.html, 7001_3.html) is one item, each page fetched once', async () => {
    const r = await runSyndicator(['preview', site.url(PAGED)]);
    assert.equal(r.code, 0, r.stderr);
    const [item, more] = JSON.parse(r.stdout) as Item[];
    assert.equal(more, undefined);
    assert.equal(item!.title, '一座钢城的四十年');
    const $ = load(item!.contentHtml ?? '', null, false);
    assert.equal($('p').toArray().filter((p) => $(p).text().trim() !== '').length, 5);
    assert.match($.root().text(), /^老周在这座钢城生活了整整四十年[\s\S]*图为上世纪九十年代建成的连铸生产线[\s\S]*改建成工业博物馆的老高炉。$/);
    assert.doesNotMatch($.root().text(), /共3页|下一页/);
    for (const p of [PAGED, '/a/rw/2020/1218/7001_2.html', '/a/rw/2020/1218/7001_3.html']) assert.equal(site.count(p), 1, p);
  });

  test('labels and heuristics, per field, with the joined pages named', async () => {
    const r = await runSyndicator(['preview', site.url(PAGED), '--explain']);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^http:\/\/127\.0\.0\.1:\d+\/a\/rw\/2020\/1218\/7001\.html$/m);
    assert.match(out, /^ {2}title {7}一座钢城的四十年\n {14}← heuristic: heading <h2> agreeing with <title>$/m);
    assert.match(out, /^ {2}publishedAt 2020-12-18T08:40:00\.000Z\n {14}← label \(info line\)$/m);
    assert.match(out, /^ {2}authors {5}刘晓燕、马骏\n {14}← label \(info line\)$/m);
    assert.match(out, /^ {2}editor {6}\(not found\)$/m);
    assert.match(out, /^ {2}body {8}5 paragraph\(s\), \d+ characters\n {14}← heuristic: <div content> with the most paragraph text; 2 continuation page\(s\) joined$/m);
  });

  test('meta and class hints on a WordPress page; a brief on an undeclared Big5 page', async () => {
    const wp = await runSyndicator(['preview', site.url('/wp/1203/'), '--explain']);
    assert.equal(wp.code, 0, wp.stderr);
    assert.match(wp.stdout, /^ {2}title {7}不锈钢期货的三个误区\n {14}← meta og:title$/m);
    assert.match(wp.stdout, /^ {2}publishedAt 2021-03-05T00:05:00\.000Z\n {14}← meta published time$/m);
    assert.match(wp.stdout, /^ {2}authors {5}李雪\n {14}← heuristic: element named for it \(class\/id\)$/m);
    const big5 = await runSyndicator(['preview', site.url('/portal.php'), '--explain']);
    assert.equal(big5.code, 0, big5.stderr);
    assert.match(big5.stdout, /^ {2}title {7}中鋼公司第二季盤價公佈\n/m);
    assert.match(big5.stdout, /^ {2}source {6}經濟日報 \(reprinted\)\n {14}← label \(info line\)$/m);
  });
});
