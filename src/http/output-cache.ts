import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import { archiveMonthOf, type Channel, compareItems, type Item, type License } from '../model.js';
import { formats, publicItem } from '../render/index.js';
import type { Delivery, FeedLinks, FormatId } from '../render/index.js';
import { sortInSlices } from '../slices.js';
import type { Store } from '../store/store.js';
import type { ContentCoding } from './validators.js';

export type { ContentCoding } from './validators.js';

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
  /** Compressions under way (off the event loop), shared by every request that waits for one. */
  readonly compressing: Map<Exclude<ContentCoding, 'identity'>, Promise<Buffer>>;
}

/** What a feed URL selects: how many of the newest items, one category, or one archived month. */
export interface FeedQuery {
  limit: number;
  category?: string;
  /** An RFC 5005 archive page: a month, "YYYY-MM". */
  page?: string;
  /** Which document of that month (1, the newest items, when absent); see OutputCache.archive. */
  part?: number;
}

export interface OutputCacheDeps {
  store: Store;
  licenses: ReadonlyMap<string, License>;
  baseUrl: string;
  now: () => Date;
  /** WebSub hub announced in every public feed, when one is configured. */
  hubUrl?: string;
  /** Bytes of documents kept (OUTPUT_CACHE_BYTES); the least recently used go first. */
  maxBytes?: number;
  /** Most items in one archive document (ARCHIVE_PAGE_ITEMS). */
  archivePageItems?: number;
}

export const DEFAULT_OUTPUT_CACHE_BYTES = 128 * 1024 * 1024;
export const DEFAULT_ARCHIVE_PAGE_ITEMS = 300;

/** Items of recently read archive months kept for the next archive part; the month read last is kept whatever its size. */
const MONTH_ITEMS_KEPT = 20_000;
/** Query forms (?limit, ?category) kept per channel, format and reader; the least recently used go first. */
export const MAX_VARIANTS_PER_DOCUMENT = 16;

/**
 * Renders each representation — (channel, format, query) for the public, and per grant for partners —
 * once per store revision of the channel and keeps the bytes, so a poll costs a lookup and a
 * comparison, never a render. Public documents carry the hub, the stylesheet and the RFC 5005 links.
 */
export class OutputCache {
  readonly #entries: LRUCache<string, Representation>;
  /** Document (channel, format, reader) → its cached query forms, least recently used first. */
  readonly #variants = new Map<string, Set<string>>();
  readonly #pageItems: number;
  #renders = 0;
  #hits = 0;

  /** The months read last (channel and month → the items at a revision), oldest first. */
  readonly #monthsRead = new Map<string, { revision: number; items: Item[] }>();

