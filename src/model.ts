// The one model every stage shares: parsers and extractors produce Items, the store keeps them,
// renderers consume them. Configuration types (Channel, Source, License) are the validated form of
// the files under feeds/ (see channels.ts for the schema that produces them).

export type Permission = 'free' | 'attribution' | 'written-authorization' | 'prohibited';

/** Reprint terms of a body of works, as published by the rights holder (feeds/licenses/<id>.json). */
export interface License {
  id: string;
  title: string;
  holder: string;
  /** The terms as published, verbatim (e.g. one clause of a 版权说明 block). */
  statement: string;
  /** External license URL (e.g. Creative Commons); when absent, /licenses/:id is the license's URL. */
  url?: string;
  reprint: {
    permission: Permission;
    /** Placeholders: {source}, {authors}, {editor}, {title}, {link}, {published}. */
    attributionTemplate?: string;
    contact?: string;
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
  /** Stable forever: hash of (source id, upstream guid || canonical link). */
  id: string;
  /** Published id, an IRI derived from id (urn:uuid:…), identical in every format. */
  guid: string;
  channelIds: string[];
  sourceId: string;
  /** Plain text. */
  title: string;
  /** Original article URL, absolute. */
  link: string;
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

export type Source = FeedSource;

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
  /** Retention: the newest maxItems items are kept. */
  maxItems: number;
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
}
