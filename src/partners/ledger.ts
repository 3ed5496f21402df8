// The reprint ledger: one JSON line per partner delivery, appended (O_APPEND) to
// <DATA_DIR>/ledger/<YYYY-MM>.ndjson and flushed to disk before the delivery is sent. Nothing is ever
// rewritten, so the cost of a delivery does not grow with the ledger; a month per file keeps files
// small and lets a reader skip the months before --since.

import { createReadStream } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { GrantContent } from '../model.js';

/** One delivery: which partner received which items of which channel, in which format, under which grant. */
export interface LedgerEntry {
  /** ISO 8601 UTC. */
  time: string;
  partner: string;
  channel: string;
  format: string;
  grant: string;
  /** Item ids (Item.id), in the order the feed carried them. */
  items: string[];
  /** Whether the items went out with their full text or as the public gets them. */
  contentLevel: GrantContent;
}

export interface LedgerFilter {
  /** A partner id. */
  partner?: string;
  /** Deliveries at or after this instant. */
  since?: Date;
}

/** A line that is not a ledger entry (e.g. one cut short by a crash before its delivery was sent). */
export interface LedgerProblem {
  file: string;
  line: number;
  reason: string;
}

const FILE_NAME = /^(\d{4}-\d{2})\.ndjson$/;

/** Where the ledger of a data directory lives. */
export function ledgerDir(dataDir: string): string {
  return path.join(dataDir, 'ledger');
}

export class Ledger {
  constructor(readonly dir: string) {}

  /** Appends the entry as one line and waits until it is on disk; rejects when it could not be recorded. */
  async append(entry: LedgerEntry): Promise<void> {
    const time = new Date(entry.time);
    if (Number.isNaN(time.getTime())) throw new RangeError(`ledger: time "${entry.time}" is not a date`);
    await mkdir(this.dir, { recursive: true });
    const line = `${JSON.stringify({ ...entry, time: time.toISOString() })}\n`;
    const handle = await open(path.join(this.dir, `${time.toISOString().slice(0, 7)}.ndjson`), 'a');
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** The entries that pass the filter, oldest file first and in file order, read line by line. */
  async *entries(filter: LedgerFilter = {}, onProblem: (problem: LedgerProblem) => void = () => undefined): AsyncGenerator<LedgerEntry> {
    const sinceMonth = filter.since?.toISOString().slice(0, 7);
    const since = filter.since?.getTime();
    for (const name of await this.#files()) {
      if (sinceMonth !== undefined && name.slice(0, 7) < sinceMonth) continue;
      const file = path.join(this.dir, name);
      const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      let number = 0;
      for await (const text of lines) {
        number += 1;
        if (text.trim() === '') continue;
        const entry = parseEntry(text);
        if (typeof entry === 'string') {
          onProblem({ file, line: number, reason: entry });
          continue;
        }
        if (filter.partner !== undefined && entry.partner !== filter.partner) continue;
        if (since !== undefined && Date.parse(entry.time) < since) continue;
        yield entry;
      }
    }
  }

  async #files(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => FILE_NAME.test(n)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

/** The entry on this line, or why it is not one. */
function parseEntry(text: string): LedgerEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const e = value as Partial<LedgerEntry> | null;
  if (typeof e !== 'object' || e === null) return 'not an object';
  for (const field of ['time', 'partner', 'channel', 'format', 'grant'] as const) {
    if (typeof e[field] !== 'string') return `no "${field}"`;
  }
  if (Number.isNaN(Date.parse(e.time as string))) return '"time" is not a date';
  if (!Array.isArray(e.items) || !e.items.every((i) => typeof i === 'string')) return '"items" is not a list of ids';
  if (e.contentLevel !== 'full' && e.contentLevel !== 'excerpt') return '"contentLevel" is neither full nor excerpt';
  return e as LedgerEntry;
}
