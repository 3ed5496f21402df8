import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { archiveMonthOf, compareItems, type Item } from '../../model.js';
import { countItems, damagedFileError, missingFileError } from './backups.js';
import type { DocumentReader } from './backups.js';
import { DEFAULT_BACKUPS, readTextIfExists, writeFileDurably } from './durable-file.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';

/**
 * One month of a channel's archive, <dataDir>/archive/<channel>/<YYYY-MM>.json: the items that retention
 * moved out of the live channel document whose publishedAt (else updatedAt) falls in that UTC month,
 * newest first. Written only under the channel document's lock, and only when retention moves something.
 */
export interface ArchiveDocument {
  schemaVersion: number;
  kind: 'archive';
  channelId: string;
  /** "YYYY-MM", UTC. */
  month: string;
  items: Item[];
}

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export function archiveDir(dataDir: string, channelId: string): string {
  return path.join(dataDir, 'archive', channelId);
}

export function archiveFile(dataDir: string, channelId: string, month: string): string {
  return path.join(archiveDir(dataDir, channelId), `${month}.json`);
}

/** The command that restores an archive month, quoted in error messages. */
export function archiveRestoreCommand(channelId: string, month: string): string {
  return `syndicator store restore ${channelId} --month ${month}`;
}

/** The months that have an archive file, oldest first. */
export async function listArchiveMonths(dataDir: string, channelId: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(archiveDir(dataDir, channelId));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .filter((m) => MONTH_PATTERN.test(m))
    .sort();
}

/** Parses and checks an archive month file (migrations included). */
export function archiveReader(file: string, channelId: string, month: string): DocumentReader<ArchiveDocument> {
  return {
    parse: (text) => checkArchive(migrate(JSON.parse(text), file).doc, channelId, month),
    describe: (doc) => countItems(doc.items.length),
  };
}

/** The archive of one month, or null when there is none; a damaged file is a StoreError naming its newest good backup. */
export async function readArchive(dataDir: string, channelId: string, month: string): Promise<ArchiveDocument | null> {
  const file = archiveFile(dataDir, channelId, month);
  const reader = archiveReader(file, channelId, month);
  const text = await readTextIfExists(file);
  if (text === null) {
    const missing = await missingFileError(file, reader, archiveRestoreCommand(channelId, month));
    if (missing) throw missing;
    return null;
  }
  try {
    return reader.parse(text);
  } catch (err) {
    throw await damagedFileError(file, err, reader, archiveRestoreCommand(channelId, month));
  }
}

export interface ArchiveResult {
  /** Items written (new in the archive, or with another contentHash than the archived copy). */
  written: number;
  /** Ids that the archive already held with the same contentHash. */
  unchanged: Set<string>;
  /** Months whose file was written. */
  months: string[];
}

/**
 * Merges items into their months' archive files: a new id is added, a known one replaced when its
 * contentHash differs (keeping the archived ingestedAt), and a file is written (durably, with backups)
 * only when something in it changed. The caller holds the channel's lock.
 */
export async function archiveItems(
  dataDir: string,
  channelId: string,
  items: readonly Item[],
  backups: number = DEFAULT_BACKUPS,
): Promise<ArchiveResult> {
  const byMonth = new Map<string, Item[]>();
  for (const item of items) {
    const month = archiveMonthOf(item);
    const list = byMonth.get(month);
    if (list) list.push(item);
    else byMonth.set(month, [item]);
  }
  const result: ArchiveResult = { written: 0, unchanged: new Set(), months: [] };
  for (const [month, monthItems] of [...byMonth].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const doc = (await readArchive(dataDir, channelId, month)) ?? emptyArchive(channelId, month);
    const index = new Map(doc.items.map((item, i) => [item.id, i]));
    let written = 0;
    for (const item of monthItems) {
      const at = index.get(item.id);
      if (at === undefined) {
        index.set(item.id, doc.items.length);
        doc.items.push(item);
        written += 1;
      } else if (doc.items[at]!.contentHash === item.contentHash) {
        result.unchanged.add(item.id);
      } else {
        doc.items[at] = { ...item, ingestedAt: doc.items[at]!.ingestedAt };
        written += 1;
      }
    }
    if (written === 0) continue;
    doc.items.sort(compareItems);
    doc.schemaVersion = SCHEMA_VERSION;
    const file = archiveFile(dataDir, channelId, month);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileDurably(file, JSON.stringify(doc), { backups });
    result.written += written;
    result.months.push(month);
  }
  return result;
}

/** Removes one item from whichever archive month holds it (durably, with backups); whether one did. The caller holds the channel's lock. */
export async function removeFromArchive(dataDir: string, channelId: string, itemId: string, backups: number = DEFAULT_BACKUPS): Promise<boolean> {
  let removed = false;
  for (const month of await listArchiveMonths(dataDir, channelId)) {
    const doc = await readArchive(dataDir, channelId, month);
    if (!doc || !doc.items.some((i) => i.id === itemId)) continue;
    doc.items = doc.items.filter((i) => i.id !== itemId);
    doc.schemaVersion = SCHEMA_VERSION;
    await writeFileDurably(archiveFile(dataDir, channelId, month), JSON.stringify(doc), { backups });
    removed = true;
  }
  return removed;
}

function emptyArchive(channelId: string, month: string): ArchiveDocument {
  return { schemaVersion: SCHEMA_VERSION, kind: 'archive', channelId, month, items: [] };
}

function checkArchive(doc: Record<string, unknown>, channelId: string, month: string): ArchiveDocument {
  if (doc.kind !== 'archive') throw new Error(`not an archive document (kind ${JSON.stringify(doc.kind) ?? 'missing'})`);
  if (doc.channelId !== channelId || doc.month !== month) {
    throw new Error(`holds ${String(doc.channelId)} ${String(doc.month)}, not ${channelId} ${month}`);
  }
  checkItems(doc.items);
  return doc as unknown as ArchiveDocument;
}

/** Every item must at least be an object with an id: a truncated or hand-edited list is caught at load. */
export function checkItems(items: unknown): asserts items is Item[] {
  if (!Array.isArray(items)) throw new Error('"items" is not a list');
  for (const [i, item] of items.entries()) {
    if (typeof item !== 'object' || item === null || typeof (item as { id?: unknown }).id !== 'string') {
      throw new Error(`items[${i}] is not an item (no "id")`);
    }
  }
}
