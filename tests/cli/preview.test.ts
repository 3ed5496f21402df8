import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Item } from '../../src/model.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import type { FixtureServer } from '../helpers/fixture-server.js';
import { runSyndicator } from '../helpers/spawn.js';
import { FEEDS_DIR } from '../helpers/temp.js';

const sample = (name: string) => path.join(FEEDS_DIR, 'samples', name);

/** A failed command says one line on stderr, without a stack trace. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('syndicator preview', () => {
  let upstream: FixtureServer;
  before(async () => {
    upstream = await startFixtureServer([
      { path: '/gbk.xml', file: sample('steel-enterprise.gb2312.rss.xml'), headers: { 'content-type': 'application/rss+xml' } },
    ]);
  });
  after(() => upstream.close());

  test('prints the normalized items of a local GB2312 feed as a JSON array, and stores nothing', async () => {
    const r = await runSyndicator(['preview', sample('steel-enterprise.gb2312.rss.xml')], { DATA_DIR: '/nonexistent/never-written' });
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout) as Item[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.title, '宝钢股份“十四五”规划编制启动');
    assert.equal(items[0]!.publishedAt, '2019-06-24T02:00:00.000Z');
    assert.deepEqual(items[0]!.attribution.authors, ['吴刚'], 'the 作者: label in the description');
    assert.match(items[0]!.guid, /^urn:uuid:[0-9a-f-]{36}$/);
  });

  test('reads an http URL, with --channel applying that channel\'s license rules', async () => {
    const r = await runSyndicator(['preview', upstream.url('/gbk.xml'), '--channel', 'enterprise']);
    assert.equal(r.code, 0, r.stderr);
    const [item] = JSON.parse(r.stdout) as Item[];
    assert.equal(item!.licenseId, 'csteelnews-own');
    assert.deepEqual(item!.channelIds, ['enterprise']);
  });

  test('bad input: a missing file, a 404, an unknown channel, a hanging upstream — one line, non-zero, no hang', async () => {
    const missing = await runSyndicator(['preview', 'no/such/feed.xml']);
    assert.equal(missing.code, 1);
    assertOneLineError(missing.stderr, /^syndicator: preview: cannot read no\/such\/feed\.xml \(no such file\)$/);

    const notFound = await runSyndicator(['preview', upstream.url('/missing.xml')]);
    assert.equal(notFound.code, 1);
    assertOneLineError(notFound.stderr, /404/);

    const channel = await runSyndicator(['preview', sample('steel-enterprise.rss.xml'), '--channel', 'nope']);
    assert.equal(channel.code, 2);
    assertOneLineError(channel.stderr, /no valid channel "nope"/);

    const hang = await runSyndicator(['preview', upstream.url('/hang')], { FETCH_TIMEOUT_MS: '500' }, 15_000);
    assert.equal(hang.code, 1, 'exits on its own, long before the test kills it');
    assertOneLineError(hang.stderr, /timed out after 500 ms/);

    const scheme = await runSyndicator(['preview', 'ftp://example.com/feed.xml']);
    assert.equal(scheme.code, 2);
    assertOneLineError(scheme.stderr, /unsupported location "ftp:\/\/example\.com\/feed\.xml"/);
    assert.equal(scheme.stdout, '');
  });
});
