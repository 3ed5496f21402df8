// Kill-and-reopen cycles against a real ingesting process (tests/helpers/crash-writer.ts): shared by
// tests/store/crash.test.ts (50 cycles) and bench/crash.ts (150 by default).

import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { CRASH_CHANNELS, CRASH_MAX_ITEMS } from './crash-writer.js';
import { ROOT, tempDir } from './temp.js';
import { seededRandom } from './random.js';

export interface CrashOptions {
  cycles: number;
  seed: number;
  /** The kill lands uniformly in [0, maxDelayMs) after the writer said "ready". */
  maxDelayMs?: number;
  /** One cycle in this many is killed during startup instead (before "ready", while it opens the store). */
  earlyKillEvery?: number;
  /** Called after every cycle with a one-line summary. */
  progress?: (line: string) => void;
}

export interface CrashTally {
  seed: number;
  cycles: number;
  /** Kills that landed while the store was opening (before "ready"). */
  killedWhileOpening: number;
  /** Kills that left a temp file behind: they landed in the middle of a write. */
  killedMidWrite: number;
  /** Batches whose "committed" line the writer printed. */
  committedBatches: number;
  /** Distinct item ids of those batches. */
  committedItems: number;
  /** Of those, how many were found in the archive (moved there by retention). */
  foundInArchive: number;
  /** Reopens that failed (the store did not load): must be 0. */
  corrupt: number;
  /** Committed items missing after a reopen, summed over cycles: must be 0. */
  lost: number;
  /** The first problems seen, for the report. */
  problems: string[];
  elapsedMs: number;
}

export async function runCrashCycles(options: CrashOptions): Promise<CrashTally> {
  const started = performance.now();
  const random = seededRandom(options.seed);
  const maxDelayMs = options.maxDelayMs ?? 300;
  const earlyKillEvery = options.earlyKillEvery ?? 10;
  const { dir, dispose } = await tempDir('syndicator-crash-');
  const committed = new Map<string, Set<string>>(CRASH_CHANNELS.map((c) => [c, new Set<string>()]));
  const tally: CrashTally = {
    seed: options.seed,
    cycles: 0,
    killedWhileOpening: 0,
    killedMidWrite: 0,
    committedBatches: 0,
    committedItems: 0,
    foundInArchive: 0,
    corrupt: 0,
    lost: 0,
    problems: [],
    elapsedMs: 0,
  };
  try {
    for (let cycle = 0; cycle < options.cycles; cycle += 1) {
      const early = earlyKillEvery > 0 && cycle % earlyKillEvery === earlyKillEvery - 1;
      const delay = Math.floor(random() * maxDelayMs);
      const run = await runWriterUntilKilled(dir, cycle * 100_000, early, delay);
      if (!run.sawReady) tally.killedWhileOpening += 1;
      for (const line of run.lines) {
        const [word, , channel, ...ids] = line.split(' ');
        if (word !== 'committed' || !channel) continue;
        tally.committedBatches += 1;
        for (const id of ids) committed.get(channel)?.add(id);
      }
      if (await hasTempFiles(dir)) tally.killedMidWrite += 1;

      let store: LowdbStore;
      try {
        store = await LowdbStore.open(dir, CRASH_CHANNELS);
      } catch (err) {
        tally.corrupt += 1;
        if (tally.problems.length < 5) tally.problems.push(`cycle ${cycle}: reopen failed: ${(err as Error).message}`);
        break;
      }
      if (await hasTempFiles(dir) && tally.problems.length < 5) tally.problems.push(`cycle ${cycle}: temp files left after the reopen`);
      let lostNow = 0;
      let archivedNow = 0;
      for (const channel of CRASH_CHANNELS) {
        const live = new Set(store.items(channel).map((i) => i.id));
        if (live.size > CRASH_MAX_ITEMS && tally.problems.length < 5) {
          tally.problems.push(`cycle ${cycle}: ${channel} holds ${live.size} live items, more than maxItems ${CRASH_MAX_ITEMS}`);
        }
        const archived = new Set<string>();
        for (const month of store.archiveMonths(channel)) for (const item of await store.archivedItems(channel, month)) archived.add(item.id);
        for (const id of committed.get(channel)!) {
          if (live.has(id)) continue;
          if (archived.has(id)) archivedNow += 1;
          else lostNow += 1;
        }
      }
      await store.close();
      tally.lost += lostNow;
      tally.foundInArchive = archivedNow;
      tally.committedItems = [...committed.values()].reduce((n, s) => n + s.size, 0);
      tally.cycles = cycle + 1;
      if (lostNow > 0 && tally.problems.length < 5) tally.problems.push(`cycle ${cycle}: ${lostNow} committed item(s) missing`);
      options.progress?.(
        `cycle ${cycle + 1}/${options.cycles}: killed ${run.sawReady ? `${delay} ms after ready` : 'while opening'}, ` +
          `${tally.committedItems} committed items (${archivedNow} archived), lost ${lostNow}`,
      );
    }
  } finally {
    tally.elapsedMs = Math.round(performance.now() - started);
    await dispose();
  }
  return tally;
}

interface WriterRun {
  sawReady: boolean;
  /** Complete stdout lines (a line cut by the kill is dropped). */
  lines: string[];
}

/** Starts the writer; kills it with SIGKILL `delay` ms after "ready" (or after its start, when `early`). */
function runWriterUntilKilled(dataDir: string, firstRun: number, early: boolean, delay: number): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/crash-writer.ts'), dataDir, String(firstRun)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sawReady = false;
    let killed = false;
    const kill = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    // While opening: the writer's startup (tsx) takes about 400 ms here, the open is the end of it.
    if (early) setTimeout(kill, 250 + (delay % 200));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!sawReady && stdout.startsWith('ready\n')) {
        sawReady = true;
        if (!early) setTimeout(kill, delay);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the writer neither said "ready" nor was killed within 30 s: ${stderr.trim()}`));
    }, 30_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      if (!killed) {
        reject(new Error(`the writer exited by itself: ${stderr.trim() || '(no message)'}`));
        return;
      }
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      resolve({ sawReady, lines: complete.split('\n').filter((l) => l !== '' && l !== 'ready') });
    });
  });
}

async function hasTempFiles(dataDir: string): Promise<boolean> {
  const dirs = [path.join(dataDir, 'channels'), ...CRASH_CHANNELS.map((c) => path.join(dataDir, 'archive', c))];
  for (const d of dirs) {
    const names = await readdir(d).catch(() => [] as string[]);
    if (names.some((n) => /\.tmp-\d+-\d+$/.test(n))) return true;
  }
  return false;
}
