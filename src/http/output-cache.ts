import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { archiveMonthOf, type Channel, compareItems, type Item, type License } from '../model.js';
import { formats, publicItem } from '../render/index.js';
import type { Delivery, FeedLinks, FormatId } from '../render/index.js';
import type { Store } from '../store/store.js';

export type ContentCoding = 'identity' | 'gzip' | 'br';

/** One rendered feed document with its validators, computed once when it was rendered. */
export interface Representation {
  body: Buffer;
  contentType: string;
  /** Strong validator of the identity body: a hash of the exact bytes. */
  etag: string;
  /** HTTP date of the newest change among the items it carries; absent for an empty feed. */
  lastModified?: string;
  revision: number;
  /** Ids of the items it carries, in order: what a delivery of it hands over. */
  itemIds: readonly string[];
  /** Compressed bodies, made on first demand and kept: compression happens once per render. */
  readonly encoded: Map<Exclude<ContentCoding, 'identity'>, Buffer>;
}

/** What a feed URL selects: how many of the newest items, one category, or one archived month. */
export interface FeedQuery {
  limit: number;
  category?: string;
  /** An RFC 5005 archive page: a month, "YYYY-MM". */
  page?: string;
}

export interface OutputCacheDeps {
  store: Store;
  licenses: ReadonlyMap<string, License>;
  baseUrl: string;
  now: () => Date;
  /** WebSub hub announced in every public feed, when one is configured. */
  hubUrl?: string;
}

/** At most this many representations are kept; the least recently used go first. */
const MAX_ENTRIES = 2000;

/**
 * Renders each representation — (channel, format, query) for the public, and per grant for partners —
 * once per store revision of the channel and keeps the bytes, so a poll costs a lookup and a
 * comparison, never a render. Public documents carry the hub, the stylesheet and the RFC 5005 links.
 */
export class OutputCache {
  readonly #entries = new Map<string, Representation>();
  #renders = 0;
  #hits = 0;

  constructor(private readonly deps: OutputCacheDeps) {}

  /** How many documents have been answered from the cache without a render (for /metrics). */
  get hits(): number {
    return this.#hits;
  }

  /** How many documents have been rendered so far (to verify render-once behaviour). */
  get renders(): number {
    return this.#renders;
  }

