import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../helpers/log.js';
import type { Channel } from '../../src/model.js';
import { Scheduler } from '../../src/schedule/scheduler.js';

function channel(id: string, schedule = '* * * * * *'): Channel {
  return {
    id,
    title: id,
    description: id,
    language: 'zh-CN',
    link: 'http://example.cn/',
    timezone: 'Asia/Shanghai',
    schedule,
    license: 'own',
    licenseRules: [],
    maxItems: 10,
    sources: [{ id: 's', type: 'feed', url: 'x.xml' }],
  };
}

test('runs each channel at startup, never twice at once, and keeps going when another channel fails', async () => {
  let running = 0;
  let maxRunning = 0;
  const runs = new Map<string, number>();
  const scheduler = new Scheduler(
    [channel('slow'), channel('broken')],
    async (c) => {
      runs.set(c.id, (runs.get(c.id) ?? 0) + 1);
      if (c.id === 'broken') throw new Error('upstream exploded');
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(1500);
      running -= 1;
    },
    silentLogger(),
  );
  scheduler.start();
  await sleep(3300);
  const finished = await scheduler.stop(5000);
  assert.equal(finished, true, 'stop waited for the run in progress');
  assert.equal(running, 0);
  assert.equal(maxRunning, 1, 'the slow channel never overlapped itself');
  assert.ok((runs.get('slow') ?? 0) >= 2, `slow ran ${runs.get('slow')} times`);
  assert.ok((runs.get('broken') ?? 0) >= 3, `broken kept being retried: ${runs.get('broken')} runs`);
});

test('stop() gives up after its timeout when a run hangs, and schedules nothing more', async () => {
  let starts = 0;
  let release: () => void = () => undefined;
  const hung = new Promise<void>((resolve) => (release = resolve));
  const scheduler = new Scheduler(
    [channel('hang', '0 0 1 1 *')],
    async () => {
      starts += 1;
      await hung;
    },
    silentLogger(),
  );
  scheduler.start();
  assert.equal(scheduler.busy, true);
  assert.equal(await scheduler.stop(200), false);
  release();
  await sleep(10);
  await scheduler.runNow(channel('hang'));
  assert.equal(starts, 1, 'a stopped scheduler starts no new run');
});