  constructor(private readonly deps: OutputCacheDeps) {
    this.#pageItems = deps.archivePageItems ?? DEFAULT_ARCHIVE_PAGE_ITEMS;
    this.#entries = new LRUCache<string, Representation>({
      maxSize: deps.maxBytes ?? DEFAULT_OUTPUT_CACHE_BYTES,
      // The identity body twice: room for its gzip and brotli forms, made later and never larger.
      sizeCalculation: (rep) => Math.max(1, rep.body.length * 2),
      dispose: (_rep, key) => this.#forgetVariant(key),
    });
  }

  /** Bytes the cached documents are counted at (for /metrics and tests); at most OUTPUT_CACHE_BYTES. */
  get bytes(): number {
    return this.#entries.calculatedSize;
  }

  /** Documents in the cache. */
  get size(): number {
    return this.#entries.size;
  }

  /** How many documents have been answered from the cache without a render (for /metrics). */
  get hits(): number {
    return this.#hits;
  }

  /** Counts `n` answers made elsewhere from what this cache gave out (the serving thread's). */
  countHits(n: number): void {
    this.#hits += n;
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
   * Whether `rep`, obtained from get() earlier, may be served again: the channel is as stored when it
   * was rendered (no ingest or correction since). A reuse counts as a cache hit.
   */
  reuse(channelId: string, rep: Representation): boolean {
    if (rep.revision !== this.deps.store.revision(channelId)) return false;
    this.#hits += 1;
    return true;
  }

  /**
   * An RFC 5005 archive document: the items of one month (live and archived), newest first, at most
   * ARCHIVE_PAGE_ITEMS of them. A month with more is several documents (RFC 5005 §4 allows any number):
   * part 1 (`?page=YYYY-MM`) holds the newest, part 2 (`&part=2`) the next, and so on. prev-archive
   * goes to older items (the next part, else the previous month's part 1); next-archive to newer ones
   * (the part before, else the next month's last part). Undefined when there is no such month or part.
   */
  async archive(channel: Channel, format: FormatId, month: string, part = 1): Promise<Representation | undefined> {
    const revision = this.deps.store.revision(channel.id);
    const key = cacheKey(channel, format, { limit: 0, page: month, part }, undefined);
    const cached = this.#lookup(key, revision);
    if (cached) return cached;
    const months = this.#months(channel.id);
    const at = months.indexOf(month);
    if (at < 0) return undefined;
    const items = await this.#monthItems(channel.id, month);
    const parts = this.#parts(items.length);
    if (part < 1 || part > parts) return undefined;
    let next: string | undefined;
    if (part > 1) next = this.#pageUrl(channel, format, month, part - 1);
    else if (at < months.length - 1) {
      const newer = months[at + 1]!;
      next = this.#pageUrl(channel, format, newer, this.#parts((await this.#monthItems(channel.id, newer)).length));
    }
    let prev: string | undefined;
    if (part < parts) prev = this.#pageUrl(channel, format, month, part + 1);
    else if (at > 0) prev = this.#pageUrl(channel, format, months[at - 1]!);
    const links: FeedLinks = {
      ...this.#commonLinks(),
      current: `${this.deps.baseUrl}/feeds/${channel.id}.${formats[format].extension}`,
      ...(prev !== undefined && { prevArchive: prev }),
      ...(next !== undefined && { nextArchive: next }),
    };
    const shown = items.slice((part - 1) * this.#pageItems, part * this.#pageItems);
    return this.#render(key, revision, channel, format, shown, undefined, links, month, part);
  }

  /**
   * Every item of one month, live and archived, newest first. The months read last are kept while the
   * channel's revision is unchanged, so a reader walking a month's archive parts (RFC 5005 links) has
   * the month read and sorted once, not once per part; the sort runs in slices (a month may hold tens
   * of thousands of items). At most MONTH_ITEMS_KEPT items are kept, the month read last always.
   */
  async #monthItems(channelId: string, month: string): Promise<Item[]> {
    const revision = this.deps.store.revision(channelId);
    const key = `${channelId}\u0000${month}`;
    const kept = this.#monthsRead.get(key);
    if (kept !== undefined && kept.revision === revision) return kept.items;
    const archived = await this.deps.store.archivedItems(channelId, month);
    const live = this.deps.store.items(channelId).filter((i) => archiveMonthOf(i) === month);
    const seen = new Set(live.map((i) => i.id));
    const items = await sortInSlices([...live, ...archived.filter((i) => !seen.has(i.id))], compareItems);
    this.#monthsRead.delete(key);
    this.#monthsRead.set(key, { revision, items });
    let total = 0;
    for (const entry of this.#monthsRead.values()) total += entry.items.length;
    for (const [oldKey, entry] of this.#monthsRead) {
      if (total <= MONTH_ITEMS_KEPT || oldKey === key) break;
      this.#monthsRead.delete(oldKey);
      total -= entry.items.length;
    }
    return items;
  }

  #parts(items: number): number {
    return Math.max(1, Math.ceil(items / this.#pageItems));
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

  #pageUrl(channel: Channel, format: FormatId, month: string, part = 1): string {
    return `${this.deps.baseUrl}/feeds/${channel.id}.${formats[format].extension}?page=${month}${part > 1 ? `&part=${part}` : ''}`;
  }

  #lookup(key: string, revision: number): Representation | undefined {
    const cached = this.#entries.get(key);
    if (!cached || cached.revision !== revision) return undefined;
    this.#hits += 1;
    const variants = this.#variants.get(documentKey(key));
    if (variants) {
      variants.delete(key);
      variants.add(key);
    }
    return cached;
  }

  /** Keeps the key among its document's query forms; drops the least recently used beyond the cap. */
  #rememberVariant(key: string): void {
    const doc = documentKey(key);
    let variants = this.#variants.get(doc);
    if (!variants) this.#variants.set(doc, (variants = new Set()));
    variants.delete(key);
    variants.add(key);
    while (variants.size > MAX_VARIANTS_PER_DOCUMENT) {
      const oldest = variants.values().next().value!;
      variants.delete(oldest);
      this.#entries.delete(oldest);
    }
  }

  #forgetVariant(key: string): void {
    const doc = documentKey(key);
    const variants = this.#variants.get(doc);
    if (!variants) return;
    variants.delete(key);
    if (variants.size === 0) this.#variants.delete(doc);
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
    part?: number,
  ): Representation {
    const shown = items.map((item) => (delivery?.content === 'full' ? item : publicItem(item, this.deps.licenses)));
    const body = formats[format].renderBytes(channel, shown, {
      baseUrl: this.deps.baseUrl,
      now: this.deps.now(),
      licenses: this.deps.licenses,
      ...(delivery !== undefined && { delivery }),
      links,
      ...(page !== undefined && { page }),
      ...(page !== undefined && part !== undefined && { part }),
    });
    this.#renders += 1;
    const newest = newestChange(shown);
    const representation: Representation = {
      body,
      contentType: formats[format].contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
      ...(newest && { lastModified: new Date(newest).toUTCString() }),
      revision,
      itemIds: shown.map((item) => item.id),
      encoded: new Map(),
      compressing: new Map(),
    };
    // A document larger than the whole budget is served but not kept (lru-cache refuses it).
    this.#entries.set(key, representation);
    if (this.#entries.has(key)) this.#rememberVariant(key);
    return representation;
  }
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * The body in the given content coding if it is ready now; otherwise undefined, and `compressed`
 * gives it. Compression runs on libuv's thread pool, never on the event loop, once per
 * representation: concurrent requests for the same coding share one compression.
 */
export function readyBody(rep: Representation, coding: ContentCoding): Buffer | undefined {
  return coding === 'identity' ? rep.body : rep.encoded.get(coding);
}

export function compressed(rep: Representation, coding: Exclude<ContentCoding, 'identity'>): Promise<Buffer> {
  const done = rep.encoded.get(coding);
  if (done) return Promise.resolve(done);
  let pending = rep.compressing.get(coding);
  if (!pending) {
    pending = (
      coding === 'gzip'
        ? gzipAsync(rep.body, { level: 9 })
        : brotliAsync(rep.body, {
            params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: rep.body.length, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
          })
    ).then(
      (body) => {
        rep.encoded.set(coding, body);
        rep.compressing.delete(coding);
        return body;
      },
      (err: unknown) => {
        rep.compressing.delete(coding);
        throw err;
      },
    );
    rep.compressing.set(coding, pending);
  }
  return pending;
}

/** Everything a document depends on besides the store revision (archive months follow from the items). */
function cacheKey(channel: Channel, format: FormatId, query: FeedQuery, delivery: Delivery | undefined): string {
  const who = delivery === undefined ? 'public' : [delivery.partner, delivery.grantId, delivery.content, delivery.until ?? ''].join('\u0001');
  return [channel.id, format, who, query.page ?? '', query.part ?? 1, query.limit, query.category ?? ''].join('\u0000');
}

/** The document a cache key belongs to (channel, format, reader, archive month), whatever its query. */
function documentKey(key: string): string {
  return key.split('\u0000', 4).join('\u0000');
}

function newestChange(items: readonly Item[]): string | undefined {
  let newest: string | undefined;
  for (const item of items) if (newest === undefined || item.updatedAt > newest) newest = item.updatedAt;
  return newest;
}