  /**
   * The current document: the newest items (of one category, if asked). With a delivery, that
   * partner's feed: full text when its grant says so, else what the public gets.
   */
  get(channel: Channel, format: FormatId, query: FeedQuery, delivery?: Delivery): Representation {
    const revision = this.deps.store.revision(channel.id);
    const key = cacheKey(channel, format, query, delivery);
    const cached = this.#lookup(key, revision);
    if (cached) return cached;
    const months = this.#months(channel.id);
    let items = this.deps.store.items(channel.id);
    if (query.category !== undefined) items = items.filter((i) => i.categories.includes(query.category!));
    const newestMonth = months.at(-1);
    const links: FeedLinks = {
      ...this.#commonLinks(),
      ...(newestMonth !== undefined && { prevArchive: this.#pageUrl(channel, format, newestMonth) }),
    };
    return this.#render(key, revision, channel, format, items.slice(0, query.limit), delivery, delivery === undefined ? links : {});
  }

  /**
   * An RFC 5005 archive document: every item of one month (live and archived), linked to the months
   * before and after it and to the current document. Undefined when the channel has no such month.
   */
  async archive(channel: Channel, format: FormatId, month: string): Promise<Representation | undefined> {
    const revision = this.deps.store.revision(channel.id);
    const key = cacheKey(channel, format, { limit: 0, page: month }, undefined);
    const cached = this.#lookup(key, revision);
    if (cached) return cached;
    const months = this.#months(channel.id);
    const at = months.indexOf(month);
    if (at < 0) return undefined;
    const archived = await this.deps.store.archivedItems(channel.id, month);
    const live = this.deps.store.items(channel.id).filter((i) => archiveMonthOf(i) === month);
    const seen = new Set(live.map((i) => i.id));
    const items = [...live, ...archived.filter((i) => !seen.has(i.id))].sort(compareItems);
    const links: FeedLinks = {
      ...this.#commonLinks(),
      current: `${this.deps.baseUrl}/feeds/${channel.id}.${formats[format].extension}`,
      ...(at > 0 && { prevArchive: this.#pageUrl(channel, format, months[at - 1]!) }),
      ...(at < months.length - 1 && { nextArchive: this.#pageUrl(channel, format, months[at + 1]!) }),
    };
    return this.#render(key, revision, channel, format, items, undefined, links, month);
  }

  /** Months with items, live or archived, oldest first. */
  #months(channelId: string): string[] {
    const months = new Set(this.deps.store.archiveMonths(channelId));
    for (const item of this.deps.store.items(channelId)) months.add(archiveMonthOf(item));
    return [...months].sort();
  }

  #commonLinks(): FeedLinks {
    return {
      // Root-relative: a browser fetches it from whatever origin it opened the feed at, which need not
      // be BASE_URL (http://127.0.0.1:8080 vs http://localhost:8080 are different origins to XSLT).
      stylesheet: '/assets/feed.xsl',
      ...(this.deps.hubUrl !== undefined && { hub: this.deps.hubUrl }),
    };
  }

  #pageUrl(channel: Channel, format: FormatId, month: string): string {
    return `${this.deps.baseUrl}/feeds/${channel.id}.${formats[format].extension}?page=${month}`;
  }

  #lookup(key: string, revision: number): Representation | undefined {
    const cached = this.#entries.get(key);
    if (!cached || cached.revision !== revision) return undefined;
    this.#hits += 1;
    // Map keeps insertion order: moving a hit to the end makes the first key the least recently used.
    this.#entries.delete(key);
    this.#entries.set(key, cached);
    return cached;
  }

  #render(
    key: string,
    revision: number,
    channel: Channel,
    format: FormatId,
    items: readonly Item[],
    delivery: Delivery | undefined,
    links: FeedLinks,
    page?: string,
  ): Representation {
    const shown = items.map((item) => (delivery?.content === 'full' ? item : publicItem(item, this.deps.licenses)));
    const text = formats[format].render(channel, shown, {
      baseUrl: this.deps.baseUrl,
      now: this.deps.now(),
      licenses: this.deps.licenses,
      ...(delivery !== undefined && { delivery }),
      links,
      ...(page !== undefined && { page }),
    });
    this.#renders += 1;
    const body = Buffer.from(text, 'utf8');
    const newest = newestChange(shown);
    const representation: Representation = {
      body,
      contentType: formats[format].contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
      ...(newest && { lastModified: new Date(newest).toUTCString() }),
      revision,
      itemIds: shown.map((item) => item.id),
      encoded: new Map(),
    };
    this.#entries.delete(key);
    this.#entries.set(key, representation);
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    return representation;
  }
}

/** The body in the given content coding, compressed on first demand and kept with the representation. */
export function encodedBody(rep: Representation, coding: ContentCoding): Buffer {
  if (coding === 'identity') return rep.body;
  let body = rep.encoded.get(coding);
  if (!body) {
    body =
      coding === 'gzip'
        ? gzipSync(rep.body, { level: 9 })
        : brotliCompressSync(rep.body, {
            params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: rep.body.length, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
          });
    rep.encoded.set(coding, body);
  }
  return body;
}

/** Everything a document depends on besides the store revision (archive months follow from the items). */
function cacheKey(channel: Channel, format: FormatId, query: FeedQuery, delivery: Delivery | undefined): string {
  const who = delivery === undefined ? 'public' : [delivery.partner, delivery.grantId, delivery.content, delivery.until ?? ''].join('\u0001');
  return [channel.id, format, query.limit, query.category ?? '', query.page ?? '', who].join('\u0000');
}

function newestChange(items: readonly Item[]): string | undefined {
  let newest: string | undefined;
  for (const item of items) if (newest === undefined || item.updatedAt > newest) newest = item.updatedAt;
  return newest;
}
