import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RobotsError } from '../../src/ingest/errors.js';
import { HostPolicy } from '../../src/ingest/fetch/polite.js';
import { withLoopTurns } from '../helpers/event-loop.js';
import { startPageServer, type PageServer } from '../helpers/page-server.js';
import { FEEDS_DIR } from '../helpers/temp.js';

const UA = 'Syndicator/0.1 (+https://github.com/syndicator/syndicator; test)';
const policy = (extra: Partial<ConstructorParameters<typeof HostPolicy>[0]> = {}) =>
  new HostPolicy({ userAgent: UA, timeoutMs: 5000, maxBytes: 1 << 20, ...extra });
const page = (n: number) => ({ body: `<p>${n}</p>`, type: 'text/html; charset=utf-8' });

describe('HostPolicy: one request at a time per host, a pause between them, robots.txt honoured', () => {
  let site: PageServer;
  before(async () => {
    site = await startPageServer(
      {
        '/robots.txt': { body: 'User-agent: *\nDisallow: /\n\nUser-agent: Syndicator\nDisallow: /private/\n', type: 'text/plain' },
        '/private/1.html': page(0),
        ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`/a/${n}.html`, page(n)])),
      },
      { latencyMs: 15 },
    );
  });
  after(() => site.close());

  it('never overlaps requests to one host, even when asked for many at once, and pauses delayMs between them', async () => {
    site.requests.length = 0;
    const session = policy().session();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => session.fetch(site.url(`/a/${n}.html`), { feedsDir: FEEDS_DIR, delayMs: 40 })));
    assert.deepEqual(results.map((r) => (r.kind === 'ok' ? r.body.toString() : '')), [1, 2, 3, 4, 5, 6].map((n) => `<p>${n}</p>`));
    assert.equal(site.maxInFlight(), 1);
    const sorted = [...site.requests].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const gap = sorted[i]!.start - sorted[i - 1]!.end;
      assert.ok(gap >= 35, `request ${i} started ${gap.toFixed(1)} ms after the previous one ended`);
    }
    for (const r of site.requests) assert.equal(r.headers['user-agent'], UA, 'an honest User-Agent on every request');
  });

  it('reads robots.txt once per host and keeps it, across sessions', async () => {
    const hosts = policy();
    const before = site.count('/robots.txt');
    await hosts.session().fetch(site.url('/a/1.html'), { feedsDir: FEEDS_DIR, delayMs: 0 });
    await hosts.session().fetch(site.url('/a/2.html'), { feedsDir: FEEDS_DIR, delayMs: 0 });
    assert.equal(site.count('/robots.txt') - before, 1);
  });

  it('skips a URL robots.txt disallows for our product token, without requesting it', async () => {
    const session = policy().session();
    await assert.rejects(session.fetch(site.url('/private/1.html'), { feedsDir: FEEDS_DIR, delayMs: 0 }), (err: unknown) => {
      assert.ok(err instanceof RobotsError);
      assert.equal(err.disallowed, true);
      assert.equal(err.message, `robots: ${site.url('/private/1.html')} is disallowed by ${site.origin}/robots.txt; skipped`);
      return true;
    });
    assert.equal(site.count('/private/1.html'), 0);
  });

  it('trusts a cached robots.txt for robotsTtlMs only', async () => {
    let clock = 0;
    const hosts = policy({ robotsTtlMs: 1000, now: () => clock });
    const before = site.count('/robots.txt');
    await hosts.session().fetch(site.url('/a/3.html'), { feedsDir: FEEDS_DIR, delayMs: 0 });
    clock = 999;
    await hosts.session().fetch(site.url('/a/3.html'), { feedsDir: FEEDS_DIR, delayMs: 0 });
    clock = 1001;
    await hosts.session().fetch(site.url('/a/3.html'), { feedsDir: FEEDS_DIR, delayMs: 0 });
    assert.equal(site.count('/robots.txt') - before, 2);
  });

  it('reads local documents under feeds/ directly, with no robots.txt and no pause', async () => {
    const result = await policy().session().fetch('samples/pages/qypd/ywjx/index.html', { feedsDir: FEEDS_DIR, delayMs: 60_000 });
    assert.equal(result.kind, 'ok');
    assert.ok(result.kind === 'ok' && result.url.endsWith(path.join('samples/pages/qypd/ywjx/index.html')));
  });
});

describe('HostPolicy: robots.txt missing or unreachable', () => {
  let missing: PageServer;
  let broken: PageServer;
  before(async () => {
    missing = await startPageServer({ '/a.html': page(1) });
    broken = await startPageServer({ '/robots.txt': { body: 'oops', status: 503 }, '/a.html': page(1), '/b.html': page(2) });
  });
  after(async () => {
    await missing.close();
    await broken.close();
  });

  it('a 404 robots.txt allows everything', async () => {
    const result = await policy().session().fetch(missing.url('/a.html'), { feedsDir: FEEDS_DIR, delayMs: 0 });
    assert.equal(result.kind, 'ok');
    assert.deepEqual(missing.requests.map((r) => r.path), ['/robots.txt', '/a.html']);
  });

  it('a 5xx robots.txt skips the host for the rest of the session with a clear error; the next session tries again', async () => {
    const hosts = policy();
    const session = hosts.session();
    const expected = { message: new RegExp(`^robots: cannot read ${broken.origin}/robots\\.txt \\(fetcher: .*503.*\\); skipping ${broken.origin.replace('http://', '')} for this run$`) };
    await assert.rejects(session.fetch(broken.url('/a.html'), { feedsDir: FEEDS_DIR, delayMs: 0 }), expected);
    await assert.rejects(session.fetch(broken.url('/b.html'), { feedsDir: FEEDS_DIR, delayMs: 0 }), expected);
    assert.deepEqual(broken.requests.map((r) => r.path), ['/robots.txt'], 'neither page was requested, robots.txt once');
    await assert.rejects(hosts.session().fetch(broken.url('/a.html'), { feedsDir: FEEDS_DIR, delayMs: 0 }), expected);
    assert.equal(broken.count('/robots.txt'), 2);
  });
});

describe('HostPolicy: a hostile robots.txt', () => {
  let site: PageServer;
  // 15 MB: first a rule of 40 wildcards that a regular expression would backtrack on against the long
  // path below, then rules of filler; a Disallow past the first 500 KiB, which is not read.
  const rules = `User-agent: *\nDisallow: /${'*a'.repeat(40)}b\n${'Disallow: /private/some/path/here\n'.repeat(450_000)}Disallow: /a\n`;
  const longPath = `/${'a'.repeat(2000)}`;
  before(async () => {
    site = await startPageServer({ '/robots.txt': { body: rules, type: 'text/plain' }, [longPath]: page(1) });
  });
  after(() => site.close());

  it('is read, in the fetch thread, while this thread turns its event loop; the long path is fetched', async () => {
    const { value: result, turns } = await withLoopTurns(policy({ maxBytes: 32 << 20 }).session().fetch(site.url(longPath), { feedsDir: FEEDS_DIR, delayMs: 0 }));
    assert.equal(result.kind, 'ok');
    assert.deepEqual(site.requests.map((r) => r.path), ['/robots.txt', longPath]);
    assert.ok(turns > 10, `the event loop turned ${turns} times while robots.txt was read`);
  });
});
