import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stderr (stdout stays free for CLI output such as `preview`), written asynchronously
 * through a buffer (sonic-boom, flushed at 4 KiB and by the event loop): a request's log line costs no
 * write syscall of its own. Nothing is lost on exit: pino flushes the buffer synchronously when the
 * process exits (process.exit included), and `flushLogger` drains it before a planned shutdown.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'syndicator' } }, pino.destination({ dest: 2, sync: false, minLength: 4096 }));
}

/** Resolves once every line logged so far has been written (the shutdown path calls it before exiting). */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    log.flush(() => resolve());
  });
}
