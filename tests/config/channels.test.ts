import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { formatProblems, loadFeeds } from '../../src/config/channels.js';
import { runSyndicator } from '../helpers/spawn.js';
import { copyOfFeeds, FEEDS_DIR } from '../helpers/temp.js';

test('the shipped feeds/ directory is valid and defines both demo channels and their licenses', async () => {
  const feeds = await loadFeeds(FEEDS_DIR);
  assert.deepEqual(feeds.problems, []);
  assert.deepEqual(feeds.channels.map((c) => c.id).sort(), ['enterprise', 'metals']);
  const enterprise = feeds.channels.find((c) => c.id === 'enterprise')!;
  assert.equal(enterprise.timezone, 'Asia/Shanghai');
  assert.equal(enterprise.license, 'csteelnews-own');
  const metals = feeds.channels.find((c) => c.id === 'metals')!;
  assert.equal(metals.timezone, 'Asia/Shanghai', 'timezone defaults to Asia/Shanghai');
  assert.equal(metals.licenseRules.length, 0);
  const own = feeds.licenses.get('csteelnews-own')!;
  assert.equal(own.reprint.permission, 'written-authorization');
  assert.match(own.statement, /需经书面授权/);
  assert.match(own.statement, /作者姓名/);
  assert.match(feeds.licenses.get('csteelnews-reprinted')!.statement, /转载自其它媒体/);
});

test('a broken channel file is named with each bad field, and the other channels still load', async (t) => {
  const feeds = await copyOfFeeds();
  t.after(feeds.dispose);
  const file = path.join(feeds.dir, 'metals.json');
  const channel = JSON.parse(await readFile(file, 'utf8'));
  channel.schedule = 'every hour';
  channel.timezone = 'Mars/Olympus';
  channel.sources[0].url = 'ftp://example.com/feed.xml';
  channel.license = 'no-such-license';
  await writeFile(file, JSON.stringify(channel));

  const loaded = await loadFeeds(feeds.dir);
  assert.deepEqual(loaded.channels.map((c) => c.id), ['enterprise']);
  const lines = formatProblems(loaded.problems, feeds.dir);
  assert.ok(lines.some((l) => l.startsWith('metals.json: schedule: expected a cron expression')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('metals.json: timezone: expected an IANA time zone')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('metals.json: sources.0.url: expected an http(s) URL or a path')), lines.join('\n'));
});

test('cross-file problems: unknown license, id not matching the file name, duplicate sources, bad JSON', async (t) => {
  const feeds = await copyOfFeeds();
  t.after(feeds.dispose);
  const channel = JSON.parse(await readFile(path.join(feeds.dir, 'metals.json'), 'utf8'));
  await writeFile(path.join(feeds.dir, 'other.json'), JSON.stringify({ ...channel, license: 'nope', sources: [channel.sources[0], channel.sources[0]] }));
  await writeFile(path.join(feeds.dir, 'broken.json'), '{ "id": "broken", ');
  await rm(path.join(feeds.dir, 'licenses', 'metal-cite-source.json'));

  const lines = formatProblems((await loadFeeds(feeds.dir)).problems, feeds.dir);
  for (const expected of [
    'other.json: id: must match the file name ("other")',
    'other.json: license: no license "nope" in licenses/',
    'other.json: sources.1.id: duplicate source id "metal-atom"',
    'metals.json: license: no license "metal-cite-source" in licenses/',
    'enterprise.json: licenseRules.0.license: no license "metal-cite-source" in licenses/',
  ]) {
    assert.ok(lines.includes(expected), `missing "${expected}" in:\n${lines.join('\n')}`);
  }
  assert.ok(lines.some((l) => l.startsWith('broken.json: not valid JSON')), lines.join('\n'));
});

test('syndicator check exits 0 on the shipped feeds and 2 naming the file and field of a broken one', async (t) => {
  const ok = await runSyndicator(['check']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^ok: 2 channel\(s\), 3 license\(s\)/);

  const feeds = await copyOfFeeds();
  t.after(feeds.dispose);
  const file = path.join(feeds.dir, 'enterprise.json');
  const channel = JSON.parse(await readFile(file, 'utf8'));
  channel.maxItems = 'many';
  await writeFile(file, JSON.stringify(channel));
  const bad = await runSyndicator(['check'], { FEEDS_DIR: feeds.dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /enterprise\.json: maxItems: .*number/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});
