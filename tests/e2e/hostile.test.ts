// Issue #6: the real service against upstreams that hang, drip, fail, rate-limit, redirect in circles,
// send bombs, HTML, lies about their charset, XXE and billion laughs — all on one 127.0.0.1 server,
// all sources of one channel, beside two good ones. The service keeps serving, the good sources still
// ingest, every fault is recorded with a readable cause, and what was stored before is untouched.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadFeeds } from '../../src/config/channels.js';
import { loadConfig } from '../../src/config/env.js';
import { refreshChannel } from '../../src/ingest/refresh.js';
import { silentLogger } from '../helpers/log.js';
import { startService, type Service } from '../../src/main.js';
import type { Channel, Item, SourceState } from '../../src/model.js';
import { FileStore } from '../../src/store/files/file-store.js';
import { FAULTS, RETRY_AFTER_503, startHostileServer, type HostileServer } from '../helpers/hostile-server.js';
import { copyLicense, FEEDS_DIR, tempDir } from '../helpers/temp.js';

const TIMEOUT_MS = 1500;
const CAP = 256 * 1024;

const EXPECTED_ERRORS: Partial<Record<(typeof FAULTS)[number], RegExp>> = {
  hang: /^fetcher: (timed out after 1500 ms|no response within 1500 ms) \(http:\/\/127\.0\.0\.1:\d+\/hang\)$/,
  drip: /^fetcher: timed out after 1500 ms \(http:\/\/127\.0\.0\.1:\d+\/drip\)$/,
  'status-500': /answered 500 Internal Server Error$/,
  'status-503': /answered 503 Service Unavailable$/,
  'status-429': /answered 429 Too Many Requests$/,
  'status-404': /answered 404 Not Found$/,
  'status-410': /answered 410 Gone$/,
  'redirect-loop': /^fetcher: redirect loop: http:\/\/127\.0\.0\.1:\d+\/redirect-loop → \S+\/redirect-loop-2 → \S+\/redirect-loop$/,
  'too-big': /^fetcher: body exceeds 262144 bytes$/,
  'gzip-bomb': /^fetcher: body exceeds 262144 bytes once decompressed$/,
  malformed: /^parse-feed: malformed RSS document/,
  html: /^parse-feed: not an RSS, Atom or JSON Feed document \(root element <html>\)$/,
  xxe: /^parse-feed: refusing a DOCTYPE that declares entities/,
  'billion-laughs': /^parse-feed: refusing a DOCTYPE that declares entities/,
};

