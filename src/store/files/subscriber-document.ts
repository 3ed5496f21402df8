// Where subscriber statistics persist between restarts (data/subscribers.json), and where
// `syndicator status` reads them: a durable JSON document of the file backend. The statistics
// themselves (what is counted, how it is anonymised) are http/subscribers.ts's business.

import path from 'node:path';
import { JsonDocument } from './json-document.js';

/** The statistics file of a data directory. */
export function subscribersFile(dataDir: string): string {
  return path.join(dataDir, 'subscribers.json');
}

/** Opens the document (created from `empty()` when absent; `check` refuses a damaged one with a clear error). */
export function openSubscriberDocument<T extends object>(dataDir: string, shape: { empty: () => T; check: (parsed: unknown) => T }): Promise<JsonDocument<T>> {
  return JsonDocument.open<T>(subscribersFile(dataDir), shape);
}
