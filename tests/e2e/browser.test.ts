// What a person sees: Debian's Chromium, headless, driven by playwright-core, opens the index, a channel
// page and a feed URL of the running service. Screenshots are kept in tests/artifacts/ for review.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../helpers/log.js';
import { startService } from '../../src/main.js';
import type { Service } from '../../src/main.js';
import { ROOT, tempDir } from '../helpers/temp.js';

const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('in a browser', () => {
  let service: Service;
  let browser: Browser;
  let page: Page;
  let dispose: () => Promise<void>;

  before(async () => {
    const data = await tempDir('syndicator-browser-');
    dispose = data.dispose;
    // BASE_URL must be the real origin here: the browser follows the stylesheet and feed links.
    const port = await freePort();
    service = await startService(
      loadConfig({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: data.dir, BASE_URL: `http://127.0.0.1:${port}` }),
      silentLogger(),
    );
    for (const channel of service.channels) await service.scheduler.runNow(channel);
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      // The flags this machine needs: no sandbox as root, and no background calls to the closed network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'zh-CN' });
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await dispose?.();
  });

  test('the index lists every channel with links to its feeds, and announces them for autodiscovery', async () => {
    await page.goto(`${service.url}/`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'index.png'), fullPage: true });
    assert.equal(await page.locator('h1').innerText(), 'Channels');
    const channelLinks = await page.locator('section.card h2 a').allInnerTexts();
    assert.deepEqual(channelLinks.sort(), ['企业频道 · 要闻精选', '冶金企业动态'].sort());
    const alternates = await page.locator('head link[rel="alternate"]').evaluateAll((links) => links.map((l) => l.getAttribute('type')));
    assert.ok(alternates.filter((t) => t === 'application/atom+xml').length >= 2);
    assert.ok(await page.getByRole('link', { name: 'JSON Feed' }).first().isVisible());
  });

  test('a channel page shows the latest items with their byline, the line to print, and the license', async () => {
    await page.goto(`${service.url}/`);
    await page.getByRole('link', { name: '企业频道 · 要闻精选' }).click();
    await page.waitForURL(/\/channels\/enterprise$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'channel-enterprise.png'), fullPage: true });
    const text = await page.locator('main').innerText();
    assert.match(text, /中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战/);
    assert.match(text, /编辑 实习生2/);
    assert.match(text, /来源 河北日报（转载）|来源 河北日报\(转载\)/);
    assert.match(text, /来源:《中国冶金报—中国钢铁新闻网》 作者:/);
    assert.match(text, /written authorization needed to reprint/);
  });

  test('RSS and Atom read as a page at BASE_URL\'s origin and at another one, with dates in the channel\'s zone', async () => {
    // BASE_URL is http://127.0.0.1:PORT; http://localhost:PORT is the same server at another origin,
    // where an absolute stylesheet URL on BASE_URL would be cross-origin and the page blank.
    const port = new URL(service.url).port;
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      for (const format of ['rss', 'atom']) {
        const what = `${format} at ${origin}`;
        await page.goto(`${origin}/feeds/enterprise.${format}`);
        await page.locator('#feed-title').waitFor({ timeout: 15_000 });
        assert.equal(new URL(page.url()).origin, origin, what);
        await page.screenshot({ path: path.join(ARTIFACTS, `feed-enterprise-${format}-${new URL(origin).hostname}.png`), fullPage: true });
        const titles = await page.locator('article h2').allInnerTexts();
        assert.ok(titles.includes('中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战'), `${what}: ${titles.join(' | ')}`);
        // The seed article: naive 2019-06-28 16:42:00 Beijing time on the page, stored as 08:42 UTC.
        const seed = page.locator('article', { hasText: '中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战' });
        assert.equal(await seed.locator('time.published').innerText(), '2019-06-28 16:42 (Asia/Shanghai)', what);
        assert.doesNotMatch(await page.locator('main').innerText(), /\d{4}-\d\d-\d\dT\d\d:|GMT/, `${what}: no raw ISO or RFC 822 date`);
      }
    }
  });

  test('an RSS and an Atom URL opened in the browser read as a page, not as raw XML', async () => {
    for (const format of ['rss', 'atom']) {
      await page.goto(`${service.url}/feeds/enterprise.${format}`);
      await page.locator('#feed-title').waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, `feed-enterprise-${format}.png`), fullPage: true });
      assert.equal(await page.locator('#feed-title').innerText(), '企业频道 · 要闻精选');
      const titles = await page.locator('article h2').allInnerTexts();
      assert.ok(titles.includes('鞍钢集团召开2019年上半年经济活动分析会'), titles.join(' | '));
      assert.match(await page.locator('main').innerText(), /This is a web feed/);
    }
  });
});