describe('hostile upstreams: one run, every fault at once', () => {
  let upstream: HostileServer;
  let service: Service;
  let channel: Channel;
  const retryAt = new Date(Date.now() + 3 * 3600_000);
  let snapshot: Item[];
  let runStartedAt: number;
  const probes: { path: string; status: number; ms: number }[] = [];
  const disposers: (() => Promise<unknown>)[] = [];

  before(async () => {
    upstream = await startHostileServer({ bodyCap: CAP, retryAt });
    const feeds = await tempDir('syndicator-hostile-feeds-');
    const data = await tempDir('syndicator-hostile-data-');
    disposers.push(feeds.dispose, data.dispose, () => upstream.close());
    await copyLicense(feeds.dir);
    const good = [
      { id: 'good-rss', type: 'feed', url: upstream.url('/good/rss.xml') },
      { id: 'good-atom', type: 'feed', url: upstream.url('/good/atom.xml') },
    ];
    const hostile = FAULTS.map((fault) => ({ id: fault, type: 'feed', url: upstream.url(`/${fault}`) }));
    const file = {
      id: 'hostile',
      title: 'Hostile',
      description: 'Every fault at once',
      language: 'en',
      link: 'http://hostile.example/',
      timezone: 'UTC',
      // Never ticks during the test: the run at startup is the hostile run.
      schedule: '0 0 1 1 *',
      license: 'csteelnews-own',
      maxItems: 500,
      sources: [good[0], ...hostile, good[1]],
    };
    await writeFile(path.join(feeds.dir, 'hostile.json'), JSON.stringify(file));
    const loaded = await loadFeeds(feeds.dir);
    assert.deepEqual(loaded.problems, []);
    channel = loaded.channels[0]!;

    // The first, good ingest: only the two good sources.
    const store = await FileStore.open(data.dir, ['hostile']);
    const first = await refreshChannel({ ...channel, sources: channel.sources.filter((s) => s.id.startsWith('good-')) }, store, {
      feedsDir: feeds.dir,
      fetchTimeoutMs: TIMEOUT_MS,
      maxBodyBytes: CAP,
      userAgent: 'syndicator-test',
      log: silentLogger(),
    });
    assert.ok(first.sources.every((s) => s.ok));
    snapshot = structuredClone([...store.items('hostile')]);
    assert.equal(snapshot.length, 5, 'rss 3 + atom 2');
    await store.close();

    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: data.dir,
      FEEDS_DIR: feeds.dir,
      BASE_URL: 'http://feeds.test',
      FETCH_TIMEOUT_MS: String(TIMEOUT_MS),
      MAX_BODY_BYTES: String(CAP),
      LOG_LEVEL: 'silent',
    });
    runStartedAt = Date.now();
    // startService starts the hostile run at once (not awaited); probe the service while it runs.
    service = await startService(config, silentLogger());
    const run = service.scheduler.runNow(service.channels[0]!);
    let done = false;
    void run.finally(() => (done = true));
    while (!done) {
      for (const p of ['/healthz', '/feeds/hostile.rss']) {
        const started = performance.now();
        const res = await fetch(`${service.url}${p}`);
        await res.arrayBuffer();
        probes.push({ path: p, status: res.status, ms: performance.now() - started });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await run;
  });

  after(async () => {
    await service?.stop();
    for (const dispose of disposers) await dispose();
  });

  const states = () => new Map<string, SourceState>(service.store.sourceStates('hostile').map((s) => [s.sourceId, s]));

  test('the service kept serving, promptly, all through the run (the hanging upstream blocks nothing)', async () => {
    assert.ok(probes.length >= 4, `probed ${probes.length} times`);
    for (const p of probes) {
      assert.equal(p.status, 200, `${p.path} answered ${p.status}`);
      assert.ok(p.ms < 1000, `${p.path} took ${Math.round(p.ms)} ms`);
    }
    for (const p of ['/healthz', '/feeds/hostile.rss', '/feeds/hostile.json']) assert.equal((await fetch(`${service.url}${p}`)).status, 200);
  });

  test('each fault is recorded on its source with a readable cause', () => {
    const s = states();
    for (const [fault, pattern] of Object.entries(EXPECTED_ERRORS)) {
      const state = s.get(fault);
      assert.ok(state, `${fault}: no state`);
      assert.match(state.lastError ?? '(no error)', pattern, fault);
      assert.equal(state.consecutiveFailures, 1, fault);
      assert.equal(state.lastSuccessAt, undefined, fault);
    }
  });

  test('the errors are visible in GET /status', async () => {
    const report = (await (await fetch(`${service.url}/status`)).json()) as { channels: { id: string; sources: (SourceState & { items: number })[] }[] };
    const sources = new Map(report.channels[0]!.sources.map((s) => [s.sourceId, s]));
    assert.match(sources.get('redirect-loop')!.lastError!, /redirect loop/);
    assert.ok(sources.get('status-410')!.disabled);
    assert.ok(sources.get('status-500')!.nextAttemptAt);
    assert.equal(sources.get('good-rss')!.items, 3);
  });

  test('Retry-After of the 503 and the 429 is honoured in nextAttemptAt; other failures back off ~5 min', () => {
    const s = states();
    const at503 = Date.parse(s.get('status-503')!.nextAttemptAt!);
    const ran503 = Date.parse(s.get('status-503')!.lastRunAt!);
    assert.equal(at503 - ran503, RETRY_AFTER_503 * 1000);
    const at429 = Date.parse(s.get('status-429')!.nextAttemptAt!);
    assert.ok(at429 >= Math.floor(retryAt.getTime() / 1000) * 1000 - 1000, `429 next attempt ${new Date(at429).toISOString()} before ${retryAt.toISOString()}`);
    const at500 = Date.parse(s.get('status-500')!.nextAttemptAt!) - Date.parse(s.get('status-500')!.lastRunAt!);
    assert.ok(at500 >= 4 * 60_000 && at500 <= 6 * 60_000, `500 backoff ${at500} ms`);
  });

  test('a 410 disables the source with a clear state; the next run skips it and says why', async () => {
    const gone = states().get('status-410')!;
    assert.match(gone.disabled!.reason, /410 Gone/);
    const requested = upstream.requests.length;
    const report = await refreshChannel(channel, service.store, {
      feedsDir: '.',
      fetchTimeoutMs: TIMEOUT_MS,
      maxBodyBytes: CAP,
      userAgent: 'syndicator-test',
      log: silentLogger(),
      force: true,
    }, { sourceId: 'status-410' });
    assert.match(report.sources[0]!.skipped!, /^disabled since .*syndicator source enable hostile status-410/);
    assert.equal(upstream.requests.length, requested, 'no request to a disabled source');
  });

  test('a source not yet due is skipped and reported as such (unless forced)', async () => {
    const report = await refreshChannel(channel, service.store, {
      feedsDir: '.', fetchTimeoutMs: TIMEOUT_MS, maxBodyBytes: CAP, userAgent: 'syndicator-test', log: silentLogger(),
    }, { sourceId: 'status-503' });
    assert.match(report.sources[0]!.skipped!, /^not due until \d{4}-/);
  });

  test('the good sources ingested, and the items stored before are unchanged', () => {
    const items = service.store.items('hostile');
    const byId = new Map(items.map((i) => [i.id, i]));
    for (const before of snapshot) assert.deepEqual(byId.get(before.id), before);
    const s = states();
    for (const id of ['good-rss', 'good-atom']) {
      assert.equal(s.get(id)!.lastError, undefined);
      assert.equal(s.get(id)!.consecutiveFailures, 0);
    }
  });

  test('a wrong declared charset is overruled; an empty feed is a success with no items', () => {
    const items = service.store.items('hostile');
    assert.deepEqual(items.filter((i) => i.sourceId === 'wrong-charset').map((i) => i.title), ['宝钢湛江钢铁三号高炉点火']);
    const s = states();
    assert.equal(s.get('wrong-charset')!.lastError, undefined);
    assert.equal(s.get('empty')!.lastError, undefined);
    assert.equal(s.get('empty')!.lastCounts!.fetched, 0);
  });

  test('duplicate GUIDs: entries sharing a guid but not a link are distinct; a repeated link without a guid is kept once', () => {
    const titles = service.store.items('hostile').filter((i) => i.sourceId === 'duplicate-guids').map((i) => i.title).sort();
    assert.deepEqual(titles, ['First copy', 'No guid, a link', 'Second copy']);
  });

  test('future and invalid dates: the items are stored, without a date that is not believable', () => {
    const dated = service.store.items('hostile').filter((i) => i.sourceId === 'odd-dates');
    assert.equal(dated.length, 3);
    for (const item of dated) {
      assert.equal(item.publishedAt, undefined, item.title);
      assert.ok(Date.parse(item.updatedAt) <= Date.now() + 1000, `${item.title}: updatedAt ${item.updatedAt}`);
    }
  });

  test('XXE: nothing was fetched for the external entity or DTD, and nothing leaked', async () => {
    assert.ok(!upstream.requests.some((p) => p.startsWith('/xxe-')), upstream.requests.join(' '));
    const feed = await (await fetch(`${service.url}/feeds/hostile.rss`)).text();
    assert.doesNotMatch(feed, /root:|lollol/);
    assert.equal(service.store.items('hostile').filter((i) => i.sourceId === 'xxe' || i.sourceId === 'billion-laughs').length, 0);
  });

  test('the whole hostile run stayed well within its time budget', () => {
    assert.ok(Date.now() - runStartedAt < 30_000);
  });
});
