import { pino } from 'pino';
import type { Logger } from '../../src/log.js';

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
