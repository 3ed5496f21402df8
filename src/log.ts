import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stderr (stdout stays free for CLI output such as `preview`), written asynchronously
 * through a buffer: a request's log line costs no write syscall of its own. The buffer is sonic-boom's
 * (pino's destination) in buffer mode, written when 32 KiB have gathered and at least every 250 ms:
 * each line is encoded to bytes once as it is logged. In sonic-boom's string mode the pending lines
 * are one long concatenated string that is measured and re-encoded at every write, about 3 µs a line
 * against under 1 µs here (docs/benchmarks.md). Nothing is lost on exit: pino's destination flushes
 * synchronously when the process exits (process.exit included), and `flushLogger` drains it before a
 * planned shutdown.
 */
export function createLogger(level: string): Logger {
  const bytes = pino.destination({ dest: 2, sync: false, minLength: 32 * 1024, maxWrite: 64 * 1024, contentMode: 'buffer' });
  // Bytes handed to sonic-boom and bytes it has written, so that `afterWritten` can tell when a buffer
  // given to it is no longer needed (sonic-boom holds the buffer itself, not a copy, until written).
  let handed = 0;
  let written = 0;
  const waiting: { upTo: number; done: () => void }[] = [];
  bytes.on('write', (n: number) => {
    written += n;
    if (waiting.length === 0 || waiting[0]!.upTo > written) return;
    const due: (() => void)[] = [];
    while (waiting.length > 0 && waiting[0]!.upTo <= written) due.push(waiting.shift()!.done);
    // After sonic-boom has finished with the write it reports (it still slices the buffer on return).
    process.nextTick(() => {
      for (const done of due) done();
    });
  });
  const destination: Destination = {
    // sonic-boom's types know only its string mode. Lines made elsewhere come as bytes (writeLines).
    write: (line: string | Uint8Array) => {
      const buffer = typeof line === 'string' ? Buffer.from(line) : line;
      handed += buffer.length;
      return bytes.write(buffer as unknown as string);
    },
    afterWritten: (done: () => void) => {
      if (written >= handed) done();
      else waiting.push({ upTo: handed, done });
    },
    flush: (done: (err?: Error) => void) => bytes.flush(done),
    flushSync: () => bytes.flushSync(),
  };
  const log = pino({ level, base: { service: 'syndicator' } }, destination);
  // A quiet process still shows its lines promptly (startup, an ingest run): the buffer is written at
  // least every quarter second. The timer never keeps the process alive.
  setInterval(() => log.flush(), 250).unref();
  return log;
}

/** What a logger writes to: createLogger's destination, or any Writable stream (tests). */
interface Destination {
  write(line: string | Uint8Array): unknown;
  /** createLogger's: calls `done` once everything written so far is out (the buffers are free again). */
  afterWritten?(done: () => void): void;
  flush?(done: (err?: Error) => void): void;
  flushSync?(): void;
}

/**
 * Writes whole lines made elsewhere (the serving thread's access lines, as UTF-8 bytes) to the logger's
 * destination, in order with its own lines, and calls `written` once `lines` may be reused. createLogger's
 * destination writes the bytes as given; any other (a Writable stream) is given a copy.
 */
export function writeLines(log: Logger, lines: Uint8Array, written?: () => void): void {
  const destination = destinationOf(log);
  if (destination.afterWritten === undefined) {
    destination.write(Buffer.from(lines));
    written?.();
    return;
  }
  destination.write(Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength));
  if (written !== undefined) destination.afterWritten(written);
}

/** Where the logger writes its lines (pino's stream). */
function destinationOf(log: Logger): Destination {
  return (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as Destination;
}

/** Resolves once every line logged so far has been written (the shutdown path calls it before exiting). */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    log.flush(() => resolve());
  });
}

/** Writes one access line: what `log.info({ method, url, status, durationMs }, 'http: request')` writes. */
export type AccessLine = (method: string, url: string, status: number, durationMs: number) => void;

/**
 * The fast path's access line: the same JSON line pino writes for
 * `log.info({ method, url, status, durationMs }, 'http: request')` (level, time, the logger's bindings,
 * the fields, msg — in pino's order), assembled directly into the logger's buffered destination.
 * pino's general serializing costs several microseconds a line, a fifth of a cached poll; these four
 * fields need none of it. Undefined when the logger does not write info lines.
 */
export function accessLine(log: Logger): AccessLine | undefined {
  const format = accessLineFormat(log);
  if (format === undefined) return undefined;
  const stream = destinationOf(log);
  const { level, bindings } = format;
  return (method, url, status, durationMs) => {
    stream.write(
      `{"level":${level},"time":${Date.now()}${bindings},"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"status":${status},"durationMs":${durationMs},"msg":"http: request"}\n`,
    );
  };
}

/**
 * What an access line starts with besides the time: pino's number for info and the logger's bindings
 * (`,"service":"syndicator"`); undefined when info lines are not written.
 */
export function accessLineFormat(log: Logger): { level: number; bindings: string } | undefined {
  if (!log.isLevelEnabled('info')) return undefined;
  return { level: log.levels.values.info!, bindings: (log as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym] as string };
}
