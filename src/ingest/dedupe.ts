// Cross-source de-duplication of one channel's run: which new entries are kept.

import type { Item } from '../model.js';

/**
 * One article, one item per channel. An entry whose canonical link is already held by another
 * source's item (stored, or earlier in this run in channel order) is dropped: the first source to
 * bring an article keeps it, so a stored item never changes hands. Within one source, an entry with
 * a new id but the link and title of a stored item of that source (an upstream that changed its
 * GUIDs) is dropped too. Entries of one source sharing a link but not a title are kept (some feeds
 * link every entry to their home page). An item without a link is never matched by link: two
 * entries that both lack one are not the same article.
 */
export function dedupeAcrossSources(items: readonly Item[], stored: readonly Item[]): Item[] {
  const owner = new Map<string, { sourceId: string; ids: Set<string>; titles: Set<string> }>();
  const claim = (item: Item) => {
    if (item.link === undefined) return;
    const entry = owner.get(item.link);
    if (!entry) owner.set(item.link, { sourceId: item.sourceId, ids: new Set([item.id]), titles: new Set([item.title]) });
    else if (entry.sourceId === item.sourceId) {
      entry.ids.add(item.id);
      entry.titles.add(item.title);
    }
  };
  for (const item of stored) claim(item);
  const storedIds = new Set(stored.map((i) => i.id));
  const kept: Item[] = [];
  for (const item of items) {
    const entry = item.link === undefined ? undefined : owner.get(item.link);
    if (entry && !entry.ids.has(item.id) && !storedIds.has(item.id)) {
      if (entry.sourceId !== item.sourceId) continue;
      if (entry.titles.has(item.title) && [...entry.ids].some((id) => storedIds.has(id))) continue;
    }
    claim(item);
    kept.push(item);
  }
  return kept;
}
