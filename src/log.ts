import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stderr (stdout stays free for CLI output such as `preview`), written asynchronously
 * through a buffer (sonic-boom, written when 4 KiB have gathered and at least every 250 ms): a request's log line costs no
 * write syscall of its own. Nothing is lost on exit: pino flushes the buffer synchronously when the
 * process exits (process.exit included), and `flushLogger` drains it before a planned shutdown.
 */
export function createLogger(level: string): Logger {
  const log = pino({ level, base: { service: 'syndicator' } }, pino.destination({ dest: 2, sync: false, minLength: 4096 }));
  // A quiet process still shows its lines promptly (startup, an ingest run): the buffer is written at
  // least every quarter second. The timer never keeps the process alive.
  setInterval(() => log.flush(), 250).unref();
  return log;
}

/** Resolves once every line logged so far has been written (the shutdown path calls it before exiting). */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    log.flush(() => resolve());
  });
}
