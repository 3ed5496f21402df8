// Reprint reports and the attribution checker, as partners and the publisher use them: the service on
// a real socket with a real partner registry, ledger and reprint file store; partner media web sites
// on 127.0.0.1 serving their reprints in UTF-8 and in GB2312 (declared only in <meta>); partners fetch
// their feeds (the ledger records it), report reprints over HTTP, and the checker reads each page
// through the ingest's polite fetcher. What the publisher then sees: pass/fail per duty with evidence,
// a reprint flagged when it loses its attribution, /status, /metrics, the channel page.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { createApp } from '../../src/http/app.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { HostPolicy } from '../../src/ingest/fetch/polite.js';
import type { Item } from '../../src/model.js';
import { AttributionChecker } from '../../src/partners/attribution-check.js';
import { Ledger } from '../../src/partners/ledger.js';
import { RateLimiter } from '../../src/partners/rate-limit.js';
import { PartnerStore } from '../../src/partners/registry.js';
import { ReprintFileStore } from '../../src/store/files/reprint-file-store.js';
import type { ReprintReport } from '../../src/store/reprints.js';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { type PartnerSite, articlePage, startPartnerSite } from '../helpers/partner-site.js';
import * as fx from '../helpers/render-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const CHANNEL = fx.channel().id;
const DAY = 24 * 60 * 60 * 1000;
const USER_AGENT = 'Syndicator-test/1.0 (+reprint checks)';

/** Clause 【2】 item from 河北日报, two authors. */
const REPRINTED = fx.fullItem();
/** The site's own item under an excerpt-only license, one author, a body of six sentences. */
const OWN_PARAGRAPHS = [
  '十一月二十日，河北钢铁集团召开安全生产工作会议。',
  '会议总结了前三季度安全生产情况，分析了当前面临的主要风险。',
  '会议要求各单位强化责任落实，严格执行各项安全管理制度。',
  '集团负责人指出，要加强隐患排查治理，坚决遏制重大事故发生。',
  '会议还对冬季安全生产工作进行了专门部署。',
  '各子公司负责人参加了会议并作了交流发言。',
];
const OWN: Item = fx.bareItem({
  id: 'own-excerpt-1',
  guid: 'urn:uuid:5b0c9f2e-1d3a-4e5f-8a6b-7c8d9e0f1a2b',
  title: '河北钢铁集团召开安全生产工作会议',
  link: 'https://www.csteelnews.example/qypd/ywjx/202611/t20261120_40000.html',
  summary: OWN_PARAGRAPHS[0],
  contentHtml: OWN_PARAGRAPHS.map((p) => `<p>${p}</p>`).join(''),
  attribution: { authors: ['赵强'], source: { name: '中国冶金报—中国钢铁新闻网', url: 'http://www.csteelnews.com/', original: true } },
  licenseId: 'csteelnews-own',
});

const REPRINTED_BODY = ['7月10日，中国宝武召开扶贫工作推进会。', '会议部署了下半年扶贫工作。'];
const ownByline = '来源:《中国冶金报—中国钢铁新闻网》 作者:赵强';

