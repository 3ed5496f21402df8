import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrashCycles } from '../helpers/crash-cycles.js';

// CRASH_SEED replays a failing run; bench/crash.ts runs the longer version (150 cycles by default).
const seed = Number(process.env.CRASH_SEED ?? 20261127);

test('SIGKILL at random moments of an ingesting process, 50 times: the store always loads and no committed item is lost', { timeout: 120_000 }, async () => {
  const tally = await runCrashCycles({ cycles: 50, seed, maxDelayMs: 200 });
  const summary = JSON.stringify(tally);
  assert.equal(tally.cycles, 50, summary);
  assert.equal(tally.corrupt, 0, summary);
  assert.equal(tally.lost, 0, summary);
  assert.deepEqual(tally.problems, [], summary);
  // The test proves something only if kills landed mid-write and the archive path was exercised.
  assert.ok(tally.killedMidWrite >= 10, summary);
  assert.ok(tally.committedItems > 500 && tally.foundInArchive > 0, summary);
});
