import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Item, SourceState } from '../model.js';
import { JsonDocument } from './json-document.js';
import { compareItems, StoreError } from './store.js';
import type { ApplyResult, IngestBatch, SourceCounts, Store } from './store.js';

export const SCHEMA_VERSION = 1;

/** The document kept per channel at <dataDir>/channels/<id>.json. */
export interface ChannelDocument {
  schemaVersion: number;
  channelId: string;
  /** A new random token whenever the items change, so every process can tell (and caches can key on it). */
  itemsVersion: string;
  items: Item[];
  sources: Record<string, SourceState>;
}

interface Slot {
  doc: JsonDocument<ChannelDocument>;
  /** The items version `sorted` was built from. */
  sortedVersion: string;
  sorted: readonly Item[];
  /** Local counter that moves whenever the items version does. */
  revision: number;
}

/**
 * lowdb behind the Store interface: one compact JSON document per channel (a write never rewrites
 * other channels' items), one write per applied batch, shared safely with other processes through
 * JsonDocument.
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
    for (const id of channelIds) {
      const file = path.join(dataDir, 'channels', `${id}.json`);
      const doc = await JsonDocument.open(file, { empty: () => emptyDocument(id), check: (parsed) => checkDocument(parsed, file) });
      store.#slots.set(id, { doc, sortedVersion: '', sorted: [], revision: 0 });
    }
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
    return this.#slot(channelId).doc.update((data) => merge(data, batch));
  }

  async sync(): Promise<void> {
    for (const slot of this.#slots.values()) await slot.doc.sync();
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
  if (changed) doc.itemsVersion = randomUUID();
  return { bySource, removed, changed };
}

function emptyDocument(channelId: string): ChannelDocument {
  return { schemaVersion: SCHEMA_VERSION, channelId, itemsVersion: '', items: [], sources: {} };
}

function checkDocument(parsed: unknown, file: string): ChannelDocument {
  const doc = parsed as Partial<ChannelDocument> | null;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.items) || typeof doc.sources !== 'object' || doc.sources === null) {
    throw new Error('not a channel document (expected an object with "items" and "sources")');
  }
  if (doc.schemaVersion !== SCHEMA_VERSION) {
    throw new StoreError(`${file} has schema version ${String(doc.schemaVersion)}; this build reads ${SCHEMA_VERSION}`);
  }
  return { ...(doc as ChannelDocument), itemsVersion: doc.itemsVersion ?? '' };
}
