// `syndicator serve` keeps its serving thread and its main thread ahead of everything else in the
// process (src/thread-priority.ts): on Linux, after an ingest has run, every other thread — the ingest
// workers, V8's garbage-collection and compiler threads, libuv's pool — is at nice 10, as `top -H`
// shows an operator, and those two at the nice the process was started with.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { spawnServe, writeFeedChannel } from '../helpers/serve-process.js';
import { FEEDS_DIR, tempDir } from '../helpers/temp.js';
import { threadNices } from '../helpers/threads.js';

test('serve: after an ingest, every thread but the serving and the main one runs at nice 10', async (t) => {
  const feeds = await tempDir('syndicator-prio-feeds-');
  const data = await tempDir('syndicator-prio-data-');
  t.after(feeds.dispose);
  t.after(data.dispose);
  const body = await readFile(path.join(FEEDS_DIR, 'samples', 'steel-enterprise.rss.xml'));
  const upstream = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  t.after(() => upstream.close());
  await writeFeedChannel(feeds.dir, 'steel', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/rss.xml`);

  const { child, log, url: served } = spawnServe(feeds.dir, data.dir);
  t.after(() => child.kill('SIGKILL'));
  const url = await served();
  // The first ingest runs at start; it has run when the feed has items.
  const deadline = Date.now() + 20_000;
  let items = 0;
  while (items === 0 && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 100));
    items = ((await (await fetch(`${url}/feeds/steel.json`)).json()) as { items: unknown[] }).items.length;
  }
  assert.equal(items, 3, `the ingest ran:\n${log()}`);

  // The serving thread's task id is in the "serving" log line.
  const serving = (JSON.parse(log().split('\n').find((l) => l.includes('"msg":"serving"'))!) as { servingThread: number }).servingThread;
  assert.ok(Number.isSafeInteger(serving) && serving !== child.pid, `the serving thread's id: ${serving}`);
  const kept = new Set([child.pid!, serving]);
  // Threads started by the ingest are lowered at the next sweep (once a second).
  let nices = threadNices(child.pid!);
  const lowered = () => [...nices].filter(([tid, nice]) => !kept.has(tid) && nice === 10).length;
  while (lowered() < nices.size - 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    nices = threadNices(child.pid!);
  }
  assert.equal(nices.get(child.pid!), 0, 'the main thread keeps nice 0');
  assert.equal(nices.get(serving), 0, 'the serving thread keeps nice 0');
  // Node starts V8's platform threads and libuv's with the process; the ingest added a worker.
  assert.ok(nices.size >= 7, `threads: ${JSON.stringify([...nices])}`);
  assert.deepEqual(
    [...nices].filter(([tid]) => !kept.has(tid)).filter(([, nice]) => nice !== 10),
    [],
    'no other thread left at a higher priority',
  );
  child.kill('SIGTERM');
  await once(child, 'exit');
});
