// Crash benchmark (issue #7): SIGKILL an ingesting process at random moments, many times, reopening the
// store after every kill; the tally must show zero corrupt stores and zero lost committed items.
//
//   npm run bench:crash                          150 cycles, seed 7
//   node --import tsx bench/crash.ts 300 42      300 cycles, seed 42
//
// The same cycles as tests/store/crash.test.ts (50 there); see tests/helpers/crash-cycles.ts.

import { runCrashCycles } from '../tests/helpers/crash-cycles.js';

const cycles = Number(process.argv[2] ?? 150);
const seed = Number(process.argv[3] ?? 7);
if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: bench/crash.ts [cycles] [seed]\n');
  process.exit(2);
}

const tally = await runCrashCycles({
  cycles,
  seed,
  maxDelayMs: 300,
  progress: (line) => {
    const done = Number(/^cycle (\d+)\//.exec(line)?.[1]);
    if (done % 25 === 0) process.stdout.write(`${line}\n`);
  },
});

process.stdout.write(
  [
    '',
    `crash cycles: ${tally.cycles} (seed ${tally.seed}), ${(tally.elapsedMs / 1000).toFixed(1)} s`,
    `  kills while the store was opening: ${tally.killedWhileOpening}`,
    `  kills in the middle of a write (a temp file was left): ${tally.killedMidWrite}`,
    `  committed batches: ${tally.committedBatches}, committed items: ${tally.committedItems} (${tally.foundInArchive} of them moved to the archive by retention)`,
    `  corrupt stores: ${tally.corrupt}`,
    `  lost committed items: ${tally.lost}`,
    ...tally.problems.map((p) => `  problem: ${p}`),
    '',
  ].join('\n'),
);
process.exitCode = tally.corrupt === 0 && tally.lost === 0 && tally.cycles === cycles ? 0 : 1;
