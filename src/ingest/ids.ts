// Identity of items. An item's id must never change once published (readers dedupe on it), so it is
// derived only from what identifies the upstream entry, never from its content or from when we saw it.

import { createHash } from 'node:crypto';

/**
 * The item id: the first 32 hex digits of sha256(`${sourceId}\n${upstreamKey}`), where upstreamKey
 * is the entry's upstream guid or else its link (entryLink for feeds, canonicalLink for pages).
 */
export function itemId(sourceId: string, upstreamKey: string): string {
  return createHash('sha256').update(`${sourceId}\n${upstreamKey}`).digest('hex').slice(0, 32);
}

/**
 * The published guid for an item id: `urn:uuid:` + the id's 128 bits laid out as a UUID, with the
 * version nibble set to 5 (name-based, SHA) and the RFC 4122 variant bits. Same id, same guid, in
 * every format and every run.
 */
export function itemGuid(id: string): string {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new RangeError(`itemGuid: expected 32 lowercase hex digits, got "${id}"`);
  const variant = ((parseInt(id[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${id.slice(0, 8)}-${id.slice(8, 12)}-5${id.slice(13, 16)}-${variant}${id.slice(17, 20)}-${id.slice(20)}`;
}

/**
 * `link` resolved against `base`, without its #fragment; undefined unless the result is an http(s)
 * URL (a javascript: or file: link is never an article address). For pages: a list that links an
 * article twice (#comments) links one article.
 */
export function canonicalLink(link: string | undefined, base?: string): string | undefined {
  const url = httpUrl(link, base);
  if (url) url.hash = '';
  return url?.href;
}

/**
 * `link` resolved against `base`, its #fragment kept; undefined unless it is an http(s) URL. For feed
 * entries: blogs and diaries publish several entries on one page, each at its own #anchor, so the
 * fragment is what tells them apart (found on real feeds: 16 entries collapsed into 3 without it).
 */
export function entryLink(link: string | undefined, base?: string): string | undefined {
  return httpUrl(link, base)?.href;
}

function httpUrl(link: string | undefined, base?: string): URL | undefined {
  if (!link?.trim()) return undefined;
  try {
    const url = new URL(link.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
