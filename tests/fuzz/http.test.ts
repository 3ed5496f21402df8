// Fuzzing what a feed request asks for: the query of /feeds/:file (src/http/feed-request.ts: ?limit,
// ?category, ?page, ?part) and conditional requests (If-None-Match / If-Modified-Since,
// src/http/feed-response.ts, RFC 9110 §13.1.1–§13.1.3 and §13.2.2). Each is checked as a function
// against an oracle written from the README and the RFC, and then over the real service on 127.0.0.1
// (startService, its fast path and its Express routes) for a few dozen runs. Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/env.js';
import { HttpError } from '../../src/http/errors.js';
import { DEFAULT_LIMIT, MAX_LIMIT, feedRequest } from '../../src/http/feed-request.js';
import { isNotModified, parseHttpDate } from '../../src/http/feed-response.js';
import type { Representation } from '../../src/http/output-cache.js';
import { startService, type Service } from '../../src/main.js';
import type { Channel } from '../../src/model.js';
import { check } from '../helpers/fuzz.js';
import { silentLogger } from '../helpers/log.js';
import * as fx from '../helpers/render-fixtures.js';
import { copyOfFeeds, tempDir } from '../helpers/temp.js';

// ---- the query --------------------------------------------------------------------------------------

type Value = string | string[] | undefined;
const PARAMS = ['limit', 'category', 'page', 'part'] as const;
type Param = (typeof PARAMS)[number];

/** Values of every hostile shape: numbers written every way, months real and not, long runs, repeats. */
const value: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1', '5', '50', '500', '501', '0', '-1', '+5', '5.0', '1e2', ' 5', '5 ', '５', '0x10', '00005', '', 'NaN', 'Infinity', '2024-03', '2024-13', '2024-00', '2024-3', '0000-01', '9999-12', '1', '2', '999999', '1000000', '01'),
  fc.integer({ min: 0, max: 2_000 }).map(String),
  fc.tuple(fc.integer({ min: 1990, max: 2099 }), fc.integer({ min: 0, max: 13 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
  fc.constantFrom('钢铁', '企业新闻', 'a'.repeat(100), 'a'.repeat(101), '   ', '\u202E', '%zz', '<script>'),
  fc.constantFrom('9'.repeat(16_000), '1'.repeat(400)),
  fc.string({ maxLength: 20 }),
);
const values: fc.Arbitrary<Value> = fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: value, weight: 4 }, { arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }), weight: 1 });
const params = fc.record({ limit: values, category: values, page: values, part: values });

/** The parameters the README's rules refuse in `p` (for a channel serving `maxItems`). */
function refused(p: Record<Param, Value>, maxItems: number): Set<string> {
  const bad = new Set<string>();
  const { limit, category, page, part } = p;
  if (category !== undefined && (typeof category !== 'string' || category.trim() === '' || category.length > 100)) bad.add('category');
  if (page !== undefined && (typeof page !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(page))) bad.add('page');
  if (page !== undefined && category !== undefined) bad.add('page and category');
  if (part !== undefined && (page === undefined || typeof part !== 'string' || !/^[1-9]\d{0,5}$/.test(part))) bad.add('part');
  const upper = Math.min(MAX_LIMIT, maxItems);
  if (limit !== undefined && (typeof limit !== 'string' || !/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > upper)) bad.add('limit');
  return bad;
}

/** The parameter a 400 message names first (messages start with it: "limit must be …"). */
function named(message: string): string | undefined {
  return ['page and category', ...PARAMS].find((p) => message.startsWith(p));
}

