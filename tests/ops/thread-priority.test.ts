// `syndicator serve` keeps its one serving thread ahead of everything else in the process
// (src/thread-priority.ts): on Linux, after an ingest has run, every other thread — the ingest workers,
// V8's garbage-collection and compiler threads, libuv's pool — is at nice 10, as `top -H` shows an
// operator, and the serving thread at the nice the process was started with.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { FEEDS_DIR, ROOT, tempDir } from '../helpers/temp.js';

/** The nice value of each thread of a process, by thread id (field 19 of /proc/<pid>/task/<tid>/stat). */
async function threadNices(pid: number): Promise<Map<number, number>> {
  const nices = new Map<number, number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue; // the thread ended meanwhile
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

test('serve: after an ingest, every thread but the serving one runs at nice 10', async (t) => {
  const feeds = await tempDir('syndicator-prio-feeds-');
  const data = await tempDir('syndicator-prio-data-');
  t.after(feeds.dispose);
  t.after(data.dispose);
  const body = await readFile(path.join(FEEDS_DIR, 'samples', 'steel-enterprise.rss.xml'));
  const upstream = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  t.after(() => upstream.close());
  await mkdir(path.join(feeds.dir, 'licenses'));
  await copyFile(path.join(FEEDS_DIR, 'licenses', 'csteelnews-own.json'), path.join(feeds.dir, 'licenses', 'csteelnews-own.json'));
  await writeFile(
    path.join(feeds.dir, 'steel.json'),
    JSON.stringify({
      id: 'steel',
      title: '钢铁企业',
      description: 'a local upstream',
      language: 'zh-CN',
      link: 'http://www.csteelnews.com/',
      schedule: '0 0 1 1 *',
      license: 'csteelnews-own',
      sources: [{ id: 'steel-rss', type: 'feed', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/rss.xml` }],
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
  const deadline = Date.now() + 20_000;
  // The first ingest runs at start; it has run when the feed has items.
  let url: string | undefined;
  let items = 0;
  while (items === 0 && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 100));
    const served = log.split('\n').find((l) => l.includes('"msg":"serving"'));
    if (served === undefined) continue;
    url ??= (JSON.parse(served) as { url: string }).url;
    items = ((await (await fetch(`${url}/feeds/steel.json`)).json()) as { items: unknown[] }).items.length;
  }
  assert.equal(items, 3, `the ingest ran:\n${log}`);

  // Threads started by the ingest are lowered at the next sweep (once a second).
  let nices = await threadNices(child.pid!);
  const lowered = () => [...nices].filter(([tid, nice]) => tid !== child.pid && nice === 10).length;
  while (lowered() < nices.size - 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    nices = await threadNices(child.pid!);
  }
  assert.equal(nices.get(child.pid!), 0, 'the serving (main) thread keeps nice 0');
  // Node starts V8's platform threads and libuv's with the process; the ingest added a worker.
  assert.ok(nices.size >= 6, `threads: ${JSON.stringify([...nices])}`);
  assert.deepEqual(
    [...nices].filter(([tid]) => tid !== child.pid).filter(([, nice]) => nice !== 10),
    [],
    'no other thread left at a higher priority',
  );
  child.kill('SIGTERM');
  await once(child, 'exit');
});
