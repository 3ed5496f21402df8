// The calling thread's time on a CPU so far, in ms, where Linux tells (/proc/thread-self/schedstat);
// undefined elsewhere. On a shared machine a stretch without a turn of the event loop is often long
// only because the thread waited for a CPU: the on-CPU time is the work that held the event loop.
import { openSync, readSync } from 'node:fs';

export function onCpuClock(): () => number | undefined {
  // Opened once and read again from offset 0 on each call: /proc renders the file anew on each read.
  let schedstat: number | undefined;
  try {
    schedstat = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    schedstat = undefined;
  }
  const buffer = Buffer.alloc(128);
  return () => {
    if (schedstat === undefined) return undefined;
    const n = readSync(schedstat, buffer, 0, buffer.length, 0);
    return Number(buffer.toString('latin1', 0, n).split(' ')[0]) / 1e6;
  };
}
