import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** JSON lines on stderr (stdout stays free for CLI output such as `preview`). */
export function createLogger(level: string): Logger {
  // Synchronous writes: a line logged just before process.exit (shutdown, a fatal error) is never lost.
  return pino({ level, base: { service: 'syndicator' } }, pino.destination({ dest: 2, sync: true }));
}
