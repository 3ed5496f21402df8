import { randomUUID } from 'node:crypto';
import { copyFile, link } from 'node:fs/promises';
import path from 'node:path';
import { compareItems, type Item, type SourceState } from '../../model.js';
import { archiveDir, archiveItems, checkItems, listArchiveMonths, MONTH_PATTERN, readArchive, removeFromArchive } from './archive.js';
import { countItems } from './backups.js';
import type { DocumentReader } from './backups.js';
import { DEFAULT_BACKUPS, sweepTempFilesIn } from './durable-file.js';
import { JsonDocument } from './json-document.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { selectEvictions } from '../retention.js';
import { StoreError } from '../store.js';
import type { ApplyResult, IngestBatch, SourceCounts, Store } from '../store.js';

export { SCHEMA_VERSION };

/**
 * The document kept per channel at <dataDir>/channels/<id>.json. The source states live here, beside the
 * items, rather than in a separate state file: an upstream's ETag and Last-Modified must never be saved
 * without the items they validated (the next conditional GET would answer 304 and those items would be
 * lost for good), and one document per run keeps that atomic with one write.
 */
export interface ChannelDocument {
  schemaVersion: number;
  kind: 'channel';
  channelId: string;
  /** A new random token whenever the items (live or archived) change, so every process can tell (and caches can key on it). */
  itemsVersion: string;
  items: Item[];
  sources: Record<string, SourceState>;
  /** Items an operator deleted (id → ISO 8601 deletedAt): merge() never adds them again. The newest
   *  MAX_TOMBSTONES are kept. */
  tombstones: Record<string, string>;
}

/** Tombstones kept per channel; the oldest go first (an upstream rarely lists an entry for that long). */
export const MAX_TOMBSTONES = 10_000;

export interface LowdbStoreOptions {
  /** Rotated backups per file (default 3). */
  backups?: number;
  /** Debounce window of each channel's writer, in ms (default 0: group commit only). */
  debounceMs?: number;
}

interface Slot {
  doc: JsonDocument<ChannelDocument>;
  /** The items version `sorted` was built from. */
  sortedVersion: string;
  sorted: readonly Item[];
  /** Local counter that moves whenever the items version does. */
  revision: number;
  /** Months with an archive file, oldest first. */
  months: readonly string[];
}

export function channelFile(dataDir: string, channelId: string): string {
  return path.join(dataDir, 'channels', `${channelId}.json`);
}

/** The command that restores a channel document, quoted in error messages. */
export function channelRestoreCommand(channelId: string): string {
  return `syndicator store restore ${channelId}`;
}

/** Checks a parsed channel document, migrating it first; onMigrated hears the version it had when older. */
function channelCheck(file: string, channelId: string, onMigrated?: (from: number) => void): (parsed: unknown) => ChannelDocument {
  return (parsed) => {
    const { doc, from } = migrate(parsed, file);
    const checked = checkChannel(doc, channelId);
    if (from < SCHEMA_VERSION) onMigrated?.(from);
    return checked;
  };
}

const describeChannel = (doc: ChannelDocument): string => countItems(doc.items.length);

/** Parses and checks a channel document (migrations included); used to load it and to judge its backups. */
export function channelReader(file: string, channelId: string): DocumentReader<ChannelDocument> {
  const check = channelCheck(file, channelId);
  return { parse: (text) => check(JSON.parse(text)), describe: describeChannel };
}

/**
 * lowdb behind the Store interface: one compact JSON document per channel (a write never rewrites
 * other channels' items), one write per applied batch, shared safely with other processes through
 * JsonDocument (durable writes, rotated backups); items that retention removes go to monthly archive
 * files first (archive.ts).
 */
export class LowdbStore implements Store {
  readonly #slots = new Map<string, Slot>();

  private constructor(
    readonly dataDir: string,
    private readonly backups: number,
  ) {}

