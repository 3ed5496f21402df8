import { mapWithConcurrency } from '../concurrency.js';
import { randomUUID } from 'node:crypto';
import { copyFile, link } from 'node:fs/promises';
import path from 'node:path';
import { compareItems, type Item, type SourceState } from '../../model.js';
import { type ChannelDocument, MAX_TOMBSTONES, checkChannel, emptyDocument } from './channel-document.js';
import { channelSerializer } from './channel-serializer.js';
import { archiveDir, archiveItems, listArchiveMonths, MONTH_PATTERN, readArchive, removeFromArchive } from './archive.js';
import { countItems } from './backups.js';
import type { DocumentReader } from './backups.js';
import { DEFAULT_BACKUPS, sweepTempFilesIn } from './durable-file.js';
import { JsonDocument } from './json-document.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { mergeBatch, sourceStatesAfter } from '../merge.js';
import { StoreError } from '../store.js';
import type { ApplyResult, IngestBatch, Store } from '../store.js';

export { SCHEMA_VERSION };
export { type ChannelDocument, MAX_TOMBSTONES } from './channel-document.js';

export interface FileStoreOptions {
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
export class FileStore implements Store {
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
  static async open(dataDir: string, channelIds: readonly string[], options: FileStoreOptions = {}): Promise<FileStore> {
    const store = new FileStore(dataDir, options.backups ?? DEFAULT_BACKUPS);
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
      const merged = await mergeBatch(data, batch);
      data.items = merged.items;
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
      data.sources = sourceStatesAfter(data.sources, batch, merged.bySource);
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

/** The class's name before it said what it is (the file backend, not the vendor's). Kept only so that
 *  branches written against the old name merge cleanly; new code uses FileStore. */
export { FileStore as LowdbStore };
