import { compareItems, type Item, itemTime } from '../model.js';
import { sortInSlices, TimeSlice } from '../slices.js';

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** The longest maxAge accepted: a hundred years. */
const MAX_AGE_LIMIT_MS = 100 * 365 * UNIT_MS.d;

/**
 * A channel's `maxAge` ("90d", "12w", "36h": a whole number and a unit, h, d or w) in milliseconds;
 * undefined when the text is not such a duration.
 */
export function parseMaxAge(text: string): number | undefined {
  const m = /^([1-9]\d{0,5})(h|d|w)$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms <= MAX_AGE_LIMIT_MS ? ms : undefined;
}

export interface RetentionRules {
  maxItems: number;
  maxAgeMs?: number;
  now: Date;
}

/**
 * The ids of the items retention moves out of the live set: everything after the newest maxItems, and
 * everything older than now − maxAgeMs. Items whose time does not parse are judged by maxItems only.
 * Runs in slices (`slice`), pausing for the event loop: a batch may hold tens of thousands of items.
 */
export async function selectEvictions(items: readonly Item[], rules: RetentionRules, slice: TimeSlice = new TimeSlice()): Promise<Set<string>> {
  const evicted = new Set<string>();
  if (rules.maxAgeMs !== undefined) {
    const cutoff = rules.now.getTime() - rules.maxAgeMs;
    for (const item of items) {
      if (itemTime(item) < cutoff) evicted.add(item.id);
      if (slice.due) await slice.pause();
    }
  }
  if (items.length - evicted.size > rules.maxItems) {
    const kept = evicted.size === 0 ? items : items.filter((i) => !evicted.has(i.id));
    const sorted = await sortInSlices(kept, compareItems, slice);
    for (let i = rules.maxItems; i < sorted.length; i += 1) {
      evicted.add(sorted[i]!.id);
      if (slice.due) await slice.pause();
    }
  }
  return evicted;
}
