import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from '../../src/partners/rate-limit.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('a partner may burst up to the per-minute allowance, then waits for the bucket to refill', () => {
  const c = clock();
  const limiter = new RateLimiter(3, c.now);
  assert.deepEqual([1, 2, 3].map(() => limiter.take('a').ok), [true, true, true]);
  assert.deepEqual(limiter.take('a'), { ok: false, retryAfterSeconds: 20 }, 'one request per 20 s refills');
  c.advance(19_000);
  assert.deepEqual(limiter.take('a'), { ok: false, retryAfterSeconds: 1 });
  c.advance(1_000);
  assert.deepEqual(limiter.take('a'), { ok: true });
  assert.equal(limiter.take('a').ok, false);
});

test('each partner has its own bucket, and a refused request costs nothing', () => {
  const c = clock();
  const limiter = new RateLimiter(1, c.now);
  assert.equal(limiter.take('a').ok, true);
  for (let i = 0; i < 5; i += 1) assert.equal(limiter.take('a').ok, false);
  assert.equal(limiter.take('b').ok, true, 'another partner is not held back');
  c.advance(60_000);
  assert.equal(limiter.take('a').ok, true, 'refusals did not push the refill back');
});

test('a long pause refills to the allowance, never beyond it', () => {
  const c = clock();
  const limiter = new RateLimiter(2, c.now);
  limiter.take('a');
  c.advance(3_600_000);
  assert.deepEqual([1, 2, 3].map(() => limiter.take('a').ok), [true, true, false]);
  assert.throws(() => new RateLimiter(0), RangeError);
});
