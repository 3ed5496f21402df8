// The service as `syndicator serve` runs it, from source, for bench/hostile.ts to start in its own process.
// With BENCH_STALL_LOG set (bench/hostile.ts --stalls DIR), a 1 ms timer notes every stretch of
// BENCH_STALL_MIN_MS (default 20) ms or more in which the event loop did not turn, and the list is
// written to that file when the process exits: the end of each stretch (process.hrtime in µs, the clock of `node --cpu-prof` profiles), its length, and
// — where Linux tells (/proc/thread-self/schedstat) — how much of it this thread spent on a CPU. On a
// shared machine a stretch is often long only because the thread was waiting for a CPU; the on-CPU time
// is the work the stretch really held the event loop for.
import { writeFileSync } from 'node:fs';
import { onCpuClock } from './on-cpu.js';
import { runCli } from '../src/cli/index.js';

const stallLog = process.env.BENCH_STALL_LOG;
if (stallLog) {
  const onCpuMs = onCpuClock();
  const minMs = Number(process.env.BENCH_STALL_MIN_MS ?? 20);
  const stalls: { endUs: number; ms: number; onCpuMs?: number }[] = [];
  let last = process.hrtime.bigint();
  let lastCpu = onCpuMs();
  setInterval(() => {
    const now = process.hrtime.bigint();
    const cpu = onCpuMs();
    const ms = Number(now - last) / 1e6;
    if (ms >= minMs) {
      stalls.push({ endUs: Number(now / 1000n), ms: Math.round(ms * 10) / 10, ...(cpu !== undefined && lastCpu !== undefined && { onCpuMs: Math.round((cpu - lastCpu) * 10) / 10 }) });
    }
    last = now;
    lastCpu = cpu;
  }, 1).unref();
  process.on('exit', () => writeFileSync(stallLog, JSON.stringify(stalls)));
}

process.exit(await runCli(['serve']));
