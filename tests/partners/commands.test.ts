import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError, table } from '../../src/cli/support.js';
import { parseSince, parseUntil } from '../../src/cli/partners.js';

test('--until YYYY-MM-DD is the last day of the grant: it ends at the next midnight in the channel time zone', () => {
  assert.equal(parseUntil('2026-06-30', 'Asia/Shanghai').toISOString(), '2026-06-30T16:00:00.000Z');
  assert.equal(parseUntil('2026-12-31', 'UTC').toISOString(), '2027-01-01T00:00:00.000Z');
  assert.equal(parseUntil('2024-02-29', 'Asia/Shanghai').toISOString(), '2024-02-29T16:00:00.000Z');
});

test('--until with a time: an offset is honoured, a naive time is read in the channel time zone', () => {
  assert.equal(parseUntil('2026-06-30T12:00:00Z', 'Asia/Shanghai').toISOString(), '2026-06-30T12:00:00.000Z');
  assert.equal(parseUntil('2026-06-30T12:00:00+02:00', 'Asia/Shanghai').toISOString(), '2026-06-30T10:00:00.000Z');
  assert.equal(parseUntil('2026-06-30 12:00', 'Asia/Shanghai').toISOString(), '2026-06-30T04:00:00.000Z');
});

test('a date that does not exist or is not a date is a usage error', () => {
  for (const bad of ['2026-02-30', 'tomorrow', '', '30/06/2026']) {
    assert.throws(() => parseUntil(bad, 'Asia/Shanghai'), UsageError, bad);
  }
  assert.throws(() => parseSince('last week'), (err: unknown) => err instanceof UsageError && /--since "last week" is not a date/.test(err.message));
});

test('--since YYYY-MM-DD is midnight UTC, the zone of the ledger times', () => {
  assert.equal(parseSince('2026-05-01').toISOString(), '2026-05-01T00:00:00.000Z');
  assert.equal(parseSince('2026-05-01T08:00:00+08:00').toISOString(), '2026-05-01T00:00:00.000Z');
});

test('CLI tables line up Chinese names: a wide character takes two columns', () => {
  const out = table([
    ['ID', 'NAME', 'STATUS'],
    ['hbrb', '河北日报', 'active'],
    ['xinhua', 'Xinhua', 'revoked'],
  ]);
  assert.equal(out, 'ID      NAME      STATUS\nhbrb    河北日报  active\nxinhua  Xinhua    revoked\n');
});