describe('fuzz: the query of a feed request', () => {
  const small = fx.channel({ id: 'small', maxItems: 20 });
  const big = fx.channel({ id: 'big', maxItems: 1_000 });
  const channels = new Map<string, Channel>([small, big].map((c) => [c.id, c]));

  test('a valid request, or a 400 naming a parameter that is invalid; a 404 only for the channel or the format', async () => {
    const file = fc.oneof({ arbitrary: fc.tuple(fc.constantFrom('small', 'big'), fc.constantFrom('rss', 'atom', 'json')).map(([c, e]) => `${c}.${e}`), weight: 6 }, { arbitrary: fc.constantFrom('nope.rss', 'small', 'small.xml', 'small.RSS', '.rss', 'small.rss.rss', ''), weight: 1 });
    await check(
      fc.property(file, params, (name, p) => {
        const dot = name.lastIndexOf('.');
        const channel = channels.get(dot <= 0 ? name : name.slice(0, dot));
        const formatKnown = dot > 0 && ['rss', 'atom', 'json'].includes(name.slice(dot + 1));
        const bad = refused(p, channel?.maxItems ?? 0);
        const query = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
        let got;
        try {
          got = feedRequest(channels, name, query);
        } catch (err) {
          assert.ok(err instanceof HttpError, `not an HttpError: ${String(err)}`);
          if (!channel || !formatKnown) {
            assert.equal(err.status, 404, err.message);
            return;
          }
          assert.equal(err.status, 400, err.message);
          const which = named(err.message);
          assert.ok(which !== undefined && bad.has(which), `400 "${err.message}" names no invalid parameter (invalid: ${[...bad].join(', ') || 'none'})`);
          return;
        }
        assert.ok(channel && formatKnown, `${name} was accepted`);
        assert.equal(bad.size, 0, `accepted with invalid ${[...bad].join(', ')}`);
        assert.equal(got.query.limit, p.limit === undefined ? Math.min(DEFAULT_LIMIT, channel.maxItems) : Number(p.limit));
        assert.equal(got.query.page, p.page);
        assert.equal(got.query.category, p.category);
        assert.equal(got.query.part, typeof p.part === 'string' && Number(p.part) > 1 ? Number(p.part) : undefined);
      }),
      500,
    );
  });
});

// ---- conditional requests ---------------------------------------------------------------------------

// etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3): a comma and "W/" may be inside a tag.
const etagc = fc.constantFrom(...'!#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~', '\u00e9', '\u00ff');
const ows = fc.constantFrom('', ' ', '  ', '\t', ' \t ');
const sep = fc.tuple(ows, fc.constantFrom(',', ',', ', ,'), ows).map(([a, c, b]) => a + c + b);
const weak = fc.boolean().map((w) => (w ? 'W/' : ''));

/** The opaque tags of the representation: its own, and the same document in another coding. */
const coded = (opaque: string) => [opaque, `${opaque}-gzip`, `${opaque}-br`];
/** A well-formed entity-tag whose opaque-tag is none of `not`. */
const otherTag = (not: string[]) =>
  fc.tuple(weak, fc.string({ unit: etagc, maxLength: 40 })).filter(([, o]) => !not.includes(o)).map(([w, o]) => `${w}"${o}"`);
/** Other entity-tags that hold `opaque`: after a comma or before one inside the quotes, after W/ inside them. */
const nearTag = (opaque: string) =>
  fc.tuple(weak, fc.constantFrom(`${opaque},x`, `x,${opaque}`, `${opaque}, `, ` ,${opaque}`, `W/${opaque}`, `${opaque}"x`, `x"${opaque}`)).map(([w, o]) => (o.includes('"') ? `${w}"${o.replace('"', '')}"` : `${w}"${o}"`));

/** The HTTP-date forms (RFC 9110 §5.6.7) of `t` (whole seconds). */
function httpDates(t: number): string[] {
  const d = new Date(t);
  const imf = d.toUTCString();
  const [wd, day, mon, year, time] = imf.split(' ') as [string, string, string, string, string];
  const long = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getUTCDay()]!;
  return [imf, `${long}, ${day}-${mon}-${year.slice(2)} ${time} GMT`, `${wd.slice(0, 3)} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} ${year}`];
}

const LAST_MODIFIED = Date.UTC(2019, 5, 28, 8, 42, 0);
const fakeRep = (opaque: string): Representation => ({ etag: `"${opaque}"`, lastModified: new Date(LAST_MODIFIED).toUTCString() }) as Representation;
const ask = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const opaqueTag = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'), minLength: 8, maxLength: 32 });
/** An instant whose year an RFC 850 date (two-digit year) still names: within 50 years of now. */
const instant = fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2060, 0, 1) / 1000 }).map((s) => s * 1000);
const notHttpDate = fc.oneof(
  fc.constantFrom('2030', '0', '2030-01-01T00:00:00Z', 'Sun, 06 Nov 2094 08:49:37', 'sun, 06 nov 2094 08:49:37 gmt', 'Sun, 31 Feb 2094 08:49:37 GMT', 'Sun, 06 Nov 2094 25:49:37 GMT', 'tomorrow', 'Sun, 6 Nov 2094 08:49:37 GMT', '', '9'.repeat(400)),
  fc.string({ maxLength: 40 }),
);

/** isNotModified for an answer in the identity coding, whose ETag is the representation's own. */
const identityNotModified = (req: IncomingMessage, rep: Representation): boolean => isNotModified(req, rep, rep.etag);

