// What every format does to its input strings before placing them: drop the characters XML 1.0
// cannot carry (ingest strips them too; rendering does again so no stored value can break a document).

import { type XmlSafe, stripInvalidXmlChars } from '../text.js';

/** `T` with every string in it XmlSafe (string literal types are kept). */
export type Cleaned<T> = T extends string
  ? T & XmlSafe
  : T extends ReadonlyArray<infer U>
    ? Array<Cleaned<U>>
    : T extends object
      ? { [K in keyof T]: Cleaned<T[K]> }
      : T;

/** Applies stripInvalidXmlChars to every string inside a plain data value (objects, arrays), returning a copy. */
export function cleanDeep<T>(value: T): Cleaned<T> {
  if (typeof value === 'string') return stripInvalidXmlChars(value) as Cleaned<T>;
  if (Array.isArray(value)) return value.map((v: unknown) => cleanDeep(v)) as Cleaned<T>;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cleanDeep(v);
    return out as Cleaned<T>;
  }
  return value as Cleaned<T>;
}
