// The service as an operator runs it: `syndicator serve` in its own process, a real upstream, HEAD and
// conditional requests over real sockets, and SIGTERM in the middle of an ingest.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { FEEDS_DIR, ROOT, tempDir } from '../helpers/temp.js';

test('SIGTERM during an ingest waits for it to finish and store its items, then exits 0', async (t) => {
  const feeds = await tempDir('syndicator-serve-feeds-');
  const data = await tempDir('syndicator-serve-data-');
  t.after(feeds.dispose);
  t.after(data.dispose);

  // An upstream that takes 1.5 s to answer, and says when a request has arrived.
  const body = await readFile(path.join(FEEDS_DIR, 'samples', 'steel-enterprise.rss.xml'));
  let arrived: () => void = () => undefined;
  const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
  const upstream = createServer((_req, res) => {
    arrived();
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body), 1500);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  t.after(() => upstream.close());

  await mkdir(path.join(feeds.dir, 'licenses'));
  await copyFile(path.join(FEEDS_DIR, 'licenses', 'csteelnews-own.json'), path.join(feeds.dir, 'licenses', 'csteelnews-own.json'));
  await writeFile(
    path.join(feeds.dir, 'slow.json'),
    JSON.stringify({
      id: 'slow',
      title: '慢速频道',
      description: 'an upstream that takes its time',
      language: 'zh-CN',
      link: 'http://www.csteelnews.com/',
      schedule: '0 0 1 1 *',
      license: 'csteelnews-own',
      sources: [{ id: 'slow-rss', type: 'feed', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/rss.xml` }],
    }),
  );

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FEEDS_DIR: feeds.dir, DATA_DIR: data.dir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  await requestArrived;
  // The child's stderr may reach us after its request does: wait for the line that names the address.
  while (!log.includes('"msg":"serving"') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  const served = log.split('\n').find((l) => l.includes('"msg":"serving"'));
  assert.ok(served, `the service logged its address:\n${log}\nexit ${child.exitCode}`);
  const { url } = JSON.parse(served) as { url: string };

  // While the first ingest is still waiting on the upstream, the service already answers.
  const head = await fetch(`${url}/feeds/slow.rss`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'application/rss+xml; charset=utf-8');
  assert.ok(Number(head.headers.get('content-length')) > 0);
  assert.equal(await head.text(), '');

  child.kill('SIGTERM');
  const [code, signal] = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0, log);
  const doc = JSON.parse(await readFile(path.join(data.dir, 'channels', 'slow.json'), 'utf8'));
  assert.equal(doc.items.length, 3, 'the ingest in progress finished and was stored before exit');
  assert.match(log, /"msg":"stopped"/);
});
