// The partner route inside the app (supertest, no sockets): what is logged, what is delivered and
// recorded, and what happens when the ledger cannot record a delivery.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { redactKeys } from '../../src/http/request-log.js';
import { Ledger, type LedgerEntry } from '../../src/partners/ledger.js';
import { RateLimiter } from '../../src/partners/rate-limit.js';
import { PartnerStore } from '../../src/partners/registry.js';
import { fixedStore } from '../helpers/fixed-store.js';
import * as fx from '../helpers/render-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const CHANNEL = fx.channel().id;

async function setup(t: { after: (fn: () => Promise<void>) => void }, ledgerPath?: (dir: string) => string) {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const registry = await PartnerStore.open(dir);
  const { key } = await registry.add('Hebei Daily', new Date());
  const { grant } = await registry.grant('hebei-daily', { channelId: CHANNEL, content: 'full' }, new Date());
  const ledger = new Ledger(ledgerPath?.(dir) ?? path.join(dir, 'ledger'));
  let clock = 0;
  const limiter = new RateLimiter(3, () => clock);
  const app = createApp({
    store: fixedStore(fx.items()),
    channels: [fx.channel()],
    licenses: fx.licenses(),
    baseUrl: fx.BASE_URL,
    log,
    partners: { registry, ledger, limiter },
  });
  const recorded = async (): Promise<LedgerEntry[]> => {
    const out: LedgerEntry[] = [];
    for await (const e of ledger.entries()) out.push(e);
    return out;
  };
  return { app, key, grant, lines, recorded, dir, advance: (ms: number) => (clock += ms) };
}

test('redactKeys replaces every key= value, however the name is encoded, and anything shaped like a key', () => {
  assert.equal(redactKeys('/partner/feeds/a.rss?key=sk_abcdefghijklmnop&limit=5'), '/partner/feeds/a.rss?key=REDACTED&limit=5');
  assert.equal(redactKeys('/p?limit=5&%6Bey=secret&KEY=x'), '/p?limit=5&%6Bey=REDACTED&KEY=REDACTED');
  assert.equal(redactKeys('/p?token=sk_abcdefghijklmnop'), '/p?token=sk_REDACTED');
  assert.equal(redactKeys('/feeds/a.rss'), '/feeds/a.rss');
});

test('no trace of a key in the request log, whether it came as ?key=, as a Bearer header, or both', async (t) => {
  const { app, key, lines } = await setup(t);
  await request(app).get(`/partner/feeds/${CHANNEL}.rss?key=${key}`).expect(200);
  await request(app).get(`/partner/feeds/${CHANNEL}.json`).set('Authorization', `Bearer ${key}`).expect(200);
  await request(app).get(`/partner/feeds/${CHANNEL}.atom?limit=2&key=sk_wrongwrongwrong`).set('Authorization', `Bearer ${key}`).expect(200);
  await request(app).get(`/partner/feeds/${CHANNEL}.atom?key=${key}x`).expect(401);
  const log = lines.join('');
  assert.equal(lines.length, 4, 'one line per request');
  assert.ok(!log.includes(key), 'the key is nowhere in the log');
  assert.ok(!log.includes(key.slice(3)), 'not even without its prefix');
  assert.ok(!log.includes('wrongwrong'));
  assert.doesNotMatch(log, /authorization|bearer/i);
  const entries = lines.map((l) => JSON.parse(l) as { url: string; status: number; method: string; durationMs: number });
  assert.deepEqual(entries.map((e) => [e.method, e.url, e.status]), [
    ['GET', `/partner/feeds/${CHANNEL}.rss?key=REDACTED`, 200],
    ['GET', `/partner/feeds/${CHANNEL}.json`, 200],
    ['GET', `/partner/feeds/${CHANNEL}.atom?limit=2&key=REDACTED`, 200],
    ['GET', `/partner/feeds/${CHANNEL}.atom?key=REDACTED`, 401],
  ]);
  assert.ok(entries.every((e) => typeof e.durationMs === 'number'));
});

test('the Bearer header wins over ?key=; a header of another scheme is no key', async (t) => {
  const { app, key } = await setup(t);
  await request(app).get(`/partner/feeds/${CHANNEL}.rss?key=${key}`).set('Authorization', 'Bearer sk_unknown').expect(401, 'unknown key\n');
  await request(app).get(`/partner/feeds/${CHANNEL}.rss?key=${key}`).set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`).expect(200);
  await request(app).get(`/partner/feeds/${CHANNEL}.rss`).set('Authorization', `bearer ${key}`).expect(200);
});

test('a 200 GET is one ledger line; a 304, a HEAD, a 401, a 404 and a 429 are none', async (t) => {
  const { app, key, grant, recorded } = await setup(t);
  const first = await request(app).get(`/partner/feeds/${CHANNEL}.rss`).set('Authorization', `Bearer ${key}`).expect(200);
  assert.equal(first.headers['cache-control'], 'private, no-store');
  await request(app).get(`/partner/feeds/${CHANNEL}.rss`).set('Authorization', `Bearer ${key}`).set('If-None-Match', first.headers.etag!).expect(304);
  const head = await request(app).head(`/partner/feeds/${CHANNEL}.rss`).set('Authorization', `Bearer ${key}`).expect(200);
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(first.text)));
  await request(app).get(`/partner/feeds/${CHANNEL}.rss`).set('Authorization', `Bearer ${key}`).expect(429);
  await request(app).get(`/partner/feeds/${CHANNEL}.rss`).expect(401);
  await request(app).get(`/partner/feeds/nope.rss?key=${key}`).expect(404, 'no channel "nope"\n');
  await request(app).get(`/partner/feeds/${CHANNEL}.xml?key=${key}`).expect(404);

  const entries = await recorded();
  assert.equal(entries.length, 1);
  assert.deepEqual({ ...entries[0], time: undefined }, {
    time: undefined,
    partner: 'hebei-daily',
    channel: CHANNEL,
    format: 'rss',
    grant: grant.id,
    items: fx.items().map((i) => i.id),
    contentLevel: 'full',
  });
});

test('429 says the limit and when to come back; the allowance refills', async (t) => {
  const { app, key, advance } = await setup(t);
  for (let i = 0; i < 3; i += 1) await request(app).get(`/partner/feeds/${CHANNEL}.json?key=${key}`).expect(200);
  const limited = await request(app).get(`/partner/feeds/${CHANNEL}.json?key=${key}`).expect(429);
  assert.equal(limited.text, 'rate limit: 3 requests per minute\n');
  assert.equal(limited.headers['retry-after'], '20');
  assert.equal(limited.headers['content-type'], 'text/plain; charset=utf-8');
  advance(20_000);
  await request(app).get(`/partner/feeds/${CHANNEL}.json?key=${key}`).expect(200);
});

test('when the ledger cannot record a delivery, the answer is a 500 and nothing is delivered', async (t) => {
  // The ledger directory is a file: every append fails.
  const { app, key, dir, lines } = await setup(t, (d) => path.join(d, 'ledger-is-a-file'));
  await writeFile(path.join(dir, 'ledger-is-a-file'), 'not a directory');
  const res = await request(app).get(`/partner/feeds/${CHANNEL}.rss?key=${key}`).expect(500);
  assert.equal(res.text, 'internal error\n');
  assert.equal(res.headers.etag, undefined);
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.ok(lines.some((l) => JSON.parse(l).level === 50), 'the cause is logged');
  assert.ok(!lines.join('').includes(key));
});
