import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Item, SourceState } from '../model.js';
import { withFileLock } from './file-lock.js';
import { compareItems, StoreError } from './store.js';
import type { ApplyResult, IngestBatch, SourceCounts, Store } from './store.js';

export const SCHEMA_VERSION = 1;

/** The document kept per channel at <dataDir>/channels/<id>.json. */
export interface ChannelDocument {
  schemaVersion: number;
  channelId: string;
  items: Item[];
  sources: Record<string, SourceState>;
}

interface Slot {
  file: string;
  db: Low<ChannelDocument>;
  /** mtime and size of the file as we last read or wrote it; a difference means another writer. */
  seen: FileSignature | undefined;
  sorted: readonly Item[];
  revision: number;
  /** Serializes this process's writes to the file. */
  queue: Promise<unknown>;
}

/**
 * lowdb behind the Store interface: one compact JSON file per channel, written atomically (lowdb's
 * steno writes a temp file and renames it), one write per applied batch, and a lock file around each
 * read-modify-write so a CLI and a server sharing the data directory never lose each other's writes.
 */
export class LowdbStore implements Store {
  readonly #slots = new Map<string, Slot>();

  private constructor(readonly dataDir: string) {}

  /**
   * Opens (without writing) the documents of the given channels. A damaged document stops the open
   * with an error naming the file: it is never silently replaced by an empty one.
   */
  static async open(dataDir: string, channelIds: readonly string[]): Promise<LowdbStore> {
    const store = new LowdbStore(dataDir);
    await mkdir(path.join(dataDir, 'channels'), { recursive: true });
    for (const id of channelIds) {
      const file = path.join(dataDir, 'channels', `${id}.json`);
      const adapter = new DataFile<ChannelDocument>(file, { parse: parseDocument, stringify: (d) => JSON.stringify(d) });
      const slot: Slot = {
        file,
        db: new Low(adapter, emptyDocument(id)),
        seen: undefined,
        sorted: [],
        revision: 0,
        queue: Promise.resolve(),
      };
      store.#slots.set(id, slot);
      await store.#reload(slot);
    }
    return store;
  }

  items(channelId: string): readonly Item[] {
    return this.#slot(channelId).sorted;
  }

  revision(channelId: string): number {
    return this.#slot(channelId).revision;
  }

  sourceStates(channelId: string): readonly SourceState[] {
    return Object.values(this.#slot(channelId).db.data.sources);
  }

  apply(channelId: string, batch: IngestBatch): Promise<ApplyResult> {
    const slot = this.#slot(channelId);
    const run = slot.queue.then(() =>
      withFileLock(`${slot.file}.lock`, async () => {
        await this.#reloadIfChanged(slot);
        const result = merge(slot.db.data, batch);
        await slot.db.write();
        slot.seen = await fileSignature(slot.file);
        if (result.changed) this.#resort(slot);
        return result;
      }),
    );
    slot.queue = run.catch(() => undefined);
    return run;
  }

  async sync(): Promise<void> {
    for (const slot of this.#slots.values()) {
      await slot.queue;
      await this.#reloadIfChanged(slot);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((s) => s.queue));
  }

  #slot(channelId: string): Slot {
    const slot = this.#slots.get(channelId);
    if (!slot) throw new StoreError(`unknown channel "${channelId}"`);
    return slot;
  }

  async #reloadIfChanged(slot: Slot): Promise<void> {
    const now = await fileSignature(slot.file);
    if (now?.ino === slot.seen?.ino && now?.mtimeMs === slot.seen?.mtimeMs && now?.size === slot.seen?.size) return;
    await this.#reload(slot);
  }

  async #reload(slot: Slot): Promise<void> {
    const signature = await fileSignature(slot.file);
    try {
      await slot.db.read();
    } catch (err) {
      throw new StoreError(`${slot.file} is damaged and was not loaded (${(err as Error).message})`, { cause: err });
    }
    if (slot.db.data.schemaVersion !== SCHEMA_VERSION) {
      throw new StoreError(`${slot.file} has schema version ${slot.db.data.schemaVersion}; this build reads ${SCHEMA_VERSION}`);
    }
    slot.seen = signature;
    this.#resort(slot);
  }

  #resort(slot: Slot): void {
    slot.sorted = Object.freeze([...slot.db.data.items].sort(compareItems));
    slot.revision += 1;
  }
}

function merge(doc: ChannelDocument, batch: IngestBatch): ApplyResult {
  const byId = new Map(doc.items.map((item, index) => [item.id, index]));
  const bySource = new Map<string, SourceCounts>();
  let changed = false;
  const nowIso = batch.now.toISOString();

  for (const incoming of batch.items) {
    const counts = bySource.get(incoming.sourceId) ?? { added: 0, updated: 0, unchanged: 0 };
    bySource.set(incoming.sourceId, counts);
    const index = byId.get(incoming.id);
    if (index === undefined) {
      byId.set(incoming.id, doc.items.length);
      doc.items.push({ ...incoming });
      counts.added += 1;
      changed = true;
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
    changed = true;
  }

  // A source's counts are only known after the merge; they ride in the same write.
  for (const state of batch.sourceStates) {
    const counts = bySource.get(state.sourceId) ?? { added: 0, updated: 0, unchanged: 0 };
    const fetched = batch.items.filter((i) => i.sourceId === state.sourceId).length;
    doc.sources[state.sourceId] = { ...state, lastCounts: { fetched, ...counts } };
  }

  let removed = 0;
  if (doc.items.length > batch.maxItems) {
    const keep = new Set([...doc.items].sort(compareItems).slice(0, batch.maxItems).map((i) => i.id));
    const before = doc.items.length;
    doc.items = doc.items.filter((i) => keep.has(i.id));
    removed = before - doc.items.length;
    changed = true;
  }
  return { bySource, removed, changed };
}

function emptyDocument(channelId: string): ChannelDocument {
  return { schemaVersion: SCHEMA_VERSION, channelId, items: [], sources: {} };
}

function parseDocument(text: string): ChannelDocument {
  const doc = JSON.parse(text) as unknown;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    !Array.isArray((doc as ChannelDocument).items) ||
    typeof (doc as ChannelDocument).sources !== 'object' ||
    (doc as ChannelDocument).sources === null
  ) {
    throw new Error('not a channel document (expected an object with "items" and "sources")');
  }
  return doc as ChannelDocument;
}

/** Every write renames a new file into place, so the inode alone tells a write apart; mtime and size back it up. */
interface FileSignature {
  ino: number;
  mtimeMs: number;
  size: number;
}

async function fileSignature(file: string): Promise<FileSignature | undefined> {
  try {
    const info = await stat(file);
    return { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
