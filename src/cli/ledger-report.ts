// The ledger as `syndicator ledger` prints it: a table for people, CSV for spreadsheets, JSON for
// programs. CSV and JSON are written entry by entry as the ledger is read.

import { table } from './support.js';
import type { LedgerEntry } from '../partners/ledger.js';

export type LedgerReportFormat = 'table' | 'csv' | 'json';

const COLUMNS = ['time', 'partner', 'channel', 'format', 'grant', 'content', 'item_count', 'items'];

/** Writes every entry in `format` through `write`; resolves to the number of entries. */
export async function writeLedgerReport(entries: AsyncIterable<LedgerEntry>, format: LedgerReportFormat, write: (chunk: string) => void): Promise<number> {
  let count = 0;
  if (format === 'table') {
    const rows = [COLUMNS.map((c) => c.toUpperCase())];
    for await (const entry of entries) {
      rows.push(cells(entry));
      count += 1;
    }
    write(table(rows));
    return count;
  }
  if (format === 'csv') write(`${COLUMNS.join(',')}\r\n`);
  else write('[');
  for await (const entry of entries) {
    if (format === 'csv') write(`${cells(entry).map(csvField).join(',')}\r\n`);
    else write(`${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(entry)}`);
    count += 1;
  }
  if (format === 'json') write(count === 0 ? ']\n' : '\n]\n');
  return count;
}

/** One entry's values in COLUMNS order; item ids separated by spaces. */
function cells(e: LedgerEntry): string[] {
  return [e.time, e.partner, e.channel, e.format, e.grant, e.contentLevel, String(e.items.length), e.items.join(' ')];
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
