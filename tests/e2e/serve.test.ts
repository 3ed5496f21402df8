// The service as an operator runs it: `syndicator serve` in its own process, a real upstream, HEAD and
// conditional requests over real sockets, and SIGTERM in the middle of an ingest.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { spawnServe, writeFeedChannel } from '../helpers/serve-process.js';
import { FEEDS_DIR, tempDir } from '../helpers/temp.js';

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

  await writeFeedChannel(feeds.dir, 'slow', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/rss.xml`, 'an upstream that takes its time');

  const { child, log, url: served } = spawnServe(feeds.dir, data.dir);
  t.after(() => child.kill('SIGKILL'));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  await requestArrived;
  const url = await served();

  // While the first ingest is still waiting on the upstream, the service already answers.
  const head = await fetch(`${url}/feeds/slow.rss`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'application/rss+xml; charset=utf-8');
  assert.ok(Number(head.headers.get('content-length')) > 0);
  assert.equal(await head.text(), '');

  child.kill('SIGTERM');
  const [code, signal] = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0, log());
  const doc = JSON.parse(await readFile(path.join(data.dir, 'channels', 'slow.json'), 'utf8'));
  assert.equal(doc.items.length, 3, 'the ingest in progress finished and was stored before exit');
  assert.match(log(), /"msg":"stopped"/);
});
