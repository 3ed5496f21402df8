// How a channel document is written: UTF-8 chunks with a per-item cache of encoded bytes.

import type { Item } from '../../model.js';
import { TimeSlice } from '../../slices.js';
import type { ChannelDocument } from './channel-document.js';

/**
 * Writes a channel document as UTF-8 chunks, keeping each item's encoded JSON from one write to the next:
 * stored items are never edited in place (merge replaces an item with a new object), so an item object
 * seen before has the same bytes. A write then encodes only new and changed items and the small rest of
 * the document — on CJK text, UTF-8 encoding costs more than JSON.stringify itself (docs/benchmarks.md).
 * The cache costs about the file's size in memory and empties itself when items are dropped or reloaded.
 * The items are encoded in slices, pausing for the event loop (a channel may keep up to 100,000 items).
 */
export function channelSerializer(): (doc: ChannelDocument) => Promise<Uint8Array[]> {
  const encoded = new WeakMap<Item, Uint8Array>();
  const comma = Buffer.from(',');
  return async (doc) => {
    const slice = new TimeSlice();
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
      if (slice.due) await slice.pause();
    }
    chunks.push(Buffer.from(']}'));
    return chunks;
  };
}

