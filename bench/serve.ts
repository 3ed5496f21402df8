// Serving benchmark (issue #5): a channel of 50 items served by the real service (compiled, in its own
// process), against a bare node:http server serving the same bytes with the same validators, in the
// same run, with wrk on 127.0.0.1. Then the cost of the render after a change, and a count of renders.
//
//   npm run bench:serve                       two rounds of 4 s per scenario
//   node --import tsx bench/serve.ts --rounds 3 --seconds 6
//
// Needs wrk (Debian: apt-get install wrk). Only loopback is used.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mkdtemp } from 'node:fs/promises';
import { OutputCache } from '../src/http/output-cache.js';
import type { Channel, Item, License } from '../src/model.js';
import { LowdbStore } from '../src/store/files/file-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, seconds: { type: 'string', default: '4' } } });
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const PARAGRAPH = '河钢集团推进产能置换与超低排放改造，氢冶金示范项目进入调试阶段，海外市场订单同比增长。';

/** An upstream RSS document of 50 items of about 2 KB each, like the measured baseline's 96 KB feed. */
function upstreamFeed(): string {
  const items = Array.from({ length: 50 }, (_, n) => {
    const date = new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toUTCString();
    return `<item><title>基准新闻 ${n}</title><link>http://bench.example.cn/${n}.html</link><guid isPermaLink="false">bench-${n}</guid><pubDate>${date}</pubDate><dc:creator>李明</dc:creator><description>${PARAGRAPH}</description><content:encoded><![CDATA[${`<p>${PARAGRAPH.repeat(4)}</p>`.repeat(4)}]]></content:encoded></item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>基准</title><link>http://bench.example.cn/</link><description>bench</description>
${items.join('\n')}
</channel></rss>`;
}

const LICENSE: License = {
  id: 'bench-license',
  title: '基准许可',
  holder: '基准网',
  statement: '转载须注明出处及作者。',
  reprint: { permission: 'attribution', attributionTemplate: '来源:{source} 作者:{authors}' },
  publicContent: 'full',
};

function channel(): Channel {
  return {
    id: 'bench',
    title: '基准频道',
    description: '50 items',
    language: 'zh-CN',
    link: 'http://bench.example.cn/',
    timezone: 'Asia/Shanghai',
    schedule: '0 0 1 1 *',
    license: LICENSE.id,
    licenseRules: [],
    maxItems: 500,
    sources: [{ id: 'bench-rss', type: 'feed', url: 'samples/bench.rss.xml' }],
  };
}

async function waitFor(url: string, ok: (body: string) => boolean): Promise<string> {
  for (let i = 0; i < 300; i += 1) {
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.ok && ok(body)) return body;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bench: ${url} never became ready`);
}

function wrk(url: string, headers: string[] = []): number {
  const out = execFileSync('wrk', ['-t1', '-c32', `-d${SECONDS}s`, ...headers.flatMap((h) => ['-H', h]), url], { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1];
  if (!rps) throw new Error(`bench: no Requests/sec in wrk output:\n${out}`);
  if (non2xx) throw new Error(`bench: ${non2xx} error responses from ${url}`);
  return Number(rps);
}

/** A bare node:http server answering every request with the given bytes and validators (304 on a match). */
function bareServerSource(): string {
  return `
    const http = require('node:http');
    const body = require('node:fs').readFileSync(process.env.BODY_FILE);
    const etag = process.env.ETAG;
    const headers = { 'Content-Type': 'application/rss+xml; charset=utf-8', 'Content-Length': String(body.length), ETag: etag, 'Cache-Control': 'public, max-age=300', Vary: 'Accept-Encoding, Accept' };
    http.createServer((req, res) => {
      if (req.headers['if-none-match'] === etag) { res.writeHead(304, { ETag: etag, 'Cache-Control': 'public, max-age=300', Vary: 'Accept-Encoding, Accept' }).end(); return; }
      res.writeHead(200, headers).end(body);
    }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;
}

async function portOf(child: ChildProcess): Promise<number> {
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return Number(chunk.toString().trim());
}

async function renderAfterChange(): Promise<{ medianMs: Record<string, number>; changes: number; renders: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-render-'));
  const store = await LowdbStore.open(dir, ['bench']);
  const ch = channel();
  const base: Item[] = Array.from({ length: 50 }, (_, n) => ({
    id: `bench-${String(n).padStart(4, '0')}`,
    guid: `urn:uuid:00000000-0000-5000-8000-${String(n).padStart(12, '0')}`,
    channelIds: ['bench'],
    sourceId: 'bench-rss',
    title: `基准新闻 ${n}`,
    link: `http://bench.example.cn/${n}.html`,
    summary: PARAGRAPH,
    contentHtml: `<p>${PARAGRAPH.repeat(4)}</p>`.repeat(4),
    publishedAt: new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toISOString(),
    categories: ['企业'],
    attribution: { authors: ['李明'], source: { name: '基准网', url: 'http://bench.example.cn/', original: true } },
    licenseId: LICENSE.id,
    contentHash: `h${n}`,
    ingestedAt: '2026-10-01T00:00:00.000Z',
  }));
  await store.apply('bench', { items: base, sourceStates: [], maxItems: 500, now: new Date() });
  const cache = new OutputCache({ store, licenses: new Map([[LICENSE.id, LICENSE]]), baseUrl: 'http://127.0.0.1:8080', now: () => new Date() });
  const times: Record<string, number[]> = { rss: [], atom: [], json: [] };
  const changes = 100;
  const rendersBefore = cache.renders;
  for (let i = 0; i < changes; i += 1) {
    const changed = { ...base[i % 50]!, title: `更正 ${i}`, contentHash: `edit-${i}` };
    await store.apply('bench', { items: [changed], sourceStates: [], maxItems: 500, now: new Date() });
    for (const format of ['rss', 'atom', 'json'] as const) {
      const started = performance.now();
      cache.get(ch, format, { limit: 50 });
      times[format]!.push(performance.now() - started);
      // Polls after the change cost no render.
      for (let poll = 0; poll < 10; poll += 1) cache.get(ch, format, { limit: 50 });
    }
  }
  await store.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    medianMs: Object.fromEntries(Object.entries(times).map(([f, xs]) => [f, Math.round(median(xs) * 10) / 10])),
    changes,
    renders: cache.renders - rendersBefore,
  };
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['-v']).error) throw new Error('bench: wrk is not installed (Debian: apt-get install wrk)');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });

  const feeds = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-feeds-'));
  const data = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-data-'));
  await mkdir(path.join(feeds, 'samples'));
  await mkdir(path.join(feeds, 'licenses'));
  await writeFile(path.join(feeds, 'samples', 'bench.rss.xml'), upstreamFeed());
  await writeFile(path.join(feeds, 'licenses', `${LICENSE.id}.json`), JSON.stringify(LICENSE));
  await writeFile(path.join(feeds, 'bench.json'), JSON.stringify(channel()));

  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as AddressInfo).port;
  probe.close();
  const origin = `http://127.0.0.1:${port}`;
  const service = spawn(process.execPath, [path.join(ROOT, 'bin/syndicator.js'), 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BASE_URL: origin, FEEDS_DIR: feeds, DATA_DIR: data, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const feedUrl = `${origin}/feeds/bench.rss`;
  const body = await waitFor(feedUrl, (b) => (b.match(/<item>/g) ?? []).length === 50);
  const etag = (await fetch(feedUrl)).headers.get('etag')!;

  // The body goes through a file: one environment string is limited to 128 KiB (E2BIG).
  const bodyFile = path.join(feeds, 'bare-body.xml');
  await writeFile(bodyFile, body);
  const bare = spawn(process.execPath, ['-e', bareServerSource()], {
    env: { ...process.env, BODY_FILE: bodyFile, ETAG: etag },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bareUrl = `http://127.0.0.1:${await portOf(bare)}/feeds/bench.rss`;

  const rows: { round: number; scenario: string; bare: number; ours: number }[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [scenario, headers] of [['hot 200', []], ['304', [`If-None-Match: ${etag}`]]] as const) {
        const b = wrk(bareUrl, [...headers]);
        const o = wrk(feedUrl, [...headers]);
        rows.push({ round, scenario, bare: b, ours: o });
      }
      // The bare 200 figure is the goals' yardstick for the 304 too.
    }
  } finally {
    service.kill('SIGTERM');
    bare?.kill('SIGTERM');
  }

  const render = await renderAfterChange();
  const lines = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`,
    `document: /feeds/bench.rss, ${Buffer.byteLength(body)} bytes, 50 items; wrk -t1 -c32 -d${SECONDS}s on 127.0.0.1`,
    '',
    '| round | scenario | bare node:http req/s | Syndicator req/s | ratio |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.round} | ${r.scenario} | ${Math.round(r.bare)} | ${Math.round(r.ours)} | ${(r.ours / r.bare).toFixed(2)} |`),
  ];
  const bare200 = rows.filter((r) => r.scenario === 'hot 200');
  const ours304 = rows.filter((r) => r.scenario === '304');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  lines.push(
    '',
    `hot 200: ${(mean(bare200.map((r) => r.ours / r.bare))).toFixed(2)} × bare (goal ≥ 0.6)`,
    `304: ${(mean(ours304.map((r, i) => r.ours / bare200[i]!.bare))).toFixed(2)} × bare 200, ${(mean(ours304.map((r) => r.ours / r.bare))).toFixed(2)} × bare 304 (goal ≥ 0.7)`,
    `render after a change (50 items, median of ${render.changes}): rss ${render.medianMs.rss} ms, atom ${render.medianMs.atom} ms, json ${render.medianMs.json} ms`,
    `renders: ${render.renders} for ${render.changes} changes × 3 formats, with 10 polls per format after each change (goal: one per representation per change = ${render.changes * 3})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