describe('fuzz: conditional requests (isNotModified)', () => {
  test('an If-None-Match list naming the document in any coding, strong or weak, among other tags, with any whitespace: not modified', async () => {
    await check(
      fc.property(opaqueTag, fc.array(otherTag([]), { maxLength: 4 }), fc.nat(), weak, fc.constantFrom('', '-gzip', '-br'), fc.array(sep, { minLength: 5, maxLength: 5 }), ows, ows, fc.option(instant), (opaque, others, at, w, coding, seps, lead, trail, since) => {
        const list = [...others.filter((t) => !coded(opaque).includes(t.replace(/^W\//, '').slice(1, -1)))];
        list.splice(at % (list.length + 1), 0, `${w}"${opaque}${coding}"`);
        const header = lead + list.map((t, i) => (i === 0 ? t : seps[i % seps.length]! + t)).join('') + trail;
        // If-Modified-Since is ignored when If-None-Match is present, whatever it says.
        const headers: Record<string, string> = { 'if-none-match': header };
        if (since !== null) headers['if-modified-since'] = new Date(since).toUTCString();
        assert.equal(identityNotModified(ask(headers), fakeRep(opaque)), true, header);
      }),
      400,
    );
  });

  test('a list of other entity-tags (commas and W/ inside the quotes included) is modified, even when If-Modified-Since says otherwise', async () => {
    await check(
      fc.property(opaqueTag.chain((o) => fc.tuple(fc.constant(o), fc.array(fc.oneof(otherTag([]), nearTag(o)), { minLength: 1, maxLength: 5 }))), sep, ([opaque, tags], s) => {
        const others = tags.filter((t) => !coded(opaque).includes(t.replace(/^W\//, '').slice(1, -1)));
        fc.pre(others.length > 0);
        const header = others.join(s);
        assert.equal(identityNotModified(ask({ 'if-none-match': header, 'if-modified-since': new Date(LAST_MODIFIED + 60_000).toUTCString() }), fakeRep(opaque)), false, header);
      }),
      400,
    );
  });

  test('"*" with any whitespace matches; garbage never throws and matches only when it holds the tag quoted', async () => {
    await check(
      fc.property(opaqueTag, ows, ows, fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: etagc, maxLength: 60 }), fc.constantFrom('W/', '"', 'W/"', '""', ',,,', 'w/"x"', '"x" "y"', '"'.repeat(500))), (opaque, a, b, garbage) => {
        assert.equal(identityNotModified(ask({ 'if-none-match': `${a}*${b}` }), fakeRep(opaque)), true);
        const result = identityNotModified(ask({ 'if-none-match': garbage }), fakeRep(opaque));
        const mayMatch = garbage.trim() === '*' || coded(opaque).some((o) => garbage.includes(`"${o}"`));
        assert.ok(mayMatch || result === false, `matched without the tag: ${garbage}`);
      }),
      300,
    );
  });

  test('If-Modified-Since in any HTTP-date form: not modified exactly when the date is not before Last-Modified; anything else is ignored', async () => {
    await check(
      fc.property(instant, fc.nat(2), notHttpDate, (t, form, garbage) => {
        const date = httpDates(t)[form]!;
        assert.equal(parseHttpDate(date), t, date);
        assert.equal(identityNotModified(ask({ 'if-modified-since': date }), fakeRep('x')), t >= LAST_MODIFIED, date);
        assert.equal(identityNotModified(ask({ 'if-modified-since': garbage }), fakeRep('x')), false, `"${garbage}" is no HTTP-date`);
      }),
      400,
    );
  });
});

// ---- over the service ---------------------------------------------------------------------------------

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** One query parameter as a client may write it: encoded, raw, repeated, with odd keys. */
const pair = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...PARAMS), value).map(([k, v]) => `${k}=${encodeURIComponent(v)}`), weight: 6 },
  { arbitrary: fc.constantFrom('limit', 'limit=', 'limit[]=5', 'limit=5&limit=6', 'LIMIT=5', 'li%6Dit=5', 'limit=%zz', 'limit=%', 'limit=%00', 'category=%E4%B8', '=', '&', 'page=2019-06&part=2', 'key=sk_x', 'x=1'), weight: 2 },
);

