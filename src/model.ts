// The one model every stage shares: parsers and extractors produce Items, the store keeps them,
// renderers consume them. Configuration types (Channel, Source, License) are the validated form of
// the files under feeds/ (see channels.ts for the schema that produces them).

export type Permission = 'free' | 'attribution' | 'written-authorization' | 'prohibited';

/** Acts a license may forbid outright, named as the ODRL 2.2 actions they are (see render/odrl.ts). */
export const PROHIBITABLE_ACTIONS = ['modify', 'translate', 'derive', 'sell'] as const;
export type ProhibitableAction = (typeof PROHIBITABLE_ACTIONS)[number];

/** Reprint terms of a body of works, as published by the rights holder (feeds/licenses/<id>.json). */
export interface License {
  id: string;
  title: string;
  holder: string;
  /** true for works reprinted from other media (clause 【2】): each work's rights holder is its original
   *  outlet (the item's source), and `holder` only names that rule in words. */
  holderIsSource?: boolean;
  /** The terms as published, verbatim (e.g. one clause of a 版权说明 block). */
  statement: string;
  /** External license URL (e.g. Creative Commons); when absent, /licenses/:id is the license's URL. */
  url?: string;
  reprint: {
    permission: Permission;
    /** Placeholders: {source}, {authors}, {editor}, {title}, {link}, {published}. */
    attributionTemplate?: string;
    contact?: string;
    /** Acts the terms forbid whatever the permission (e.g. modify: reprint as published or not at all). */
    prohibited?: ProhibitableAction[];
  };
  /** What a public (keyless) feed may carry for items under this license. */
  publicContent: 'full' | 'excerpt';
}

/** Who published the work and whether it is that publisher's own (`original`) or reprinted from it. */
export interface SourceOutlet {
  name: string;
  url?: string;
  /** true: the work is the outlet's own; false: the outlet reprinted it from the named source. */
  original: boolean;
}

export interface Attribution {
  authors: string[];
  editor?: string;
  source: SourceOutlet;
}

export interface Item {
  /** Stable forever: hash of (source id, upstream guid || link || title and raw date). */
  id: string;
  /** Published id, an IRI derived from id (urn:uuid:…), identical in every format. */
  guid: string;
  channelIds: string[];
  sourceId: string;
  /** Plain text. */
  title: string;
  /** Original article URL, absolute; absent when the upstream gave none (never invented: not the
   *  channel's or the feed's home page). Only a preview without a base URL may hold a relative
   *  reference, left as the upstream wrote it. */
  link?: string;
  /** Plain-text excerpt. */
  summary?: string;
  /** Sanitized HTML. */
  contentHtml?: string;
  /** ISO 8601 UTC; absent when unknown, never invented. */
  publishedAt?: string;
  /** ISO 8601 UTC; the upstream's update time when it gave one, else when we first saw this
   *  content; moves only when contentHash changes. */
  updatedAt: string;
  categories: string[];
  language?: string;
  attribution: Attribution;
  licenseId: string;
  /** The upstream's own rights text, verbatim. */
  rights?: string;
  contentHash: string;
  /** ISO 8601 UTC, when this item was first stored. */
  ingestedAt: string;
}

export interface FeedSource {
  id: string;
  type: 'feed';
  /** http(s) URL, or a path relative to the feeds/ directory. */
  url: string;
  /** Who publishes this upstream; defaults to the upstream document's own title and link. */
  outlet?: { name: string; url?: string };
  /** Timezone for naive dates of this source; defaults to the channel's. */
  timezone?: string;
}

/**
 * CSS selectors (cheerio) for one site's article pages. Each one, when it matches, wins over every
 * general rule for its field (see ingest/extract-page.ts).
 */
export interface PageSelectors {
  title?: string;
  /** An element whose text holds the publication date. */
  date?: string;
  /** Elements naming the authors (one per element, or one list such as "李明 王芳"). */
  authors?: string;
  editor?: string;
  /** The element naming the outlet the work comes from (its 来源); a link in it gives the outlet's URL. */
  source?: string;
  /** The article body. */
  body?: string;
  /** Elements removed before anything is read (ads, widgets the general rules do not know). */
  remove?: string[];
}

/** What list and page sources share: how their article pages are read and credited. */
interface ArticleSourceFields {
  id: string;
  /** http(s) URL, or a path relative to the feeds/ directory. */
  url: string;
  /** For a local `url`: the public http(s) address of that document, against which links and item
   *  links are resolved. Defaults to the channel's link. Ignored for http(s) sources. */
  baseUrl?: string;
  selectors?: PageSelectors;
  /** The names by which the site credits itself in 来源 (e.g. 中国冶金报—中国钢铁新闻网): a 来源
   *  matching one of them marks the work as the site's own. */
  siteNames?: string[];
  /** Who publishes the site; defaults to the page's own site name (og:site_name, <title> suffix, host). */
  outlet?: { name: string; url?: string };
  /** Timezone for naive dates of this source; defaults to the channel's. */
  timezone?: string;
  /** Fetch articles again even when they are already stored (default false). */
  refetch?: boolean;
  /** Pause between two requests to the same host, in milliseconds (default 1000). */
  delayMs?: number;
}

