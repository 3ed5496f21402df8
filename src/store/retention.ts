import { compareItems, type Item, itemTime } from '../model.js';

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
 */
export function selectEvictions(items: readonly Item[], rules: RetentionRules): Set<string> {
  const evicted = new Set<string>();
  if (rules.maxAgeMs !== undefined) {
    const cutoff = rules.now.getTime() - rules.maxAgeMs;
    for (const item of items) if (itemTime(item) < cutoff) evicted.add(item.id);
  }
  if (items.length - evicted.size > rules.maxItems) {
    const kept = items.filter((i) => !evicted.has(i.id)).sort(compareItems);
    for (const item of kept.slice(rules.maxItems)) evicted.add(item.id);
  }
  return evicted;
}
