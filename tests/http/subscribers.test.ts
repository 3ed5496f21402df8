import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CLIENTS_PER_FEED, parseSubscriberAgent, SubscriberStats } from '../../src/http/subscribers.js';

const DAY = 24 * 3600 * 1000;

test('hosted readers are recognized by the counts they put in their User-Agent', () => {
  assert.deepEqual(parseSubscriberAgent('Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )'), { aggregator: 'Feedly', subscribers: 462 });
  assert.deepEqual(parseSubscriberAgent('Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)'), { aggregator: 'Inoreader', subscribers: 114 });
  assert.deepEqual(parseSubscriberAgent('Feedbin feed-id:1697787 - 102 subscribers'), { aggregator: 'Feedbin', feedId: '1697787', subscribers: 102 });
  assert.deepEqual(parseSubscriberAgent('NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/1/x'), { aggregator: 'NewsBlur', subscribers: 27 });
  assert.deepEqual(parseSubscriberAgent('Mozilla/5.0 (compatible; theoldreader.com; 1 subscribers; feed-id=abc123)'), { aggregator: 'The Old Reader', feedId: 'abc123', subscribers: 1 });
  assert.equal(parseSubscriberAgent('curl/8.0'), undefined);
});

test('the latest report per reader counts, other clients count once per address and agent, browsers not at all', () => {
  const stats = new SubscriberStats();
  const now = Date.UTC(2026, 10, 27);
  stats.record('enterprise', 'rss', 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 400 subscribers; )', '203.0.113.1', now - DAY);
  stats.record('enterprise', 'rss', 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )', '203.0.113.2', now);
  stats.record('enterprise', 'rss', 'Feedbin feed-id:1 - 10 subscribers', '203.0.113.3', now);
  stats.record('enterprise', 'rss', 'Feedbin feed-id:2 - 5 subscribers', '203.0.113.3', now);
  stats.record('enterprise', 'rss', 'NetNewsWire (RSS Reader; https://netnewswire.com/)', '198.51.100.7', now);
  stats.record('enterprise', 'rss', 'NetNewsWire (RSS Reader; https://netnewswire.com/)', '198.51.100.7', now);
  stats.record('enterprise', 'rss', 'NetNewsWire (RSS Reader; https://netnewswire.com/)', '198.51.100.8', now);
  stats.record('enterprise', 'rss', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36', '198.51.100.9', now);
  stats.record('enterprise', 'atom', 'rss-parser', '198.51.100.7', now);
  const [atom, rss] = stats.counts(now);
  assert.deepEqual(rss, { channel: 'enterprise', format: 'rss', hosted: 477, direct: 2, total: 479, byAggregator: { Feedly: 462, Feedbin: 15 } });
  assert.equal(atom?.total, 1);
});

test('counts age out after 7 days; the snapshot keeps the salt and never the address', () => {
  const stats = new SubscriberStats();
  const now = Date.UTC(2026, 10, 27);
  stats.record('c', 'json', 'rss-parser', '192.0.2.44', now - 8 * DAY);
  stats.record('c', 'json', 'Feedly/1.0 (3 subscribers)', '192.0.2.45', now - 8 * DAY);
  stats.record('c', 'json', 'Miniflux/2.1 (feed reader)', '192.0.2.46', now);
  assert.deepEqual(stats.counts(now).map((c) => c.total), [1]);
  const snapshot = stats.snapshot(now);
  assert.doesNotMatch(JSON.stringify(snapshot), /192\.0\.2/);
  const restored = new SubscriberStats(snapshot);
  restored.record('c', 'json', 'Miniflux/2.1 (feed reader)', '192.0.2.46', now);
  assert.equal(restored.counts(now)[0]?.direct, 1, 'the same client hashes the same after a restart');
});

test('forged counts are not believed, a long User-Agent is read only in part, and clients per feed are capped', () => {
  assert.equal(parseSubscriberAgent('Feedly/1.0 (1000000000000000000000000 subscribers)'), undefined);
  assert.equal(parseSubscriberAgent('Feedly/1.0 (10000001 subscribers)'), undefined);
  assert.equal(parseSubscriberAgent(`Feedly/1.0 ${'1'.repeat(16_000)} subscribers`), undefined);
  assert.equal(parseSubscriberAgent(`Feedly/1.0 (${' '.repeat(600)}12 subscribers)`), undefined, 'past the first 512 characters');
  assert.deepEqual(parseSubscriberAgent('Feedly/1.0 (10000000 subscribers)'), { aggregator: 'Feedly', subscribers: 10_000_000 });

  const now = Date.UTC(2026, 10, 27);
  const stats = new SubscriberStats();
  for (let i = 0; i < MAX_CLIENTS_PER_FEED + 500; i += 1) stats.record('c', 'rss', `reader-${i}`, '192.0.2.1', now);
  assert.equal(stats.counts(now)[0]?.direct, MAX_CLIENTS_PER_FEED);

  // A file written before counts were checked: its forged report is dropped on load.
  const restored = new SubscriberStats({
    salt: 's',
    hosted: { 'c\trss': { 'Feedly\t': { aggregator: 'Feedly', subscribers: 1e24, seenAt: new Date(now).toISOString() }, 'Feedbin\t': { aggregator: 'Feedbin', subscribers: 3, seenAt: new Date(now).toISOString() } } },
    clients: {},
  });
  assert.deepEqual(restored.counts(now)[0]?.byAggregator, { Feedbin: 3 });
});
