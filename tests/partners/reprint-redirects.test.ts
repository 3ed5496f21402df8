// The attribution checker never lets a reported reprint page lead the service into its own network: a
// page that redirects to a loopback, private or link-local address is refused at that redirect, its
// target never requested, and the check records why (outcome 'unreachable'). The tests run on loopback
// only, so the partner's site is an allowed host:port (as an intranet partner site would be configured)
// and every other private address stays refused — the "inside" server below, on another port of
// 127.0.0.1, counts every request it gets.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { HostPolicy } from '../../src/ingest/fetch/polite.js';
import { AttributionChecker } from '../../src/partners/attribution-check.js';
import { ReprintFileStore } from '../../src/store/files/reprint-file-store.js';
import { LowdbStore } from '../../src/store/files/file-store.js';
import type { ReprintReport } from '../../src/store/reprints.js';
import { makeItem } from '../helpers/items.js';
import * as fx from '../helpers/render-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const CHANNEL = fx.channel();
const ITEM = makeItem(1, { channelIds: [CHANNEL.id] });
const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${ITEM.title}</title></head><body><article><h1>${ITEM.title}</h1>
<p>来源:${ITEM.attribution.source.name} 作者:${ITEM.attribution.authors.join(' ')} <a href="${ITEM.link}">原文链接</a></p><p>正文。</p></article></body></html>`;

interface Site {
  server: Server;
  origin: string;
  /** Every path requested, in order. */
  requests: string[];
}

/** A server on 127.0.0.1: `routes` maps a path to a redirect target (string) or a page (object). */
async function site(routes: Record<string, string | { html: string }>): Promise<Site> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = routes[path];
    if (typeof route === 'string') res.writeHead(302, { location: route }).end();
    else if (route !== undefined) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(route.html);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('reprint checks refuse redirects into private networks', () => {
  let inside: Site;
  let partner: Site;
  let robotsMoved: Site;
  let reprints: ReprintFileStore;
  let store: LowdbStore;
  let dispose: () => Promise<void>;
  let n = 0;
  const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const hosts = () => new HostPolicy({ userAgent: 'Syndicator-test/1.0 (+redirects)', timeoutMs: 5000, maxBytes: 1 << 20 });
  const checker = (allowPrivateHosts: boolean | string[]) => new AttributionChecker({ reprints, store, channels: [CHANNEL], hosts: hosts(), log, delayMs: 0, allowPrivateHosts });

  /** Files a report of ITEM at `url` and checks it once; resolves with the stored report. */
  const checkOnce = async (c: AttributionChecker, url: string): Promise<ReprintReport> => {
    n += 1;
    const at = new Date().toISOString();
    const added = await reprints.add({
      id: `r-${String(n).padStart(12, '0')}`,
      partnerId: 'hebei-daily',
      reportedBy: 'operator',
      reportedAt: at,
      itemId: ITEM.id,
      channelId: CHANNEL.id,
      ...(ITEM.link !== undefined && { originalLink: ITEM.link }),
      sourceName: ITEM.attribution.source.name,
      authors: ITEM.attribution.authors,
      reprintUrl: url,
      standing: 'never-delivered',
      allowed: 'full',
      checks: [],
      nextCheckAt: at,
    });
    const checked = await c.check(added);
    assert.ok(checked, 'the check is recorded');
    return checked;
  };

  before(async () => {
    const tmp = await tempDir();
    reprints = await ReprintFileStore.open(tmp.dir);
    store = await LowdbStore.open(tmp.dir, [CHANNEL.id]);
    await store.apply(CHANNEL.id, { items: [ITEM], sourceStates: [], maxItems: 10, now: new Date() });
    inside = await site({ '/secret': { html: PAGE }, '/robots.txt': { html: '' } });
    const secret = `${inside.origin}/secret`;
    const port = new URL(inside.origin).port;
    partner = await site({
      '/news/ok.html': { html: PAGE },
      '/news/moved.html': '/news/ok.html',
      '/news/to-loopback.html': secret,
      '/news/to-localhost.html': `http://localhost:${port}/secret`,
      '/news/to-ipv6-loopback.html': `http://[::1]:${port}/secret`,
      '/news/to-10.html': 'http://10.20.30.40/admin',
      '/news/to-192-168.html': 'http://192.168.1.1/',
      '/news/to-172-16.html': 'https://172.16.5.4/',
      '/news/to-metadata.html': 'http://169.254.169.254/latest/meta-data/',
      '/news/to-ipv6-link-local.html': 'http://[fe80::1]/',
      '/news/two-hops.html': '/news/to-loopback.html',
      // Hostile pages: nested 10,000 deep, and 20,000 links in a 0.7 MB page (read in a worker).
      '/news/deep.html': { html: `<html><body>${'<div>'.repeat(10_000)}${PAGE}${'</div>'.repeat(10_000)}</body></html>` },
      '/news/many-links.html': { html: PAGE.replace('<p>正文。</p>', `<ul>${'<li><a href="/x">链接文字</a></li>'.repeat(20_000)}</ul>`) },
    });
    robotsMoved = await site({ '/robots.txt': `${inside.origin}/robots.txt`, '/news/ok.html': { html: PAGE } });
    dispose = async () => {
      for (const s of [inside, partner, robotsMoved]) {
        s.server.closeAllConnections();
        await new Promise((resolve) => s.server.close(resolve));
      }
      await reprints.close();
      await store.close();
      await tmp.dispose();
    };
  });
  after(() => dispose?.());

  test('the allowed partner page is read, and a redirect within the allowed host is followed', async () => {
    const c = checker([new URL(partner.origin).host]);
    for (const path of ['/news/ok.html', '/news/moved.html']) {
      const checked = await checkOnce(c, `${partner.origin}${path}`);
      const last = checked.checks.at(-1);
      assert.equal(last?.outcome, 'checked', JSON.stringify(last));
      assert.equal(last?.ok, true, JSON.stringify(last));
    }
  });

  test('a redirect to any loopback, private or link-local address is refused at the redirect and never requested', async () => {
    const c = checker([new URL(partner.origin).host]);
    const port = new URL(inside.origin).port;
    const cases: [string, string, RegExp][] = [
      ['/news/to-loopback.html', `${inside.origin}/secret`, /refused: 127\.0\.0\.1 is a loopback, private or link-local address$/],
      ['/news/to-localhost.html', `http://localhost:${port}/secret`, /refused: localhost is \(resolves to (127\.0\.0\.1|::1)\) a loopback, private or link-local address$/],
      ['/news/to-ipv6-loopback.html', `http://[::1]:${port}/secret`, /refused: ::1 is a loopback, private or link-local address$/],
      ['/news/to-10.html', 'http://10.20.30.40/admin', /refused: 10\.20\.30\.40 is a loopback/],
      ['/news/to-192-168.html', 'http://192.168.1.1/', /refused: 192\.168\.1\.1 is a loopback/],
      ['/news/to-172-16.html', 'https://172.16.5.4/', /refused: 172\.16\.5\.4 is a loopback/],
      ['/news/to-metadata.html', 'http://169.254.169.254/latest/meta-data/', /refused: 169\.254\.169\.254 is a loopback/],
      ['/news/to-ipv6-link-local.html', 'http://[fe80::1]/', /refused: fe80::1 is a loopback/],
    ];
    for (const [path, target, reason] of cases) {
      const checked = await checkOnce(c, `${partner.origin}${path}`);
      const last = checked.checks.at(-1);
      assert.equal(last?.outcome, 'unreachable', `${path}: ${JSON.stringify(last)}`);
      assert.equal(last?.ok, false);
      assert.deepEqual(last?.duties, []);
      assert.ok(last?.error?.startsWith(`fetcher: ${partner.origin}${path} redirects to ${target}: `), `${path}: ${last?.error}`);
      assert.match(last?.error ?? '', reason, path);
      assert.ok(partner.requests.includes(path), `${path} itself was requested`);
    }
    // Through two hops on the allowed host, the private target is still refused at its hop.
    const twoHops = (await checkOnce(c, `${partner.origin}/news/two-hops.html`)).checks.at(-1);
    assert.equal(twoHops?.error, `fetcher: ${partner.origin}/news/to-loopback.html redirects to ${inside.origin}/secret: refused: 127.0.0.1 is a loopback, private or link-local address`);
    assert.deepEqual(inside.requests, [], 'nothing inside was ever requested');
  });

  test('a robots.txt that redirects into the private network is refused too: the page is not read', async () => {
    const checked = await checkOnce(checker([new URL(robotsMoved.origin).host]), `${robotsMoved.origin}/news/ok.html`);
    const last = checked.checks.at(-1);
    assert.equal(last?.outcome, 'unreachable');
    assert.equal(
      last?.error,
      `robots: cannot read ${robotsMoved.origin}/robots.txt (fetcher: ${robotsMoved.origin}/robots.txt redirects to ${inside.origin}/robots.txt: refused: 127.0.0.1 is a loopback, private or link-local address); skipping ${new URL(robotsMoved.origin).host} for this run`,
    );
    assert.deepEqual(robotsMoved.requests, ['/robots.txt'], 'the page was not requested');
    assert.deepEqual(inside.requests, []);
  });

  test('with every private host allowed (reprint check --allow-private-hosts), the same redirect is followed: the refusals above are the guard, not a broken server', async () => {
    const checked = await checkOnce(checker(true), `${partner.origin}/news/to-loopback.html`);
    const last = checked.checks.at(-1);
    assert.equal(last?.outcome, 'checked', JSON.stringify(last));
    assert.equal(last?.ok, true);
    assert.ok(inside.requests.includes('/secret'));
  });

  test('a hostile reprint page is read in a worker: one nested 10,000 deep is refused with a clear error, one of 20,000 links is judged', async () => {
    const c = checker([new URL(partner.origin).host]);
    const deep = (await checkOnce(c, `${partner.origin}/news/deep.html`)).checks.at(-1);
    assert.equal(deep?.outcome, 'unreachable');
    assert.match(deep?.error ?? '', /^extract-page: .*deep\.html is nested more than \d+ elements deep; not read$/);
    const many = (await checkOnce(c, `${partner.origin}/news/many-links.html`)).checks.at(-1);
    assert.equal(many?.outcome, 'checked', JSON.stringify(many?.error));
    assert.equal(many?.ok, true, 'source, author and the link to the original are found among 20,000 links');
  });
});
