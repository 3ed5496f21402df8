// The merge of an ingest batch into a channel's live items: which items are new, updated or unchanged,
// which an operator deleted (tombstones), and which retention takes out (to the archive). Pure — no
// I/O, input never modified — so every store backend applies a batch the same way. It runs on the
// serving thread in slices (../slices.ts): a batch may hold tens of thousands of items.

import type { Item, SourceState } from '../model.js';
import { TimeSlice } from '../slices.js';
import { selectEvictions } from './retention.js';
import type { IngestBatch, SourceCounts } from './store.js';

/** What the merge reads of a channel's stored state. */
export interface LiveItems {
  readonly items: readonly Item[];
  /** Items an operator deleted (id → ISO 8601 deletedAt): never added again. */
  readonly tombstones: Readonly<Record<string, string>>;
}

export interface Merged {
  /** The live items after the batch and retention, stored order (existing first, new ones appended). */
  items: Item[];
  bySource: Map<string, SourceCounts>;
  /** Items that retention takes out of the live set (they go to the archive). */
  evicted: Item[];
  /** Ids new to the live set in this batch. */
  added: Set<string>;
  /** Whether the live set a reader sees changed. */
  liveChanged: boolean;
}

/**
 * Merges `batch` into `live`. A new id is added; a known id with the same contentHash is unchanged; a
 * changed one replaces the stored item, keeping its ingestedAt, with an updatedAt that moves forward
 * even when the upstream's does not (batch.now). Tombstoned ids are skipped. Then retention
 * (retention.ts) selects what leaves the live set. Pauses for the event loop between slices.
 */
export async function mergeBatch(live: LiveItems, batch: IngestBatch): Promise<Merged> {
  const slice = new TimeSlice();
  const items = [...live.items];
  const byId = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    byId.set(item.id, index);
    if (slice.due) await slice.pause();
  }
  const bySource = new Map<string, SourceCounts>();
  const added = new Set<string>();
  const touched = new Set<string>();
  const nowIso = batch.now.toISOString();

  for (const incoming of batch.items) {
    if (slice.due) await slice.pause();
    const counts = bySource.get(incoming.sourceId) ?? { added: 0, updated: 0, unchanged: 0 };
    bySource.set(incoming.sourceId, counts);
    // Deleted by an operator: never back, and not news either.
    if (Object.hasOwn(live.tombstones, incoming.id)) continue;
    const index = byId.get(incoming.id);
    if (index === undefined) {
      byId.set(incoming.id, items.length);
      items.push({ ...incoming });
      counts.added += 1;
      added.add(incoming.id);
      touched.add(incoming.id);
      continue;
    }
    const existing = items[index]!;
    if (existing.contentHash === incoming.contentHash) {
      counts.unchanged += 1;
      continue;
    }
    // The content changed: updatedAt must move forward even when the upstream did not say so.
    const updatedAt = incoming.updatedAt > existing.updatedAt ? incoming.updatedAt : nowIso;
    items[index] = { ...incoming, ingestedAt: existing.ingestedAt, updatedAt };
    counts.updated += 1;
    touched.add(incoming.id);
  }

  const rules = { maxItems: batch.maxItems, now: batch.now, ...(batch.maxAgeMs !== undefined && { maxAgeMs: batch.maxAgeMs }) };
  const evictedIds = await selectEvictions(items, rules, slice);
  const evicted: Item[] = [];
  const keep: Item[] = [];
  // The live set changed when an item of it left, or when an added or updated item stayed in it.
  let liveChanged = false;
  for (const item of evictedIds.size > 0 ? items : []) {
    if (evictedIds.has(item.id)) {
      evicted.push(item);
      if (!added.has(item.id)) liveChanged = true;
    } else keep.push(item);
    if (slice.due) await slice.pause();
  }
  for (const id of liveChanged ? [] : touched) {
    if (!evictedIds.has(id)) {
      liveChanged = true;
      break;
    }
    if (slice.due) await slice.pause();
  }
  return { items: evictedIds.size > 0 ? keep : items, bySource, evicted, added, liveChanged };
}

/** The source states after a run: each state of the batch with its counts (known only after the merge
 *  and the archive step, so they ride in the same write); other sources' states unchanged. */
export function sourceStatesAfter(
  sources: Readonly<Record<string, SourceState>>,
  batch: IngestBatch,
  bySource: ReadonlyMap<string, SourceCounts>,
): Record<string, SourceState> {
  const out = { ...sources };
  for (const state of batch.sourceStates) {
    const counts = bySource.get(state.sourceId) ?? { added: 0, updated: 0, unchanged: 0 };
    const fetched = batch.items.filter((i) => i.sourceId === state.sourceId).length;
    out[state.sourceId] = { ...state, lastCounts: { fetched, ...counts } };
  }
  return out;
}
