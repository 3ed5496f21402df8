// How a feed's items travel back from an ingest worker: as one block of bytes, one item's JSON per
// line, moved (not copied) to the serving thread and read there item by item in slices. Handing back
// the items as an object graph instead makes the serving thread rebuild every object of a 20,000-item
// feed in one structured-clone stretch of about half a second (docs/benchmarks.md, "Hostile input").

import type { Item } from '../../model.js';
import { TimeSlice } from '../../slices.js';

/** The items as UTF-8 JSON lines (JSON text never holds a raw line feed, RFC 8259 §7), in a buffer of their own. */
export function encodeItemLines(items: readonly Item[]): Uint8Array {
  // TextEncoder gives a fresh ArrayBuffer (never a slice of Buffer's shared pool), so it can be moved.
  return new TextEncoder().encode(items.map((item) => JSON.stringify(item)).join('\n'));
}

/** The items of encodeItemLines' bytes, read in slices that pause for the event loop; throws when `count` is not what was read. */
export async function decodeItemLines(bytes: Uint8Array, count: number): Promise<Item[]> {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Item[] = [];
  const slice = new TimeSlice();
  for (let at = 0; at < data.length; ) {
    const newline = data.indexOf(0x0a, at);
    const end = newline < 0 ? data.length : newline;
    items.push(JSON.parse(data.toString('utf8', at, end)) as Item);
    at = end + 1;
    if (slice.due) await slice.pause();
  }
  if (items.length !== count) throw new Error(`the ingest worker sent ${items.length} items, not ${count}`);
  return items;
}
