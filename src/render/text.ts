// What every format does to its input strings before placing them: drop the characters XML 1.0
// cannot carry (ingest strips them too; rendering does again so no stored value can break a document).

import { stripInvalidXmlChars } from '../text.js';

/** Applies stripInvalidXmlChars to every string inside a plain data value (objects, arrays), returning a copy. */
export function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return stripInvalidXmlChars(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => cleanDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cleanDeep(v);
    return out as T;
  }
  return value;
}