  /**
   * Opens (without writing) the documents of the given channels. A damaged document stops the open
   * with an error naming the file and its newest good backup: it is never silently replaced by an empty
   * one. A document of an older schema is migrated in memory, and the file as it was is kept beside it
   * (`<file>.schema-v<N>`) before the first write at the new version can replace it.
   */
  static async open(dataDir: string, channelIds: readonly string[], options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    const store = new LowdbStore(dataDir, options.backups ?? DEFAULT_BACKUPS);
    const openOne = async (id: string): Promise<Slot> => {
      const file = channelFile(dataDir, id);
      let migratedFrom: number | undefined;
      const doc = await JsonDocument.open<ChannelDocument>(file, {
        empty: () => emptyDocument(id),
        check: channelCheck(file, id, (from) => (migratedFrom = from)),
        describe: describeChannel,
        restoreCommand: channelRestoreCommand(id),
        backups: store.backups,
        serialize: channelSerializer(),
        ...(options.debounceMs !== undefined && { debounceMs: options.debounceMs }),
      });
      if (migratedFrom !== undefined) await keepCopy(file, `${file}.schema-v${migratedFrom}`);
      await sweepTempFilesIn(archiveDir(dataDir, id));
      return { doc, sortedVersion: '', sorted: [], revision: 0, months: await listArchiveMonths(dataDir, id) };
    };
    // Two at a time: one file is read (in the thread pool) while the previous one is decoded and parsed
    // (on this thread); more would only hold more files in memory at once.
    const slots = await mapWithConcurrency(channelIds, 2, openOne);
    channelIds.forEach((id, i) => store.#slots.set(id, slots[i]!));
    return store;
  }

  items(channelId: string): readonly Item[] {
    return this.#current(this.#slot(channelId)).sorted;
  }

  revision(channelId: string): number {
    return this.#current(this.#slot(channelId)).revision;
  }

  sourceStates(channelId: string): readonly SourceState[] {
    return Object.values(this.#slot(channelId).doc.data.sources);
  }

  apply(channelId: string, batch: IngestBatch): Promise<ApplyResult> {
    const slot = this.#slot(channelId);
    return slot.doc.update(async (data) => {
      const merged = merge(data, batch);
      let archived = 0;
      let removed = 0;
      if (merged.evicted.length > 0) {
        // Into the archive first, durably; only then may the live document (written after this) drop them.
        const result = await archiveItems(this.dataDir, channelId, merged.evicted, this.backups);
        archived = result.written;
        if (result.months.length > 0) slot.months = [...new Set([...slot.months, ...result.months])].sort();
        removed = merged.evicted.length;
        // An upstream still listing an item that retention already archived: not news, not a change.
        for (const item of merged.evicted) {
          if (!merged.added.has(item.id) || !result.unchanged.has(item.id)) continue;
          removed -= 1;
          const counts = merged.bySource.get(item.sourceId);
          if (counts) {
            counts.added -= 1;
            counts.unchanged += 1;
          }
        }
      }
      recordSourceStates(data, batch, merged.bySource);
      const changed = merged.liveChanged || archived > 0;
      if (changed) data.itemsVersion = randomUUID();
      return { bySource: merged.bySource, removed, archived, changed };
    });
  }

  deleteItem(channelId: string, itemId: string, now: Date): Promise<boolean> {
    const slot = this.#slot(channelId);
    return slot.doc.update(async (data) => {
      const live = data.items.some((i) => i.id === itemId);
      const archived = await removeFromArchive(this.dataDir, channelId, itemId, this.backups);
      const known = live || archived || itemId in data.tombstones;
      if (!known) return false;
      if (live) data.items = data.items.filter((i) => i.id !== itemId);
      data.tombstones[itemId] ??= now.toISOString();
      const ids = Object.keys(data.tombstones);
      if (ids.length > MAX_TOMBSTONES) {
        const oldest = ids.sort((a, b) => (data.tombstones[a]! < data.tombstones[b]! ? -1 : 1)).slice(0, ids.length - MAX_TOMBSTONES);
        for (const id of oldest) delete data.tombstones[id];
      }
      if (live || archived) data.itemsVersion = randomUUID();
      if (archived) slot.months = await listArchiveMonths(this.dataDir, channelId);
      return true;
    });
  }

  updateSourceState(channelId: string, sourceId: string, change: (state: SourceState) => SourceState): Promise<boolean> {
    const slot = this.#slot(channelId);
    return slot.doc.update(async (data) => {
      const state = data.sources[sourceId];
      if (!state) return false;
      data.sources[sourceId] = change(state);
      return true;
    });
  }

  archiveMonths(channelId: string): readonly string[] {
    return this.#slot(channelId).months;
  }

  async archivedItems(channelId: string, month: string): Promise<readonly Item[]> {
    const slot = this.#slot(channelId);
    if (!MONTH_PATTERN.test(month)) return [];
    const doc = await readArchive(this.dataDir, channelId, month);
    if (!doc) return [];
    const live = new Set(slot.doc.data.items.map((i) => i.id));
    return Object.freeze(doc.items.filter((i) => !live.has(i.id)));
  }

  async sync(): Promise<void> {
    for (const [id, slot] of this.#slots) {
      await slot.doc.sync();
      slot.months = await listArchiveMonths(this.dataDir, id);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((s) => s.doc.flush()));
  }

  #slot(channelId: string): Slot {
    const slot = this.#slots.get(channelId);
    if (!slot) throw new StoreError(`unknown channel "${channelId}"`);
    return slot;
  }

  /** Re-sorts lazily, once per items version, whoever changed them. */
  #current(slot: Slot): Slot {
    const { itemsVersion, items } = slot.doc.data;
    if (slot.sortedVersion !== itemsVersion || (slot.revision === 0 && items.length > 0)) {
      slot.sorted = Object.freeze([...items].sort(compareItems));
      slot.sortedVersion = itemsVersion;
      slot.revision += 1;
    }
    return slot;
  }
}

