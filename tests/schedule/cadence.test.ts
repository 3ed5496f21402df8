import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cadence, MAX_MAX_AGE, MIN_MAX_AGE, nextRuns } from '../../src/schedule/cadence.js';

test('next runs follow the schedule in the channel time zone', () => {
  const runs = nextRuns('0 8 * * *', 'Asia/Shanghai', 2);
  assert.equal(runs.length, 2);
  for (const run of runs) assert.equal(run.getUTCHours(), 0, '08:00 in Beijing is 00:00 UTC');
  assert.equal(runs[1]!.getTime() - runs[0]!.getTime(), 86_400_000);
});

test('a half-hourly channel advertises freshness until its next ingest, within bounds', () => {
  const cadence = new Cadence('*/30 * * * *', 'Asia/Shanghai');
  assert.equal(cadence.intervalSeconds, 1800);
  const next = nextRuns('*/30 * * * *', 'Asia/Shanghai', 1)[0]!;
  assert.equal(cadence.maxAge(new Date(next.getTime() - 600_000)), 600, 'ten minutes before the next run');
  assert.equal(cadence.maxAge(new Date(next.getTime() - 10_000)), MIN_MAX_AGE, 'never below the floor');
});

test('a daily channel is capped at an hour', () => {
  const cadence = new Cadence('0 8 * * *', 'Asia/Shanghai');
  assert.equal(cadence.intervalSeconds, 86_400);
  const next = nextRuns('0 8 * * *', 'Asia/Shanghai', 1)[0]!;
  assert.equal(cadence.maxAge(new Date(next.getTime() - 5 * 3600_000)), MAX_MAX_AGE);
});
