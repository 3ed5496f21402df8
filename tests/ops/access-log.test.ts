// The access log is written through a buffer (src/log.ts), not a write per request: on SIGTERM the
// service must still have written every line. The service runs as its own process on loopback with
// the default log level; its stderr goes to a file, read after it exited.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { FEEDS_DIR, ROOT, tempDir } from '../helpers/temp.js';

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

/** `syndicator serve` in a process of its own at the default log level, its stderr going to `logFile`; resolves once /healthz answers. */
async function serveLogging(t: TestContext): Promise<{ origin: string; logFile: string; child: ChildProcess; exited: Promise<unknown[]> }> {
  const data = await tempDir();
  t.after(data.dispose);
  const logFile = path.join(data.dir, 'service.log');
  const fd = openSync(logFile, 'w');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BASE_URL: origin, FEEDS_DIR, DATA_DIR: data.dir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', fd],
  });
  closeSync(fd);
  const exited = once(child, 'exit');
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  // A readiness wait (up to two minutes on a loaded machine), not a timing assertion.
  let up = false;
  for (let i = 0; i < 1200 && !up; i += 1) {
    up = await fetch(`${origin}/healthz`).then((r) => r.ok, () => false);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(up, 'the service never answered /healthz');
  return { origin, logFile, child, exited };
}

test('SIGTERM after N requests: the log holds N access lines (fast path and Express), then "stopped"', async (t) => {
  const { origin, logFile, child, exited } = await serveLogging(t);

  // 300 polls of the fast path (plain and ?limit) and 20 requests Express answers (/status).
  const fast = 300;
  const express = 20;
  for (let i = 0; i < fast; i += 10) {
    const batch = Array.from({ length: 10 }, (_, j) => fetch(`${origin}/feeds/enterprise.${['rss', 'atom', 'json'][(i + j) % 3]}${j % 2 ? '?limit=5' : ''}`).then((r) => r.arrayBuffer().then(() => r.status)));
    for (const status of await Promise.all(batch)) assert.equal(status, 200);
  }
  for (let i = 0; i < express; i += 1) assert.equal((await fetch(`${origin}/status`)).status, 200);

  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);

  const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; url?: string; status?: number });
  const access = lines.filter((l) => l.msg === 'http: request');
  assert.equal(access.filter((l) => l.url?.startsWith('/feeds/enterprise.') && l.status === 200).length, fast);
  assert.equal(access.filter((l) => l.url === '/status').length, express);
  assert.equal(access.filter((l) => l.url === '/healthz').length >= 1, true);
  assert.equal(lines.at(-1)?.msg, 'stopped');
});

test('8,000 polls the serving thread answers: every access line arrives whole, none lost, none garbled', async (t) => {
  const { origin, logFile, child, exited } = await serveLogging(t);
  // 16 connections, each polling its own ?limit= URL 500 times: the log buffers the serving thread fills
  // go to the main thread, are written and come back to be filled again, many times over.
  const perUrl = 500;
  const limits = Array.from({ length: 16 }, (_, i) => i + 1);
  const started = Date.now();
  await Promise.all(
    limits.map(async (limit) => {
      for (let i = 0; i < perUrl; i += 1) {
        const res = await fetch(`${origin}/feeds/enterprise.json?limit=${limit}`, { headers: { 'User-Agent': 'newsboat/2.30' } });
        await res.arrayBuffer();
        assert.equal(res.status, 200);
      }
    }),
  );
  const ended = Date.now();
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);

  const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; url?: string; time: number });
  const access = lines.filter((l) => l.msg === 'http: request' && l.url?.startsWith('/feeds/enterprise.json?limit='));
  for (const limit of limits) assert.equal(access.filter((l) => l.url === `/feeds/enterprise.json?limit=${limit}`).length, perUrl, `lines of ?limit=${limit}`);
  // Each line's time is when its poll was answered (the serving thread writes it from its own clock, in
  // ms, at most 1 ms early), over the polls' seconds.
  const outside = access.filter((l) => !(l.time >= started - 1 && l.time <= ended));
  assert.deepEqual(outside, [], `every access line's time within ${started}–${ended}`);
  assert.ok(new Set(access.map((l) => l.time)).size > 50, 'times from many milliseconds');
  assert.equal(lines.at(-1)?.msg, 'stopped');
});

test('the fast path access line is the JSON pino writes for the same fields, key for key and in order', async () => {
  const { Writable } = await import('node:stream');
  const { pino } = await import('pino');
  const { accessLine } = await import('../../src/log.js');
  const written: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (written.push(chunk.toString()), done()) });
  const log = pino({ level: 'info', base: { service: 'syndicator' } }, sink);
  log.info({ method: 'GET', url: '/feeds/enterprise.rss?limit=5', status: 304, durationMs: 0.2 }, 'http: request');
  const write = accessLine(log);
  assert.ok(write, 'info is enabled, so there is a writer');
  write('GET', '/feeds/enterprise.rss?limit=5', 304, 0.2);
  await new Promise((r) => setImmediate(r));
  assert.equal(written.length, 2);
  const [byPino, byFastPath] = written.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(byFastPath!), Object.keys(byPino!));
  assert.deepEqual({ ...byFastPath, time: 0 }, { ...byPino, time: 0 });
  assert.ok(Math.abs((byFastPath!.time as number) - (byPino!.time as number)) < 60_000, 'time is epoch milliseconds, as pino writes it');
  assert.equal(accessLine(pino({ level: 'warn' }, sink)), undefined, 'no writer when info lines are off');
});
