import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BACKOFF_BASE_MS, backoffMs, hintDelayMs, JITTER, MAX_WAIT_MS, nextAttemptAt, retryAfterMs,
} from '../../src/ingest/source-state.js';
import { seededRandom } from '../helpers/random.js';

const NOW = new Date('2026-03-01T08:00:00.000Z');

describe('backoff on consecutive failures', () => {
  it('doubles from 5 minutes, capped at 24 hours, never stopping', () => {
    const mid = () => 0.5; // no jitter
    assert.equal(backoffMs(1, mid), BACKOFF_BASE_MS);
    assert.equal(backoffMs(2, mid), 2 * BACKOFF_BASE_MS);
    assert.equal(backoffMs(4, mid), 8 * BACKOFF_BASE_MS);
    assert.equal(backoffMs(9, mid), 256 * BACKOFF_BASE_MS); // 21 h 20 min
    assert.equal(backoffMs(10, mid), MAX_WAIT_MS); // 5 min × 512 > 24 h
    assert.ok(backoffMs(50, () => 0.999) <= MAX_WAIT_MS);
    assert.equal(backoffMs(1000, mid), MAX_WAIT_MS);
  });

  it('varies by at most ±20 %, reproducibly with a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = Array.from({ length: 200 }, () => backoffMs(3, a));
    assert.deepEqual(values.slice(0, 5), Array.from({ length: 5 }, () => backoffMs(3, b)));
    const base = 4 * BACKOFF_BASE_MS;
    for (const v of values) assert.ok(v >= base * (1 - JITTER) && v <= base * (1 + JITTER), String(v));
    assert.ok(new Set(values).size > 100, 'jittered');
    assert.equal(backoffMs(1, () => 0), Math.round(BACKOFF_BASE_MS * 0.8));
  });
});

describe('upstream hints', () => {
  it('reads RSS <ttl>, Cache-Control max-age, Expires and Retry-After; the longest wins', () => {
    assert.equal(hintDelayMs({}, NOW), 0);
    assert.equal(hintDelayMs({ ttlMinutes: 60 }, NOW), 3600_000);
    assert.equal(hintDelayMs({ cacheControl: 'public, max-age=900' }, NOW), 900_000);
    assert.equal(hintDelayMs({ expires: 'Sun, 01 Mar 2026 09:00:00 GMT' }, NOW), 3600_000);
    // Expires read against the server's Date, whatever our clock says.
    assert.equal(hintDelayMs({ expires: 'Sun, 01 Mar 2026 09:00:00 GMT', date: 'Sun, 01 Mar 2026 08:30:00 GMT' }, NOW), 1800_000);
    // max-age overrides Expires.
    assert.equal(hintDelayMs({ cacheControl: 'max-age=60', expires: 'Sun, 01 Mar 2026 12:00:00 GMT' }, NOW), 60_000);
    assert.equal(hintDelayMs({ ttlMinutes: 30, cacheControl: 'max-age=7200' }, NOW), 7200_000);
    assert.equal(hintDelayMs({ ttlMinutes: 60 * 24 * 365 }, NOW), MAX_WAIT_MS);
    assert.equal(hintDelayMs({ expires: 'garbage', cacheControl: 'no-cache' }, NOW), 0);
  });

  it('Retry-After: seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('120', NOW), 120_000);
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 10:00:00 GMT', NOW), 2 * 3600_000);
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 07:00:00 GMT', NOW), 0);
    assert.equal(retryAfterMs('soon', NOW), undefined);
  });

  it('next attempt: none after a plain success; hints after a success; the later of backoff and Retry-After after a failure', () => {
    assert.equal(nextAttemptAt({ ok: true, hints: {} }, NOW), undefined);
    assert.equal(nextAttemptAt({ ok: true, hints: { ttlMinutes: 10 } }, NOW), '2026-03-01T08:10:00.000Z');
    assert.equal(nextAttemptAt({ ok: false, failures: 1, hints: {} }, NOW, () => 0.5), '2026-03-01T08:05:00.000Z');
    assert.equal(nextAttemptAt({ ok: false, failures: 1, hints: { retryAfter: '3600' } }, NOW, () => 0.5), '2026-03-01T09:00:00.000Z');
    assert.equal(nextAttemptAt({ ok: false, failures: 6, hints: { retryAfter: '60' } }, NOW, () => 0.5), '2026-03-01T10:40:00.000Z');
  });
});
