// Cross-source de-duplication of one channel's run: which new entries are kept.

import type { Item } from '../model.js';
import { TimeSlice } from '../slices.js';

/** Who holds a canonical link: the first source to bring it, and that source's ids and titles under it. */
interface Owner {
  sourceId: string;
  /** One id or title until a second one comes (most links have one item): tens of thousands of links
   *  then cost no sets of their own. */
  ids: string | Set<string>;
  titles: string | Set<string>;
}

const has = (v: string | Set<string>, x: string) => (typeof v === 'string' ? v === x : v.has(x));
const add = (v: string | Set<string>, x: string) => (typeof v === 'string' ? (v === x ? v : new Set([v, x])) : v.add(x));
const values = (v: string | Set<string>): Iterable<string> => (typeof v === 'string' ? [v] : v);

/**
 * One article, one item per channel. An entry whose canonical link is already held by another
 * source's item (stored, or earlier in this run in channel order) is dropped: the first source to
 * bring an article keeps it, so a stored item never changes hands. Within one source, an entry with
 * a new id but the link and title of a stored item of that source (an upstream that changed its
 * GUIDs) is dropped too. Entries of one source sharing a link but not a title are kept (some feeds
 * link every entry to their home page). An item without a link is never matched by link: two
 * entries that both lack one are not the same article. Runs on the serving thread in slices that
 * pause for the event loop (a run may bring tens of thousands of entries).
 */
export async function dedupeAcrossSources(items: readonly Item[], stored: readonly Item[]): Promise<Item[]> {
  const slice = new TimeSlice();
  const owner = new Map<string, Owner>();
  const claim = (item: Item) => {
    if (item.link === undefined) return;
    const entry = owner.get(item.link);
    if (!entry) owner.set(item.link, { sourceId: item.sourceId, ids: item.id, titles: item.title });
    else if (entry.sourceId === item.sourceId) {
      entry.ids = add(entry.ids, item.id);
      entry.titles = add(entry.titles, item.title);
    }
  };
  const storedIds = new Set<string>();
  for (const item of stored) {
    claim(item);
    storedIds.add(item.id);
    if (slice.due) await slice.pause();
  }
  const kept: Item[] = [];
  for (const item of items) {
    if (slice.due) await slice.pause();
    const entry = item.link === undefined ? undefined : owner.get(item.link);
    if (entry && !has(entry.ids, item.id) && !storedIds.has(item.id)) {
      if (entry.sourceId !== item.sourceId) continue;
      if (has(entry.titles, item.title) && [...values(entry.ids)].some((id) => storedIds.has(id))) continue;
    }
    claim(item);
    kept.push(item);
  }
  return kept;
}
