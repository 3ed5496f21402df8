import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { silentLogger } from '../helpers/log.js';
import { WebSubPublisher } from '../../src/publish/websub.js';

/** A hub stand-in on 127.0.0.1 that answers with the given statuses in turn and records each ping. */
async function hub(statuses: number[]) {
  const pings: { at: number; form: URLSearchParams }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      pings.push({ at: Date.now(), form: new URLSearchParams(body) });
      res.writeHead(statuses[pings.length - 1] ?? 204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`, pings, close: () => server.close() };
}

test('a publish ping names every changed topic; 5xx and 429 are retried with growing delays', async (t) => {
  const h = await hub([503, 429, 204]);
  t.after(h.close);
  const publisher = new WebSubPublisher({ hubUrl: h.url, userAgent: 'test', log: silentLogger(), baseDelayMs: 50 });
  publisher.publish(['http://feeds.test/feeds/a.rss', 'http://feeds.test/feeds/a.atom']);
  await publisher.idle();
  assert.equal(h.pings.length, 3);
  const form = h.pings[2]!.form;
  assert.equal(form.get('hub.mode'), 'publish');
  assert.deepEqual(form.getAll('hub.topic'), ['http://feeds.test/feeds/a.rss', 'http://feeds.test/feeds/a.atom']);
  assert.deepEqual(form.getAll('hub.url'), form.getAll('hub.topic'), 'hub.url for PubSubHubbub 0.4 hubs');
  const gap1 = h.pings[1]!.at - h.pings[0]!.at;
  const gap2 = h.pings[2]!.at - h.pings[1]!.at;
  assert.ok(gap1 >= 25 && gap2 >= 50, `backoff gaps ${gap1} ms, ${gap2} ms`);
});

test('a 4xx other than 429 is final; an unreachable hub is given up after maxAttempts', async (t) => {
  const h = await hub([400]);
  t.after(h.close);
  const refused = new WebSubPublisher({ hubUrl: h.url, userAgent: 'test', log: silentLogger(), baseDelayMs: 10 });
  refused.publish(['http://feeds.test/feeds/a.rss']);
  await refused.idle();
  assert.equal(h.pings.length, 1);

  const down = new WebSubPublisher({ hubUrl: 'http://127.0.0.1:9/hub', userAgent: 'test', log: silentLogger(), baseDelayMs: 5, maxAttempts: 3 });
  down.publish(['http://feeds.test/feeds/a.rss']);
  await down.idle();
});

test('topics that change while a ping is pending are sent in one follow-up ping', async (t) => {
  const h = await hub([503, 204, 204]);
  t.after(h.close);
  const publisher = new WebSubPublisher({ hubUrl: h.url, userAgent: 'test', log: silentLogger(), baseDelayMs: 100 });
  publisher.publish(['http://feeds.test/feeds/a.rss']);
  publisher.publish(['http://feeds.test/feeds/b.rss']);
  publisher.publish(['http://feeds.test/feeds/c.rss']);
  await publisher.idle();
  assert.equal(h.pings.length, 3, 'first ping (503), its retry, then one ping for b and c together');
  assert.deepEqual(h.pings[2]!.form.getAll('hub.topic'), ['http://feeds.test/feeds/b.rss', 'http://feeds.test/feeds/c.rss']);
});