/** A list page linking to article pages, with optional "next page" links. */
export interface ListSource extends ArticleSourceFields {
  type: 'list';
  /** Selects the article links on a list page; default: links that look like article addresses. */
  linkSelector?: string;
  /** Selects the "next page" link; default: rel="next" or a link reading 下一页 / next. */
  nextSelector?: string;
  /** At most this many list pages per run (default 3). */
  maxPages: number;
  /** At most this many articles not yet stored are fetched per run (default 20). */
  maxNewArticles: number;
}

/** One article page. */
export interface PageSource extends ArticleSourceFields {
  type: 'page';
}

export type Source = FeedSource | ListSource | PageSource;

/** Picks a license other than the channel default for items that match every given condition. */
export interface LicenseRule {
  when: {
    /** Matches attribution.source.original. */
    original?: boolean;
    /** Matches when attribution.source.name is one of these. */
    sourceNames?: string[];
    /** Matches when the item came from one of these sources. */
    sourceIds?: string[];
  };
  license: string;
}

export interface Channel {
  id: string;
  title: string;
  description: string;
  /** BCP 47, e.g. zh-CN. */
  language: string;
  /** The channel's home page on the publisher's site. */
  link: string;
  /** IANA zone for naive upstream times; default Asia/Shanghai. */
  timezone: string;
  /** node-cron expression, evaluated in `timezone`. */
  schedule: string;
  /** Default license id. */
  license: string;
  licenseRules: LicenseRule[];
  /** Retention: the newest maxItems items are kept live; older ones move to the monthly archive. */
  maxItems: number;
  /** Retention: items older than this ("90d", "12w", "36h"; by publishedAt, else updatedAt) move to the monthly archive. */
  maxAge?: string;
  /** maxAge in milliseconds, parsed once when the channel file is loaded (config/channels.ts). */
  maxAgeMs?: number;
  sources: Source[];
}

/** Per-source ingest bookkeeping, kept in the channel's store file. */
export interface SourceState {
  sourceId: string;
  lastRunAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
  /** Counts from the last run. */
  lastCounts?: { fetched: number; added: number; updated: number; unchanged: number };
  etag?: string;
  lastModified?: string;
  /** List sources: the validators each list page (by URL) last answered with, sent back as
   *  If-None-Match / If-Modified-Since so an unchanged list costs a 304. */
  listPages?: Record<string, { etag?: string; lastModified?: string }>;
  /** List and page sources: the articles (public URLs, oldest first, at most 500) this source has made
   *  items of, so that one retention archived is not fetched again while its list still shows it. */
  seenArticles?: string[];
  /** What the last run skipped without failing: a missing next page, a URL robots.txt disallows. */
  notes?: string[];
  /** ISO 8601 UTC: scheduled runs skip the source before this instant (backoff after failures, or the
   *  upstream's TTL / max-age / Expires / Retry-After); absent: the next tick fetches it. */
  nextAttemptAt?: string;
  /** Set when the upstream answered 410 Gone: no run fetches the source until `syndicator source enable`. */
  disabled?: { reason: string; at: string };
}

/** A medium authorized to receive partner feeds (kept in data/partners.json). */
export interface Partner {
  /** Slug, unique for ever; names the partner in grants, feeds and the reprint ledger. */
  id: string;
  name: string;
  /** sha256 of the partner's key, hex. The key itself is never stored. */
  keyHash: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** ISO 8601 UTC; from then on the key is refused. */
  revokedAt?: string;
  /** ISO 8601 UTC, when the key was last replaced. */
  rotatedAt?: string;
}

/** What a partner feed carries: the full text, or what the public gets (see License.publicContent). */
export type GrantContent = 'full' | 'excerpt';

/** A partner's authorization to receive one channel's partner feed. Grants are never deleted: the ledger names them. */
export interface Grant {
  id: string;
  partnerId: string;
  channelId: string;
  content: GrantContent;
  /** ISO 8601 UTC instant from which the grant no longer applies; absent: no end. */
  until?: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** ISO 8601 UTC; set by ungrant, or when a new grant for the same channel replaces this one. */
  revokedAt?: string;
}

// Pure helpers on the model, shared by the store, retention and the output cache.

/** Newest first: publishedAt, else updatedAt; ties broken by id so the order is stable. */
export function compareItems(a: Item, b: Item): number {
  const ka = a.publishedAt ?? a.updatedAt;
  const kb = b.publishedAt ?? b.updatedAt;
  if (ka !== kb) return ka < kb ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The instant retention reads: publishedAt, else updatedAt (the same key the feeds sort by). */
export function itemTime(item: Item): number {
  return Date.parse(item.publishedAt ?? item.updatedAt);
}

/** The UTC month ("YYYY-MM") an item is archived under, by publishedAt, else updatedAt. */
export function archiveMonthOf(item: Item): string {
  const time = itemTime(item);
  return Number.isFinite(time) ? new Date(time).toISOString().slice(0, 7) : (item.publishedAt ?? item.updatedAt).slice(0, 7);
}
