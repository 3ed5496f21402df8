// Operations: what a Prometheus scrape of /metrics shows after real traffic, and how a broken channel
// file is reported — an error line per problem at startup, and `problems` in /status — while the other
// channels are served.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/env.js';
import { startService } from '../../src/main.js';
import type { Service } from '../../src/main.js';
import { PartnerStore } from '../../src/partners/registry.js';
import { copyOfFeeds, tempDir } from '../helpers/temp.js';

/** A pino logger whose JSON lines are kept in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

/** The value of one series in the text exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('metrics and startup problems', () => {
  let service: Service;
  let lines: Record<string, unknown>[];
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-metrics-data-');
    cleanups.push(feeds.dispose, data.dispose);
    // A channel file with two problems: a bad schedule type and a source without a url.
    await writeFile(path.join(feeds.dir, 'broken.json'), JSON.stringify({ id: 'broken', title: 'x', schedule: 5, license: 'csteelnews-own', sources: [{ id: 's', type: 'feed' }] }));
    const captured = capturingLogger();
    lines = captured.lines;
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', FEEDS_DIR: feeds.dir, DATA_DIR: data.dir });
    service = await startService(config, captured.log);
    for (const channel of service.channels) await service.scheduler.runNow(channel);
    const partners = await PartnerStore.open(data.dir);
    const { key } = await partners.add('Hebei Daily', new Date(), 'hebei-daily');
    await partners.grant('hebei-daily', { channelId: 'enterprise', content: 'full' }, new Date());
    partnerKey = key;
  });
  let partnerKey = '';

  after(async () => {
    await service.stop();
    for (const c of cleanups) await c();
  });

  test('a broken channel file: one error line per problem, the others served, /status lists the problems', async () => {
    const errors = lines.filter((l) => l.level === 50 && String(l.msg).includes('broken.json'));
    assert.ok(errors.length >= 2, `an error line per problem:\n${JSON.stringify(lines, null, 1)}`);
    assert.ok(errors.some((l) => String(l.msg).includes('schedule')));
    assert.deepEqual(service.channels.map((c) => c.id).sort(), ['enterprise', 'metals']);
    const status = (await (await fetch(`${service.url}/status`)).json()) as { channels: { id: string }[]; problems: string[] };
    assert.deepEqual(status.channels.map((c) => c.id).sort(), ['enterprise', 'metals']);
    assert.equal(status.problems.length, errors.length);
    assert.ok(status.problems.every((p) => p.includes('broken.json')));
  });

  test('one ingest summary line per source: new, updated, unchanged, failed, durationMs', () => {
    const summaries = lines.filter((l) => l.msg === 'ingest: source done' || l.msg === 'ingest: source failed');
    assert.ok(summaries.length >= 5, 'every source of both channels');
    for (const l of summaries) {
      for (const field of ['channel', 'source', 'new', 'updated', 'unchanged', 'failed', 'durationMs']) assert.ok(field in l, `${field} in ${JSON.stringify(l)}`);
    }
  });

  test('/metrics: ingest runs, items, HTTP by route template (fast path included), output cache, partner deliveries', async () => {
    for (let i = 0; i < 3; i += 1) assert.equal((await fetch(`${service.url}/feeds/enterprise.rss`)).status, 200);
    const etag = (await fetch(`${service.url}/feeds/enterprise.atom?limit=5`)).headers.get('etag')!;
    assert.equal((await fetch(`${service.url}/feeds/enterprise.atom?limit=5`, { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await fetch(`${service.url}/feeds/enterprise.json?category=nothing`)).status, 200); // through Express
    assert.equal((await fetch(`${service.url}/feeds/nope.rss`)).status, 404);
    assert.equal((await fetch(`${service.url}/no/such/page/${'x'.repeat(20)}`)).status, 404);
    assert.equal((await fetch(`${service.url}/partner/feeds/enterprise.json?key=${partnerKey}`)).status, 200);

    const res = await fetch(`${service.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();

    // The run at startup, and the one before() asked for when that had already finished.
    assert.ok(sample(text, 'syndicator_ingest_runs_total', { channel: 'enterprise', source: 'steel-rss', outcome: 'ok' })! >= 1);
    assert.ok(sample(text, 'syndicator_ingest_runs_total', { channel: 'metals', source: 'metal-atom', outcome: 'ok' })! >= 1);
    assert.ok(sample(text, 'syndicator_ingest_duration_seconds_count', { channel: 'enterprise', source: 'steel-rss' })! >= 1);
    assert.equal(sample(text, 'syndicator_items', { channel: 'enterprise' }), service.store.items('enterprise').length);
    assert.ok(sample(text, 'syndicator_items', { channel: 'metals' })! > 0);

    // Fast path and Express route share the template; the raw URL (query, unknown ids) never becomes a label.
    assert.equal(sample(text, 'syndicator_http_requests_total', { route: '/feeds/:file', status: '200' }), 5);
    assert.equal(sample(text, 'syndicator_http_requests_total', { route: '/feeds/:file', status: '304' }), 1);
    assert.equal(sample(text, 'syndicator_http_requests_total', { route: '/feeds/:file', status: '404' }), 1);
    assert.equal(sample(text, 'syndicator_http_requests_total', { route: 'unmatched', status: '404' }), 1);
    assert.equal(sample(text, 'syndicator_http_requests_total', { route: '/partner/feeds/:file', status: '200' }), 1);
    assert.equal(sample(text, 'syndicator_http_request_duration_seconds_count', { route: '/feeds/:file' }), 7);
    assert.equal(sample(text, 'syndicator_http_request_duration_seconds_bucket', { route: '/feeds/:file', le: '+Inf' }), 7);
    assert.doesNotMatch(text, /route="[^"]*(nope|xxxx|\?)/);
    assert.doesNotMatch(text, /sk_/);

    assert.ok(sample(text, 'syndicator_output_cache_hits_total')! >= 3);
    assert.ok(sample(text, 'syndicator_output_cache_renders_total')! >= 1);
    assert.equal(sample(text, 'syndicator_partner_deliveries_total', { partner: 'hebei-daily', channel: 'enterprise' }), 1);
    assert.ok(sample(text, 'process_cpu_user_seconds_total') !== undefined, 'default process metrics');
    assert.ok(sample(text, 'nodejs_heap_size_used_bytes') !== undefined);
  });
});
