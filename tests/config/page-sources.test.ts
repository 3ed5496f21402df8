import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { formatProblems, loadFeeds } from '../../src/config/channels.js';
import type { ListSource } from '../../src/model.js';
import { copyOfFeeds, FEEDS_DIR } from '../helpers/temp.js';

test('the shipped enterprise channel has the demo list source, with its defaults filled in', async () => {
  const feeds = await loadFeeds(FEEDS_DIR);
  assert.deepEqual(feeds.problems, []);
  const source = feeds.channels.find((c) => c.id === 'enterprise')!.sources.find((s) => s.id === 'csteelnews-list') as ListSource;
  assert.equal(source.type, 'list');
  assert.equal(source.url, 'samples/pages/qypd/ywjx/index.html');
  assert.deepEqual(source.siteNames, ['中国冶金报—中国钢铁新闻网', '中国钢铁新闻网', '中国冶金报']);
  assert.equal(source.maxPages, 3);
  assert.equal(source.maxNewArticles, 20);
});

test('list and page sources: defaults, and each bad field named with its file', async (t) => {
  const feeds = await copyOfFeeds();
  t.after(feeds.dispose);
  const file = path.join(feeds.dir, 'metals.json');
  const channel = JSON.parse(await readFile(file, 'utf8'));
  channel.sources = [
    { id: 'list-ok', type: 'list', url: 'https://news.example.cn/list/index.html' },
    { id: 'page-ok', type: 'page', url: 'samples/pages/qypd/ywjx/201906/t20190628_15210.html', selectors: { body: '#content', remove: ['.ad'] }, refetch: true },
  ];
  await writeFile(file, JSON.stringify(channel));
  const good = await loadFeeds(feeds.dir);
  assert.deepEqual(good.problems, []);
  const [list, page] = good.channels.find((c) => c.id === 'metals')!.sources;
  assert.deepEqual(list, { id: 'list-ok', type: 'list', url: 'https://news.example.cn/list/index.html', maxPages: 3, maxNewArticles: 20 });
  assert.equal(page?.type, 'page');

  channel.sources = [
    { id: 'l1', type: 'list', url: '../outside.html', maxPages: 0, linkSelector: 'a[', delayMs: -1, extra: true },
    { id: 'p1', type: 'page', url: 'https://news.example.cn/a.html', selectors: { title: '', body: 'div >> p', remove: [] }, siteNames: [], baseUrl: 'ftp://x' },
    { id: 'x1', type: 'rss', url: 'https://news.example.cn/a.xml' },
  ];
  await writeFile(file, JSON.stringify(channel));
  const lines = formatProblems((await loadFeeds(feeds.dir)).problems, feeds.dir);
  for (const expected of [
    'metals.json: sources.0.url: expected an http(s) URL or a path relative to the feeds directory',
    'metals.json: sources.0.maxPages: ',
    'metals.json: sources.0.linkSelector: expected a valid CSS selector',
    'metals.json: sources.0.delayMs: ',
    'metals.json: sources.0: ',
    'metals.json: sources.1.selectors.title: must not be empty',
    'metals.json: sources.1.selectors.body: expected a valid CSS selector',
    'metals.json: sources.1.selectors.remove: ',
    'metals.json: sources.1.siteNames: ',
    'metals.json: sources.1.baseUrl: expected an absolute http(s) URL',
    'metals.json: sources.2.type: expected "type" to be "feed", "list" or "page"',
  ]) {
    assert.ok(lines.some((l) => l.startsWith(expected)), `no line starting "${expected}" in:\n${lines.join('\n')}`);
  }
});