interface Merged {
  bySource: Map<string, SourceCounts>;
  /** Items that retention takes out of the live set (they go to the archive). */
  evicted: Item[];
  /** Ids new to the live set in this batch. */
  added: Set<string>;
  /** Whether the live set a reader sees changed. */
  liveChanged: boolean;
}

function merge(doc: ChannelDocument, batch: IngestBatch): Merged {
  const byId = new Map(doc.items.map((item, index) => [item.id, index]));
  const bySource = new Map<string, SourceCounts>();
  const added = new Set<string>();
  const touched = new Set<string>();
  const nowIso = batch.now.toISOString();

  for (const incoming of batch.items) {
    const counts = bySource.get(incoming.sourceId) ?? { added: 0, updated: 0, unchanged: 0 };
    bySource.set(incoming.sourceId, counts);
    // Deleted by an operator: never back, and not news either.
    if (Object.hasOwn(doc.tombstones, incoming.id)) continue;
    const index = byId.get(incoming.id);
    if (index === undefined) {
      byId.set(incoming.id, doc.items.length);
      doc.items.push({ ...incoming });
      counts.added += 1;
      added.add(incoming.id);
      touched.add(incoming.id);
      continue;
    }
    const existing = doc.items[index]!;
    if (existing.contentHash === incoming.contentHash) {
      counts.unchanged += 1;
      continue;
    }
    // The content changed: updatedAt must move forward even when the upstream did not say so.
    const updatedAt = incoming.updatedAt > existing.updatedAt ? incoming.updatedAt : nowIso;
    doc.items[index] = { ...incoming, ingestedAt: existing.ingestedAt, updatedAt };
    counts.updated += 1;
    touched.add(incoming.id);
  }

  const evictedIds = selectEvictions(doc.items, { maxItems: batch.maxItems, now: batch.now, ...(batch.maxAgeMs !== undefined && { maxAgeMs: batch.maxAgeMs }) });
  const evicted: Item[] = [];
  if (evictedIds.size > 0) {
    const keep: Item[] = [];
    for (const item of doc.items) (evictedIds.has(item.id) ? evicted : keep).push(item);
    doc.items = keep;
  }
  // The live set changed when an item of it left, or when an added or updated item stayed in it.
  const liveChanged = evicted.some((i) => !added.has(i.id)) || [...touched].some((id) => !evictedIds.has(id));
  return { bySource, evicted, added, liveChanged };
}