describe('reprint reports and attribution checks, with partner sites in UTF-8 and GB2312', () => {
  let clock = Date.parse('2026-11-25T02:00:00.000Z');
  const now = () => new Date(clock);
  let utf8: PartnerSite;
  let gb: PartnerSite;
  let server: Server;
  let base: string;
  let reprints: ReprintFileStore;
  let checker: AttributionChecker;
  let dispose: () => Promise<void>;
  let closeStore: () => Promise<void>;
  const keys: Record<string, string> = {};
  const reported: Record<string, ReprintReport> = {};

  const http = (pathname: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`${base}${pathname}`, { ...init, headers: { ...(init.key !== undefined && { authorization: `Bearer ${init.key}` }), ...(init.headers as Record<string, string>) } });
  const report = async (partner: string, item: string, reprintUrl: string): Promise<ReprintReport> => {
    const res = await http('/partner/reprints', { method: 'POST', key: keys[partner], headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item, reprintUrl }) });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as ReprintReport;
  };
  const current = async (id: string): Promise<ReprintReport> => {
    const found = (await reprints.list()).find((r) => r.id === id);
    assert.ok(found, `report ${id} is stored`);
    return found;
  };
  const duty = (r: ReprintReport, name: string) => {
    const last = r.checks[r.checks.length - 1];
    const d = last?.duties.find((x) => x.duty === name);
    assert.ok(d, `${r.reprintUrl}: the newest check judged "${name}" (${JSON.stringify(last)})`);
    return d;
  };

  before(async () => {
    const tmp = await tempDir();
    const registry = await PartnerStore.open(tmp.dir);
    const media: [string, string][] = [['hebei-daily', '河北日报社'], ['tangshan-news', '唐山劳动日报'], ['xingtai-daily', '邢台日报'], ['langfang-daily', '廊坊日报']];
    for (const [id, name] of media) {
      keys[id] = (await registry.add(name, now(), id)).key;
    }
    await registry.grant('hebei-daily', { channelId: CHANNEL, content: 'full' }, now());
    await registry.grant('tangshan-news', { channelId: CHANNEL, content: 'excerpt' }, now());
    await registry.grant('xingtai-daily', { channelId: CHANNEL, content: 'full', until: new Date(clock + 60 * 60 * 1000) }, now());
    reprints = await ReprintFileStore.open(tmp.dir);
    const channel = fx.channel();
    // The real channel store, holding the two items.
    const store = await LowdbStore.open(tmp.dir, [channel.id]);
    await store.apply(channel.id, { items: [REPRINTED, OWN], sourceStates: [], maxItems: 50, now: now() });
    closeStore = () => store.close();
    const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
    const hosts = new HostPolicy({ userAgent: USER_AGENT, timeoutMs: 5000, maxBytes: 1 << 20 });
    checker = new AttributionChecker({ reprints, store, channels: [channel], hosts, log, delayMs: 5, now, allowPrivateHosts: true });
    const app = createApp({
      store,
      channels: [channel],
      licenses: fx.licenses(),
      baseUrl: fx.BASE_URL,
      log,
      partners: { registry, ledger: new Ledger(path.join(tmp.dir, 'ledger')), limiter: new RateLimiter(1000) },
      metrics: new Metrics({ defaultMetrics: false }),
      reprints,
      checker,
      now,
    });
    server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const link = (text = '原文链接') => `<a href="${REPRINTED.link}">${text}</a>`;
    utf8 = await startPartnerSite({
      '/a/ok.html': { html: articlePage({ title: REPRINTED.title, byline: `来源:河北日报 作者:李明 王芳 ${link()}`, paragraphs: REPRINTED_BODY }) },
      '/a/missing.html': { html: articlePage({ title: REPRINTED.title, paragraphs: REPRINTED_BODY }) },
      '/a/wrong-author.html': { html: articlePage({ title: REPRINTED.title, byline: `来源:${link('河北日报')} 作者:李华`, paragraphs: REPRINTED_BODY }) },
      '/a/no-link.html': { html: articlePage({ title: REPRINTED.title, byline: `来源:河北日报 作者:李明、王芳 原文:${REPRINTED.link}`, paragraphs: REPRINTED_BODY }) },
      '/a/caption.html': {
        html: articlePage({
          title: REPRINTED.title,
          paragraphs: REPRINTED_BODY,
          extra: `<figure><img src="/p.jpg" alt="来源:河北日报"><figcaption>图为扶贫工作推进会现场。来源:河北日报 作者:李明 王芳</figcaption></figure>${link()}`,
        }),
      },
      '/a/later-removed.html': { html: articlePage({ title: REPRINTED.title, byline: `来源:河北日报 作者:李明、王芳 ${link()}`, paragraphs: REPRINTED_BODY }) },
    });
    // GB2312 pages, declared only in <meta charset>: the HTTP header names no charset.
    const gbPage = (paragraphs: readonly string[]) => ({
      html: articlePage({ title: OWN.title, byline: `${ownByline} <a href="${OWN.link}">阅读原文</a>`, paragraphs, charset: 'gb2312' }),
      charset: 'gb2312',
      contentType: 'text/html',
    });
    gb = await startPartnerSite(
      { '/b/ok.html': gbPage(OWN_PARAGRAPHS), '/b/full.html': gbPage(OWN_PARAGRAPHS), '/b/excerpt.html': gbPage(OWN_PARAGRAPHS.slice(0, 1)), '/private/b.html': gbPage(OWN_PARAGRAPHS) },
      'User-agent: *\nDisallow: /private/\n',
    );
    dispose = tmp.dispose;

    // Deliveries: each partner with a grant reads its feed once (the ledger records the items).
    for (const partner of ['hebei-daily', 'tangshan-news', 'xingtai-daily']) {
      const res = await http(`/partner/feeds/${CHANNEL}.json`, { key: keys[partner] });
      assert.equal(res.status, 200, partner);
    }
  });

  after(async () => {
    await checker?.stop();
    await new Promise((resolve) => server?.close(resolve));
    server?.closeAllConnections();
    await utf8?.close();
    await gb?.close();
    await reprints?.close();
    await closeStore?.();
    await dispose?.();
  });

  test('a report is stored with the grant in force at delivery; never-delivered and after-expiry reports are recorded as such', async () => {
    const ok = await report('hebei-daily', REPRINTED.id, utf8.url('/a/ok.html'));
    assert.equal(ok.standing, 'delivered');
    assert.match(ok.grantId ?? '', /^g-/);
    assert.equal(ok.contentLevel, 'full');
    assert.equal(ok.deliveredAt, now().toISOString());
    assert.equal(ok.originalLink, REPRINTED.link);
    assert.deepEqual([ok.sourceName, ok.authors], ['河北日报', ['李明', '王芳']]);
    reported.ok = ok;

    // By original link or guid as well as by id.
    reported.missing = await report('hebei-daily', REPRINTED.link!, utf8.url('/a/missing.html'));
    assert.equal(reported.missing.itemId, REPRINTED.id);
    reported.wrongAuthor = await report('hebei-daily', REPRINTED.guid, utf8.url('/a/wrong-author.html'));
    reported.noLink = await report('hebei-daily', REPRINTED.id, utf8.url('/a/no-link.html'));
    reported.caption = await report('hebei-daily', REPRINTED.id, utf8.url('/a/caption.html'));
    reported.later = await report('hebei-daily', REPRINTED.id, utf8.url('/a/later-removed.html'));
    reported.gbOk = await report('hebei-daily', OWN.id, gb.url('/b/ok.html'));
    reported.gbFull = await report('tangshan-news', OWN.id, gb.url('/b/full.html'));
    assert.deepEqual([reported.gbFull.standing, reported.gbFull.contentLevel, reported.gbFull.allowed], ['delivered', 'excerpt', 'excerpt']);
    reported.gbExcerpt = await report('tangshan-news', OWN.id, gb.url('/b/excerpt.html'));
    reported.robots = await report('hebei-daily', OWN.id, gb.url('/private/b.html'));

    // 廊坊日报 never received anything: its report is kept, and says so.
    reported.never = await report('langfang-daily', REPRINTED.id, utf8.url('/a/ok.html'));
    assert.equal(reported.never.standing, 'never-delivered');
    assert.equal(reported.never.grantId, undefined);

    // 邢台日报's grant ran for an hour; it reports two hours after its delivery.
    clock += 2 * 60 * 60 * 1000;
    reported.expired = await report('xingtai-daily', REPRINTED.id, utf8.url('/a/ok.html'));
    assert.equal(reported.expired.standing, 'grant-ended');
    assert.equal(reported.expired.grantUntil, new Date(Date.parse(reported.expired.deliveredAt!) + 60 * 60 * 1000).toISOString());

    // An item the service does not know, a reprint URL that is not http(s), no key.
    const unknown = await http('/partner/reprints', { method: 'POST', key: keys['hebei-daily'], headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'nope', reprintUrl: utf8.url('/x') }) });
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /no item "nope"/);
    const badUrl = await http('/partner/reprints', { method: 'POST', key: keys['hebei-daily'], headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: REPRINTED.id, reprintUrl: 'javascript:alert(1)' }) });
    assert.equal(badUrl.status, 400);
    assert.match(await badUrl.text(), /reprint URL "javascript:alert\(1\)" is not an absolute http\(s\) URL/);
    const anonymous = await http('/partner/reprints', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: REPRINTED.id, reprintUrl: utf8.url('/a/ok.html') }) });
    assert.equal(anonymous.status, 401);
    assert.equal((await reprints.list()).length, 12, 'refused reports are not stored');
  });

  test('the checker reads every page soon after its report (a form post works too) and judges each duty with evidence', async () => {
    const form = await http('/partner/reprints', {
      method: 'POST',
      key: keys['hebei-daily'],
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ item: REPRINTED.id, reprintUrl: utf8.url('/a/ok.html') }).toString(),
    });
    assert.equal(form.status, 201);
    const viaForm = (await form.json()) as ReprintReport;
    // The POST kicked the checker: wait (bounded) until that report has its first check.
    for (let i = 0; i < 200 && (await current(viaForm.id)).checks.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    await checker.runDue();
    assert.equal((await current(viaForm.id)).checks.length, 1, 'checked once, soon after the report');

    const ok = await current(reported.ok!.id);
    assert.equal(ok.checks.at(-1)?.ok, true, JSON.stringify(ok.checks));
    assert.match(duty(ok, 'source').evidence, /来源:河北日报/);
    assert.match(duty(ok, 'author').evidence, /李明.*王芳/);
    assert.equal(duty(ok, 'link').evidence, `<a href="${REPRINTED.link}">原文链接</a>`);
    assert.equal(ok.checks.at(-1)?.duties.some((d) => d.duty === 'excerpt'), false, 'a full grant is not measured');

    const missing = await current(reported.missing!.id);
    assert.deepEqual(missing.checks.at(-1)?.duties.map((d) => [d.duty, d.ok]), [['source', false], ['author', false], ['link', false]]);
    assert.equal(duty(missing, 'source').evidence, '"河北日报" not found on the page');
    assert.equal(duty(missing, 'link').evidence, `no link to ${REPRINTED.link}`);

    const wrong = await current(reported.wrongAuthor!.id);
    assert.deepEqual([duty(wrong, 'source').ok, duty(wrong, 'author').ok, duty(wrong, 'link').ok], [true, false, true]);
    assert.equal(duty(wrong, 'author').evidence, '"李明、王芳" not found on the page');

    const noLink = await current(reported.noLink!.id);
    assert.deepEqual([duty(noLink, 'source').ok, duty(noLink, 'author').ok, duty(noLink, 'link').ok], [true, true, false]);
    assert.equal(duty(noLink, 'link').evidence, `${REPRINTED.link} is written on the page but not linked`);

    const caption = await current(reported.caption!.id);
    assert.equal(duty(caption, 'source').ok, false);
    assert.match(duty(caption, 'source').evidence, /appears only in an image caption: «.*来源:河北日报/);
    assert.equal(duty(caption, 'author').ok, false);

    const gbOk = await current(reported.gbOk!.id);
    assert.equal(gbOk.checks.at(-1)?.ok, true, `GB2312 page read: ${JSON.stringify(gbOk.checks.at(-1))}`);
    assert.match(duty(gbOk, 'source').evidence, /《中国冶金报—中国钢铁新闻网》/);
    assert.match(duty(gbOk, 'author').evidence, /赵强/);

    const full = await current(reported.gbFull!.id);
    assert.equal(duty(full, 'excerpt').ok, false);
    assert.equal(duty(full, 'excerpt').evidence, '6 of 6 sentences of the original (100%) are on the page; only an excerpt may be reprinted: at most 30%');
    assert.deepEqual([duty(full, 'source').ok, duty(full, 'author').ok, duty(full, 'link').ok], [true, true, true]);
    const excerpt = await current(reported.gbExcerpt!.id);
    assert.equal(duty(excerpt, 'excerpt').ok, true, duty(excerpt, 'excerpt').evidence);

    const robots = await current(reported.robots!.id);
    assert.equal(robots.checks.at(-1)?.outcome, 'unreachable');
    assert.match(robots.checks.at(-1)?.error ?? '', /disallowed by .*robots\.txt/);

    // Politely: robots.txt read, our User-Agent on every request.
    assert.ok(gb.requests.some((r) => r.path === '/robots.txt'));
    assert.ok([...utf8.requests, ...gb.requests].every((r) => r.userAgent === USER_AGENT));
    assert.ok(!gb.requests.some((r) => r.path === '/private/b.html'), 'a disallowed page is never fetched');
  });

  test('a reprint that loses its attribution after a passing check is flagged at the next scheduled check', async () => {
    utf8.set('/a/later-removed.html', { html: articlePage({ title: REPRINTED.title, paragraphs: REPRINTED_BODY }) });
    clock += DAY + 1000;
    const checked = await checker.runDue();
    assert.ok(checked >= 13, `every report was due again (${checked})`);
    const later = await current(reported.later!.id);
    assert.deepEqual(later.checks.map((c) => c.ok), [true, false]);
    assert.equal(later.flagged?.at, now().toISOString());
    assert.match(later.flagged?.reason ?? '', /attribution lost after a passing check: source, author, link failed/);
    assert.equal((await current(reported.ok!.id)).flagged, undefined, 'a page that still passes is not flagged');
    assert.equal((await current(reported.missing!.id)).flagged, undefined, 'a page that never passed is failing, not flagged');
  });

  test('a partner reads only its own reports; the publisher sees compliance per partner in /status, /metrics and on the channel page', async () => {
    const own = (await (await http('/partner/reprints', { key: keys['tangshan-news'] })).json()) as { partner: string; reports: ReprintReport[] };
    assert.equal(own.partner, 'tangshan-news');
    assert.deepEqual(own.reports.map((r) => r.reprintUrl).sort(), [gb.url('/b/excerpt.html'), gb.url('/b/full.html')]);
    assert.ok(own.reports.every((r) => r.checks.length === 2 && r.checks.every((c) => c.duties.length === 4)));
    assert.equal((await http('/partner/reprints')).status, 401);

    const status = (await (await http('/status')).json()) as { reprints: Record<string, unknown>[] };
    const hebei = status.reprints.find((s) => s.partner === 'hebei-daily');
    assert.deepEqual(
      { ...hebei, failingDuties: undefined },
      { partner: 'hebei-daily', reports: 9, pending: 0, passing: 3, failing: 5, unreachable: 1, flagged: 1, neverDelivered: 0, grantEnded: 0, failingDuties: undefined },
    );
    assert.deepEqual(hebei?.failingDuties, { source: 3, author: 4, link: 3 });
    assert.equal(status.reprints.find((s) => s.partner === 'langfang-daily')?.neverDelivered, 1);
    assert.equal(status.reprints.find((s) => s.partner === 'xingtai-daily')?.grantEnded, 1);

    const metrics = await (await http('/metrics')).text();
    assert.match(metrics, /^syndicator_reprints\{partner="hebei-daily",state="failing"\} 5$/m);
    assert.match(metrics, /^syndicator_reprints\{partner="tangshan-news",state="passing"\} 1$/m);
    assert.match(metrics, /^syndicator_reprints_flagged\{partner="hebei-daily"\} 1$/m);

    const page = await (await http(`/channels/${CHANNEL}`)).text();
    assert.match(page, /Known reprints \(9\)/, 'the clause 【2】 item lists its nine reports');
    assert.ok(page.includes(`href="${utf8.url('/a/later-removed.html')}"`));
    assert.match(page, /attribution FAILING · lost attribution on /);
    assert.match(page, /never delivered to this partner/);
    assert.match(page, /excerpt: 6 of 6 sentences of the original/);
  });

  test('in Chromium, the channel page shows each reprint under its item: where, by whom, its state and the failing duties', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'zh-CN' });
      await page.goto(`${base}/channels/${CHANNEL}`);
      const item = page.locator('li.card', { hasText: REPRINTED.title });
      const list = item.locator('details.reprints');
      assert.equal(await list.locator('summary').innerText(), 'Known reprints (9)');
      assert.ok(await list.isVisible());
      const removed = list.locator('li.reprint', { has: page.locator(`a[href="${utf8.url('/a/later-removed.html')}"]`) });
      assert.match(await removed.innerText(), /hebei-daily · attribution FAILING · lost attribution on .*\n?.*source: "河北日报" not found on the page/s);
      const caption = list.locator('li.reprint', { has: page.locator(`a[href="${utf8.url('/a/caption.html')}"]`) });
      assert.match(await caption.innerText(), /source: "河北日报" appears only in an image caption/);
      assert.equal(await list.locator('li.reprint-passing').count(), 4, 'the passing page, as reported by three partners and once more by form');
      const own = page.locator('li.card', { hasText: OWN.title }).locator('details.reprints');
      assert.match(await own.locator('li.reprint', { hasText: 'tangshan-news' }).first().innerText(), /tangshan-news/);
    } finally {
      await browser.close();
    }
  });
});