describe('fuzz: over the service on 127.0.0.1', () => {
  let service: Service;
  const disposers: (() => Promise<void>)[] = [];

  before(async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-fuzz-http-');
    disposers.push(feeds.dispose, data.dispose);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, FEEDS_DIR: feeds.dir, BASE_URL: 'http://feeds.test' });
    service = await startService(config, silentLogger());
    const metals = service.channels.find((c) => c.id === 'metals')!;
    await service.scheduler.runNow(metals);
  });

  after(async () => {
    await service?.stop();
    for (const dispose of disposers) await dispose();
  });

  test('any query: 200 (404 for a month with no archive) when the README allows it, else a 400 naming an invalid parameter; never a 5xx', async () => {
    const maxItems = service.channels.find((c) => c.id === 'metals')!.maxItems;
    await check(
      fc.asyncProperty(fc.constantFrom('rss', 'atom', 'json'), fc.array(pair, { maxLength: 4 }), async (ext, pairs) => {
        const query = pairs.join('&');
        const res = await get(`${service.url}/feeds/metals.${ext}${query === '' ? '' : `?${query}`}`);
        // A request line over node's header limit (16 KiB) is refused by the HTTP parser itself, before
        // any route: no body, so nothing to sniff.
        if (res.status === 431) {
          assert.ok(query.length > 16_000 - 100 && res.body === '', `431 for a query of ${query.length} characters`);
          return;
        }
        const p = parseQuery(query) as Record<string, Value>;
        const bad = refused({ limit: p.limit, category: p.category, page: p.page, part: p.part }, maxItems);
        assert.ok(res.status < 500, `${res.status} for ?${query}: ${res.body.slice(0, 200)}`);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        if (bad.size > 0) {
          assert.equal(res.status, 400, `?${query} (invalid: ${[...bad].join(', ')}) gave ${res.status}`);
          const which = named(res.body);
          assert.ok(which !== undefined && bad.has(which), `400 "${res.body.trim()}" names no invalid parameter of ?${query}`);
        } else {
          assert.ok(res.status === 200 || (p.page !== undefined && res.status === 404), `?${query} gave ${res.status}: ${res.body.slice(0, 200)}`);
        }
      }),
      50,
    );
  });

  test('conditional GETs: the ETag in any coding or list form gives 304, other tags 200; If-Modified-Since per HTTP-date', async () => {
    await check(
      fc.asyncProperty(
        fc.constantFrom('/feeds/metals.rss', '/feeds/metals.atom?limit=3', '/feeds/metals.json', '/feeds/metals.rss?category=%E9%92%A2%E9%93%81', '/feeds/metals.json?limit=200'),
        fc.constantFrom('identity', 'gzip', 'br'),
        weak,
        fc.array(otherTag([]), { maxLength: 3 }),
        sep,
        notHttpDate,
        async (path, coding, w, others, s, garbage) => {
          const first = await get(`${service.url}${path}`, { 'accept-encoding': coding });
          assert.equal(first.status, 200);
          const etag = String(first.headers.etag);
          const opaque = etag.slice(1, -1).replace(/-(?:gzip|br)$/, '');
          const unrelated = others.filter((t) => !coded(opaque).includes(t.replace(/^W\//, '').slice(1, -1)));
          // The tag as served, weak or strong, among others, asked for in another coding.
          const matching = await get(`${service.url}${path}`, { 'if-none-match': [...unrelated, `${w}${etag}`].join(s), 'accept-encoding': coding === 'br' ? 'gzip' : 'br' });
          assert.equal(matching.status, 304, `If-None-Match: ${[...unrelated, `${w}${etag}`].join(s)}`);
          assert.equal(matching.body, '');
          if (unrelated.length > 0) {
            const other = await get(`${service.url}${path}`, { 'if-none-match': unrelated.join(s), 'if-modified-since': String(first.headers['last-modified'] ?? '') });
            assert.equal(other.status, 200, `If-None-Match: ${unrelated.join(s)}`);
          }
          // A feed with no items has no Last-Modified, and If-Modified-Since is then ignored (RFC 9110 §13.1.3).
          const lastModified = first.headers['last-modified'];
          const now = new Date().toUTCString();
          assert.equal((await get(`${service.url}${path}`, { 'if-modified-since': lastModified ?? now })).status, lastModified === undefined ? 200 : 304);
          const earlier = lastModified === undefined ? undefined : new Date(Date.parse(lastModified) - 1000).toUTCString();
          assert.equal((await get(`${service.url}${path}`, { 'if-modified-since': earlier ?? now })).status, 200, 'a copy older than the document gets it whole');
          const ignored = await get(`${service.url}${path}`, { 'if-modified-since': garbage.replace(/[^\t\x20-\x7e]/g, '') });
          assert.equal(ignored.status, 200, `If-Modified-Since: ${garbage}`);
        },
      ),
      30,
    );
  });
});