/**
 * Writes a channel document as UTF-8 chunks, keeping each item's encoded JSON from one write to the next:
 * stored items are never edited in place (merge replaces an item with a new object), so an item object
 * seen before has the same bytes. A write then encodes only new and changed items and the small rest of
 * the document — on CJK text, UTF-8 encoding costs more than JSON.stringify itself (docs/benchmarks.md).
 * The cache costs about the file's size in memory and empties itself when items are dropped or reloaded.
 */
function channelSerializer(): (doc: ChannelDocument) => Uint8Array[] {
  const encoded = new WeakMap<Item, Uint8Array>();
  const comma = Buffer.from(',');
  return (doc) => {
    const { items, ...rest } = doc;
    // `rest` always has schemaVersion, so its JSON ends in "}" after at least one member.
    const chunks: Uint8Array[] = [Buffer.from(`${JSON.stringify(rest).slice(0, -1)},"items":[`)];
    for (const [i, item] of items.entries()) {
      let bytes = encoded.get(item);
      if (bytes === undefined) {
        bytes = Buffer.from(JSON.stringify(item));
        encoded.set(item, bytes);
      }
      if (i > 0) chunks.push(comma);
      chunks.push(bytes);
    }
    chunks.push(Buffer.from(']}'));
    return chunks;
  };
}

async function mapWithConcurrency<A, B>(inputs: readonly A[], limit: number, fn: (input: A) => Promise<B>): Promise<B[]> {
  const results: B[] = new Array<B>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await fn(inputs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}

/** A source's counts are only known after the merge and the archive step; they ride in the same write. */
function recordSourceStates(doc: ChannelDocument, batch: IngestBatch, bySource: Map<string, SourceCounts>): void {
  for (const state of batch.sourceStates) {
    const counts = bySource.get(state.sourceId) ?? { added: 0, updated: 0, unchanged: 0 };
    const fetched = batch.items.filter((i) => i.sourceId === state.sourceId).length;
    doc.sources[state.sourceId] = { ...state, lastCounts: { fetched, ...counts } };
  }
}

function emptyDocument(channelId: string): ChannelDocument {
  return { schemaVersion: SCHEMA_VERSION, kind: 'channel', channelId, itemsVersion: '', items: [], sources: {}, tombstones: {} };
}

function checkChannel(doc: Record<string, unknown>, channelId: string): ChannelDocument {
  if (doc.kind !== 'channel') throw new Error(`not a channel document (kind ${JSON.stringify(doc.kind) ?? 'missing'})`);
  if (typeof doc.channelId === 'string' && doc.channelId !== channelId) {
    throw new Error(`holds channel "${doc.channelId}", not "${channelId}"`);
  }
  checkItems(doc.items);
  if (typeof doc.sources !== 'object' || doc.sources === null || Array.isArray(doc.sources)) {
    throw new Error('not a channel document (expected "sources" to be an object)');
  }
  if (typeof doc.itemsVersion !== 'string') throw new Error('not a channel document ("itemsVersion" is not a string)');
  if (typeof doc.tombstones !== 'object' || doc.tombstones === null || Array.isArray(doc.tombstones)) {
    throw new Error('not a channel document (expected "tombstones" to be an object)');
  }
  return { ...(doc as unknown as ChannelDocument), channelId };
}

/** Keeps `file` as it is now under another name (a hard link; a copy where links are not supported); an existing copy is left alone. */
async function keepCopy(file: string, as: string): Promise<void> {
  try {
    await link(file, as);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return;
    await copyFile(file, as);
  }
}
