import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { archiveMonthOf, compareItems, type Item } from '../../model.js';
import { sortInSlices, TimeSlice } from '../../slices.js';
import { countItems, damagedFileError, missingFileError } from './backups.js';
import type { DocumentReader } from './backups.js';
import { DEFAULT_BACKUPS, readBytesIfExists, writeFileDurably } from './durable-file.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';

/**
 * One month of a channel's archive, <dataDir>/archive/<channel>/<YYYY-MM>.json: the items that retention
 * moved out of the live channel document whose publishedAt (else updatedAt) falls in that UTC month,
 * newest first. Written only under the channel document's lock, and only when retention moves something.
 *
 * The file is JSON with one item per line (see encodeArchive), so that a month of tens of thousands of
 * items is read and written on the serving thread in slices, item by item, never as one long
 * JSON.parse or JSON.stringify; a file written on one line (by earlier builds, or by hand) reads too.
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
  return (await readArchiveBytes(dataDir, channelId, month, new TimeSlice()))?.doc ?? null;
}

/** An archive month as read, with each item's bytes in the file (so that a rewrite copies them, not re-encodes them). */
interface ReadArchive {
  doc: ArchiveDocument;
  bytes: Map<Item, Uint8Array>;
}

async function readArchiveBytes(dataDir: string, channelId: string, month: string, slice: TimeSlice): Promise<ReadArchive | null> {
  const file = archiveFile(dataDir, channelId, month);
  const reader = archiveReader(file, channelId, month);
  const data = await readBytesIfExists(file);
  if (data === null) {
    const missing = await missingFileError(file, reader, archiveRestoreCommand(channelId, month));
    if (missing) throw missing;
    return null;
  }
  try {
    const lines = await parseArchiveLines(data, slice);
    if (lines) return { doc: checkArchive(migrate(lines.doc, file).doc, channelId, month), bytes: lines.bytes };
    // Not written one item per line: the whole document at once.
    return { doc: reader.parse(data.toString('utf8')), bytes: new Map() };
  } catch (err) {
    throw await damagedFileError(file, err, reader, archiveRestoreCommand(channelId, month));
  }
}

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const ITEMS_OPEN = '"items":[';
const TAIL = '\n]}';

/**
 * Reads a document written by encodeArchive — a first line `{…,"items":[`, one item per line (each but
 * the last followed by a comma), a last line `]}` — item by item, pausing between slices. Undefined when
 * the bytes are not laid out so (a document on one line, a hand-edited one): the caller then parses the
 * whole text, which also names what is wrong with a damaged file. JSON strings cannot hold a raw line
 * feed (RFC 8259 §7), so each line is exactly one item.
 */
async function parseArchiveLines(data: Buffer, slice: TimeSlice): Promise<{ doc: Record<string, unknown>; bytes: Map<Item, Uint8Array> } | undefined> {
  const first = data.indexOf(NEWLINE);
  const stop = data.length - TAIL.length;
  if (first < 0 || stop < first || data.toString('latin1', stop) !== TAIL) return undefined;
  const head = data.toString('utf8', 0, first);
  if (!head.endsWith(ITEMS_OPEN)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(`${head}]}`);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const items: unknown[] = [];
  const bytes = new Map<Item, Uint8Array>();
  for (let at = first + 1; at <= stop; ) {
    const end = data.indexOf(NEWLINE, at);
    const last = end === stop;
    if (!last && data[end - 1] !== COMMA) return undefined;
    const line = data.subarray(at, last ? end : end - 1);
    let item: unknown;
    try {
      item = JSON.parse(line.toString('utf8'));
    } catch {
      return undefined;
    }
    items.push(item);
    if (typeof item === 'object' && item !== null) bytes.set(item as Item, line);
    at = end + 1;
    if (slice.due) await slice.pause();
  }
  (doc as Record<string, unknown>).items = items;
  return { doc: doc as Record<string, unknown>, bytes };
}

/**
 * The bytes of an archive document, one item per line (see parseArchiveLines): an item read from the file
 * keeps its bytes (`known`), the others are encoded, pausing between slices.
 */
async function encodeArchive(doc: ArchiveDocument, known: ReadonlyMap<Item, Uint8Array>, slice: TimeSlice): Promise<Uint8Array[]> {
  const { items, ...rest } = doc;
  // `rest` always has schemaVersion, so its JSON ends in "}" after at least one member.
  const chunks: Uint8Array[] = [Buffer.from(`${JSON.stringify(rest).slice(0, -1)},${ITEMS_OPEN}`)];
  const first = Buffer.from('\n');
  const next = Buffer.from(',\n');
  for (const [i, item] of items.entries()) {
    chunks.push(i === 0 ? first : next, known.get(item) ?? Buffer.from(JSON.stringify(item)));
    if (slice.due) await slice.pause();
  }
  chunks.push(Buffer.from(TAIL));
  return chunks;
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
  // Tens of thousands of items may leave the live set in one run: every loop below runs in slices.
  const slice = new TimeSlice();
  const byMonth = new Map<string, Item[]>();
  for (const item of items) {
    const month = archiveMonthOf(item);
    const list = byMonth.get(month);
    if (list) list.push(item);
    else byMonth.set(month, [item]);
    if (slice.due) await slice.pause();
  }
  const result: ArchiveResult = { written: 0, unchanged: new Set(), months: [] };
  for (const [month, monthItems] of [...byMonth].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const read = await readArchiveBytes(dataDir, channelId, month, slice);
    const doc = read?.doc ?? emptyArchive(channelId, month);
    const index = new Map<string, number>();
    for (const [i, item] of doc.items.entries()) {
      index.set(item.id, i);
      if (slice.due) await slice.pause();
    }
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
      if (slice.due) await slice.pause();
    }
    if (written === 0) continue;
    doc.items = await sortInSlices(doc.items, compareItems, slice);
    doc.schemaVersion = SCHEMA_VERSION;
    const file = archiveFile(dataDir, channelId, month);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileDurably(file, await encodeArchive(doc, read?.bytes ?? new Map(), slice), { backups });
    result.written += written;
    result.months.push(month);
  }
  return result;
}

/** Removes one item from whichever archive month holds it (durably, with backups); whether one did. The caller holds the channel's lock. */
export async function removeFromArchive(dataDir: string, channelId: string, itemId: string, backups: number = DEFAULT_BACKUPS): Promise<boolean> {
  const slice = new TimeSlice();
  let removed = false;
  for (const month of await listArchiveMonths(dataDir, channelId)) {
    const read = await readArchiveBytes(dataDir, channelId, month, slice);
    if (!read || !read.doc.items.some((i) => i.id === itemId)) continue;
    const doc = { ...read.doc, items: read.doc.items.filter((i) => i.id !== itemId), schemaVersion: SCHEMA_VERSION };
    await writeFileDurably(archiveFile(dataDir, channelId, month), await encodeArchive(doc, read.bytes, slice), { backups });
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
