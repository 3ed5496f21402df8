// Ingest workers yield the CPU to the serving thread (src/ingest/worker/background.ts): on Linux their
// threads run at a lower priority (nice 10), visible to an operator in `top -H` or /proc, while the
// thread that serves feeds keeps the process's own.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeIngestPool, runInWorker } from '../../src/ingest/worker/pool.js';
import { constants } from 'node:os';
import { threadNices } from '../helpers/threads.js';

/** What src/ingest/worker/background.ts sets its thread to: nice 10. */
const WORKER_NICE = constants.priority.PRIORITY_BELOW_NORMAL;

after(closeIngestPool);

const ARTICLE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>标题</title></head><body><h1>标题</h1><div class="article-content"><p>${'河钢集团推进产能置换与超低排放改造。'.repeat(20)}</p></div></body></html>`;

test('an ingest worker thread runs at nice 10; the serving thread and the others keep nice 0', async () => {
  const before = threadNices();
  assert.equal([...before.values()].filter((n) => n === WORKER_NICE).length, 0, 'no worker yet');

  await runInWorker({ kind: 'article', content: { html: ARTICLE }, url: 'http://127.0.0.1/a.html', now: new Date().toISOString(), first: true });

  const during = threadNices();
  const lowered = [...during].filter(([, n]) => n === WORKER_NICE).map(([tid]) => tid);
  assert.equal(lowered.length, 1, `one worker thread lowered: ${JSON.stringify([...during])}`);
  assert.equal(during.get(process.pid), 0, 'the main thread keeps its priority');
  assert.equal(before.has(lowered[0]!), false, 'the lowered thread is the new worker');
});
