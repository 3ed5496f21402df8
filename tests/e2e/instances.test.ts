// Several instances on one PostgreSQL: two real service processes (`syndicator serve`, each with its own
// empty DATA_DIR) on one database, behind a real nginx that spreads requests round-robin, ingesting an
// upstream fixture server that counts its fetches. Shown: each scheduled run fetches once; a new
// upstream item is served by both instances after one run; each answers 304 to the other's ETag; a
// revoked partner key fails on both, and both record deliveries in the one ledger table and reprint
// reports in the one reprint_reports table; the instance holding the ingest lease is SIGKILLed
// mid-fetch, the other runs the next one and nothing is lost.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openPgPartners } from '../../src/partners/pg-registry.js';
import { Database } from '../../src/store/postgres/database.js';
import { postgresAvailable, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { runSyndicator } from '../helpers/spawn.js';
import { copyLicense, FEEDS_DIR, ROOT, tempDir } from '../helpers/temp.js';

const NGINX = '/usr/sbin/nginx';
/** Every 4 seconds (node-cron's six-field form). */
const SCHEDULE = '*/4 * * * * *';
const TICK_MS = 4000;
const LEASE_MS = 2000;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The upstream: an RSS feed whose items the test changes, counting fetches; it can be made slow. */
class Upstream {
  readonly fetches: number[] = [];
  items = [{ guid: 'u-1', title: '第一条新闻' }];
  delayMs = 0;
  server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/feed.xml') {
        res.writeHead(404).end();
        return;
      }
      this.fetches.push(Date.now());
      const body = this.rss();
      const send = () => res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
      if (this.delayMs > 0) setTimeout(send, this.delayMs);
      else send();
    });
    this.server.listen(0, '127.0.0.1');
    await new Promise((r) => this.server.once('listening', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/feed.xml`;
  }

  rss(): string {
    return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>多实例</title><link>http://multi.example.cn/</link><description>d</description>
${this.items.map((i, n) => `<item><title>${i.title}</title><link>http://multi.example.cn/${i.guid}.html</link><guid isPermaLink="false">${i.guid}</guid><pubDate>Fri, ${String(n + 1).padStart(2, '0')} Nov 2026 10:00:00 +0800</pubDate><description>${i.title}。</description></item>`).join('\n')}
</channel></rss>`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  log: string;
}

const skip = !existsSync(NGINX) ? `${NGINX} is not installed (Debian package nginx)` : !postgresAvailable() ? 'no PostgreSQL (Debian postgresql-15, or DATABASE_URL)' : false;

describe('two instances on one PostgreSQL behind nginx', { skip }, () => {
  let pgServer: PostgresServer;
  let databaseUrl: string;
  const upstream = new Upstream();
  const instances: Instance[] = [];
  let nginx: ChildProcess;
  let proxy: string;
  /** nginx running deploy/compose-nginx.conf (the caching proxy of the compose file) in front of both. */
  let composeNginx: ChildProcess;
  let composeProxy: string;
  let feedsDir: string;
  const cleanups: (() => Promise<void>)[] = [];

  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      return (await c.query<R>(text, values)).rows;
    } finally {
      await c.end();
    }
  };

  const cli = (args: string[]) => runSyndicator(args, { DATABASE_URL: databaseUrl, FEEDS_DIR: feedsDir, DATA_DIR: path.join(feedsDir, 'unused-data') });

  before(async () => {
    pgServer = await startPostgres();
    databaseUrl = await pgServer.database();
    await upstream.start();
    const feeds = await tempDir('syndicator-multi-feeds-');
    const nginxDir = await tempDir('syndicator-multi-nginx-');
    cleanups.push(feeds.dispose, nginxDir.dispose);
    feedsDir = feeds.dir;
    await copyLicense(feeds.dir);
    await writeFile(
      path.join(feeds.dir, 'news.json'),
      JSON.stringify({
        id: 'news',
        title: '多实例频道',
        description: 'two instances',
        language: 'zh-CN',
        link: 'http://multi.example.cn/',
        schedule: SCHEDULE,
        license: 'csteelnews-own',
        sources: [{ id: 'upstream', type: 'feed', url: upstream.url }],
      }),
    );

    const nginxPort = await freePort();
    proxy = `http://127.0.0.1:${nginxPort}`;
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const data = await tempDir(`syndicator-multi-data-${i}-`);
      cleanups.push(data.dispose);
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/cli.ts'), 'serve'], {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          // Both render the same self links, as instances behind one load balancer must.
          BASE_URL: proxy,
          FEEDS_DIR: feeds.dir,
          DATA_DIR: data.dir,
          DATABASE_URL: databaseUrl,
          INGEST_LEASE_MS: String(LEASE_MS),
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const instance: Instance = { name: `instance-${i}`, url: `http://127.0.0.1:${port}`, child, log: '' };
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (instance.log += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (instance.log += d));
      instances.push(instance);
    }
    for (const instance of instances) {
      await until(`${instance.name} to listen`, async () => ((await get(`${instance.url}/healthz`)).status === 200 ? true : undefined), 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${instance.log}`);
      });
    }

    const prefix = nginxDir.dir;
    for (const dir of ['client_temp', 'proxy_temp', 'fastcgi_temp', 'uwsgi_temp', 'scgi_temp']) await mkdir(path.join(prefix, dir));
    await writeFile(
      path.join(prefix, 'nginx.conf'),
      [
        'daemon off;',
        process.getuid?.() === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${path.join(prefix, 'nginx.pid')};`,
        `error_log ${path.join(prefix, 'error.log')} warn;`,
        'events { worker_connections 256; }',
        'http {',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${path.join(prefix, `${k === 'client_body' ? 'client' : k}_temp`)};`),
        `access_log ${path.join(prefix, 'access.log')};`,
        // Round-robin over the two instances (nginx's default); which one answered is in a header.
        'upstream syndicator { ' + instances.map((i) => `server ${new URL(i.url).host} max_fails=1 fail_timeout=2s;`).join(' ') + ' }',
        `server { listen 127.0.0.1:${nginxPort}; add_header X-Upstream $upstream_addr always; location / { proxy_pass http://syndicator; proxy_next_upstream error timeout; } }`,
        '}',
      ].join('\n'),
    );
    nginx = spawn(NGINX, ['-c', path.join(prefix, 'nginx.conf'), '-p', prefix, '-e', path.join(prefix, 'error.log')], { stdio: 'ignore' });
    await until('nginx to listen', async () => ((await get(`${proxy}/healthz`)).status === 200 ? true : undefined), 10_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await readFile(path.join(prefix, 'error.log'), 'utf8').catch(() => '')}`);
    });
    // The nginx configuration shipped for deploy/compose.yaml, as it is, with only the addresses of
    // this machine put in: the instances' ports for the compose service names, a temp dir for paths.
    const composeDir = await tempDir('syndicator-compose-nginx-');
    cleanups.push(composeDir.dispose);
    const composePort = await freePort();
    composeProxy = `http://127.0.0.1:${composePort}`;
    const shipped = await readFile(path.join(ROOT, 'deploy/compose-nginx.conf'), 'utf8');
    const local = shipped
      .replace('syndicator-1:8080', new URL(instances[0]!.url).host)
      .replace('syndicator-2:8080', new URL(instances[1]!.url).host)
      .replace('/var/cache/nginx/syndicator', path.join(composeDir.dir, 'cache'))
      .replace('/var/log/nginx/access.log', path.join(composeDir.dir, 'access.log'))
      .replace('listen 80;', `listen 127.0.0.1:${composePort};`);
    assert.equal((local.match(/127\.0\.0\.1:\d+/g) ?? []).length, 3, 'both upstream servers and the listen address were put in');
    for (const dir of ['client_temp', 'proxy_temp', 'fastcgi_temp', 'uwsgi_temp', 'scgi_temp']) await mkdir(path.join(composeDir.dir, dir));
    await writeFile(path.join(composeDir.dir, 'default.conf'), local);
    await writeFile(
      path.join(composeDir.dir, 'nginx.conf'),
      [
        'daemon off;',
        process.getuid?.() === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${path.join(composeDir.dir, 'nginx.pid')};`,
        'events { worker_connections 256; }',
        'http {',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${path.join(composeDir.dir, `${k === 'client_body' ? 'client' : k}_temp`)};`),
        // As the nginx image includes conf.d/default.conf inside http { }.
        `include ${path.join(composeDir.dir, 'default.conf')};`,
        '}',
      ].join('\n'),
    );
    composeNginx = spawn(NGINX, ['-c', path.join(composeDir.dir, 'nginx.conf'), '-p', composeDir.dir, '-e', path.join(composeDir.dir, 'error.log')], { stdio: 'ignore' });
    await until('the compose nginx to listen', async () => ((await get(`${composeProxy}/healthz`)).status === 200 ? true : undefined), 10_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await readFile(path.join(composeDir.dir, 'error.log'), 'utf8').catch(() => '')}`);
    });
    // The start-up run: one of the two instances ingests, the other sees it through the database.
    for (const instance of instances) {
      await until(`${instance.name} to serve the first item`, async () => ((await get(`${instance.url}/feeds/news.rss`)).body.includes('第一条新闻') ? true : undefined), 15_000);
    }
  });

  after(async () => {
    for (const proxyProcess of [nginx, composeNginx]) {
      if (proxyProcess && proxyProcess.exitCode === null) {
        proxyProcess.kill('SIGQUIT');
        await new Promise((r) => proxyProcess.once('exit', r));
      }
    }
    for (const i of instances) {
      if (i.child.exitCode === null && i.child.signalCode === null) {
        i.child.kill('SIGTERM');
        await new Promise((r) => i.child.once('exit', r));
      }
    }
    await upstream.close();
    await pgServer?.dispose();
    for (const c of cleanups) await c();
  });

  test('nginx spreads requests over both instances', async () => {
    const answered = new Set<string>();
    for (let n = 0; n < 6; n += 1) answered.add(String((await get(`${proxy}/feeds/news.rss`)).headers['x-upstream']));
    assert.deepEqual([...answered].sort(), instances.map((i) => new URL(i.url).host).sort());
  });

  test('each scheduled run fetches the upstream once, not once per instance', async () => {
    const from = Date.now();
    await sleep(3 * TICK_MS + 500);
    const fetches = upstream.fetches.filter((t) => t >= from);
    const perTick = new Map<number, number>();
    for (const t of fetches) perTick.set(Math.floor(t / TICK_MS), (perTick.get(Math.floor(t / TICK_MS)) ?? 0) + 1);
    assert.ok(fetches.length >= 2, `the schedule ran (${fetches.length} fetches in ${Date.now() - from} ms)`);
    assert.ok(
      [...perTick.values()].every((n) => n === 1),
      `one fetch per tick, got ${JSON.stringify([...perTick.entries()])}`,
    );
  });

  test('a new upstream item is served by both instances after one run, with the same ETag; each answers 304 to the other', async () => {
    const before = upstream.fetches.length;
    upstream.items = [...upstream.items, { guid: 'u-2', title: '第二条新闻' }];
    await until('the next run', async () => (upstream.fetches.length > before ? true : undefined), 2 * TICK_MS);
    const runs = upstream.fetches.length - before;
    const bodies = await until(
      'both instances to serve the new item',
      async () => {
        const replies = await Promise.all(instances.map((i) => get(`${i.url}/feeds/news.rss`)));
        return replies.every((r) => r.body.includes('第二条新闻')) ? replies : undefined;
      },
      3000,
    );
    assert.equal(runs, 1, 'one run brought it to both');
    const [a, b] = bodies as [Reply, Reply];
    assert.equal(a.headers.etag, b.headers.etag, 'the same document has the same ETag on both');
    assert.equal(a.body, b.body);
    for (const [from, to] of [
      [a, instances[1]!],
      [b, instances[0]!],
    ] as const) {
      const r = await get(`${to.url}/feeds/news.rss`, { 'if-none-match': String(from.headers.etag) });
      assert.equal(r.status, 304, `${to.name} answers 304 to the other's ETag`);
    }
  });

  test('a partner key works on both instances until revoked, then fails on both; deliveries from both land in one ledger', async () => {
    // Added and granted through the database's registry, as `syndicator partner add|grant` do (revoked below with the CLI itself).
    const db = await Database.open(databaseUrl, { max: 2 });
    const registry = await openPgPartners(db);
    const { key } = await registry.add('合作媒体', new Date(), 'partner-one');
    await registry.grant('partner-one', { channelId: 'news', content: 'full' }, new Date());
    await db.close();
    for (const i of instances) {
      const r = await get(`${i.url}/partner/feeds/news.rss`, { authorization: `Bearer ${key}` });
      assert.equal(r.status, 200, `${i.name}: ${r.body}`);
    }
    const rows = await sql<{ partner_id: string; channel_id: string }>('SELECT partner_id, channel_id FROM ledger ORDER BY id');
    assert.deepEqual(rows, [
      { partner_id: 'partner-one', channel_id: 'news' },
      { partner_id: 'partner-one', channel_id: 'news' },
    ]);
    await assert.rejects(sql('DELETE FROM ledger'), /insert-only/, 'the ledger refuses deletion');
    const listed = await cli(['ledger', '--format', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 2, 'syndicator ledger reads the table');

    // A reprint reported to one instance is in the one reprint_reports table: the other lists it, settled
    // from the ledger both wrote; the checker of the instance that took it records its check there (a
    // page on 127.0.0.1 is refused, never requested).
    const [a, b] = instances as [Instance, Instance];
    const [live] = await sql<{ id: string }>(`SELECT id FROM items WHERE channel_id = 'news' AND archived_month IS NULL LIMIT 1`);
    assert.ok(live);
    const posted = await fetch(`${a.url}/partner/reprints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ item: live.id, reprintUrl: 'http://127.0.0.1:9/news/1.html' }),
    });
    assert.equal(posted.status, 201, await posted.clone().text());
    const { id } = (await posted.json()) as { id: string };
    const seen = JSON.parse((await get(`${b.url}/partner/reprints`, { authorization: `Bearer ${key}` })).body) as { reports: { id: string; standing: string }[] };
    assert.deepEqual(seen.reports.map((r) => [r.id, r.standing]), [[id, 'delivered']]);
    const checked = await until(
      'the reprint check is recorded',
      async () => (await sql<{ doc: { checks: { outcome: string; error?: string }[] } }>('SELECT doc FROM reprint_reports WHERE id = $1', [id]))[0]?.doc.checks[0],
      20_000,
    );
    assert.equal(checked.outcome, 'unreachable');
    assert.equal(checked.error, 'refused: 127.0.0.1 is a loopback, private or link-local address');

    const revoked = await cli(['partner', 'revoke', 'partner-one']);
    assert.equal(revoked.code, 0, revoked.stderr);
    for (const i of instances) {
      const r = await get(`${i.url}/partner/feeds/news.rss`, { authorization: `Bearer ${key}` });
      assert.equal(r.status, 403, `${i.name} refuses the revoked key`);
    }
  });

  test("deploy/compose-nginx.conf in front of both: feeds cached and revalidated, /metrics kept to loopback", async () => {
    const first = await get(`${composeProxy}/feeds/news.atom`);
    assert.equal(first.status, 200);
    assert.match(first.body, /第一条新闻/);
    assert.equal(first.headers['x-cache-status'], 'MISS');
    const second = await get(`${composeProxy}/feeds/news.atom`);
    assert.equal(second.headers['x-cache-status'], 'HIT', 'a fresh copy is answered from the cache');
    assert.equal(second.body, first.body);
    // A reader's conditional request is answered by nginx with the instances' validator.
    const conditional = await get(`${composeProxy}/feeds/news.atom`, { 'if-none-match': String(first.headers.etag) });
    assert.equal(conditional.status, 304);
    assert.equal((await get(`${composeProxy}/metrics`)).status, 200, 'scraped from 127.0.0.1');
  });

  test('the lease holder killed mid-ingest: the other instance runs the next one, and nothing committed is lost', async () => {
    const committed = (await sql<{ id: string }>(`SELECT id FROM items WHERE channel_id = 'news'`)).map((r) => r.id).sort();
    assert.equal(committed.length, 2);
    // The next fetch hangs long enough to kill its instance in the middle of it.
    upstream.delayMs = 60_000;
    upstream.items = [...upstream.items, { guid: 'u-3', title: '第三条新闻' }];
    const before = upstream.fetches.length;
    await until('a run to start', async () => (upstream.fetches.length > before ? true : undefined), 2 * TICK_MS);
    const [lease] = await sql<{ holder: string }>(`SELECT holder FROM ingest_leases WHERE channel_id = 'news'`);
    const pid = Number(lease!.holder.split(':')[1]);
    const holder = instances.find((i) => i.child.pid === pid);
    assert.ok(holder, `the lease names one of the instances (${lease!.holder})`);
    const survivor = instances.find((i) => i !== holder)!;
    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.once('exit', r));
    upstream.delayMs = 0;

    const killedAt = Date.now();
    await until('the other instance to serve the item of the next run', async () => ((await get(`${survivor.url}/feeds/news.rss`)).body.includes('第三条新闻') ? true : undefined), LEASE_MS + 3 * TICK_MS);
    assert.ok(upstream.fetches.some((t) => t > killedAt), 'the next run fetched again');
    const after = (await sql<{ id: string }>(`SELECT id FROM items WHERE channel_id = 'news'`)).map((r) => r.id).sort();
    assert.equal(after.length, 3);
    for (const id of committed) assert.ok(after.includes(id), 'every committed item is still there');
    // nginx keeps answering through the survivor; so does the compose configuration (proxy_next_upstream).
    for (let n = 0; n < 3; n += 1) assert.equal((await get(`${proxy}/feeds/news.rss`)).status, 200);
    for (let n = 0; n < 4; n += 1) assert.equal((await get(`${composeProxy}/partner/feeds/news.rss`)).status, 401, 'an uncached route reaches the survivor');
  });
});
