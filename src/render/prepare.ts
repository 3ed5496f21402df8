// The step every renderer starts with: validate and clean the channel and items once, resolve URLs,
// dates and rights, so the three formats show the same values (same guid, same link, same line) and
// each renderer only places them.

import type { Channel, Item, License } from '../model.js';
import type { Delivery, FeedLinks, RenderContext } from './types.js';
import { type ItemRights, type LicenseTerms, itemRights, licenseFor, licenseTerms } from './rights.js';
import { type Cleaned, cleanDeep } from './text.js';
import { type XmlSafe, trimXmlSafe } from '../text.js';
import { type LocalTime, localTime } from './local-time.js';

export interface EntryView {
  /** The item with every string cleaned of characters XML cannot carry. */
  item: Cleaned<Item>;
  /** item.guid normalized as a URI; identical in every format. */
  guid: string;
  /** item.link normalized as an absolute URL; absent when the item has no link (none is invented). */
  link?: string;
  published?: Date;
  /** The publication time as RFC 3339 local time in the channel's zone (for people, see reprint:published). */
  publishedLocal?: LocalTime;
  updated: Date;
  /** Plain text: the item's summary (normalize derives one from the content when the upstream gave none). */
  summary?: XmlSafe;
  contentHtml?: XmlSafe;
  categories: string[];
  rights: ItemRights;
}

export interface FeedView {
  channel: Channel;
  baseUrl: string;
  /** The publisher's page for the channel (channel.link). */
  homeUrl: string;
  /** This service's HTML page for the channel. */
  pageUrl: string;
  /** The channel's default license. */
  rights: LicenseTerms;
  /** Newest item updatedAt; ctx.now only when there are no items, so a stable store renders stably. */
  updated: Date;
  entries: EntryView[];
  /** A partner feed's delivery (see RenderContext). */
  delivery?: Delivery;
  links: FeedLinks;
  /** The archived month this document is (RFC 5005), if it is one. */
  page?: string;
  /** Which of that month's archive documents (from 2; absent for the first). */
  part?: number;
}

/** Where the service serves this document in the given format: the partner feed's URL (never with a
 *  key) for a delivery, else the public one; an archive document's own address (`?page=YYYY-MM`, and
 *  `&part=N` from its second part on), so each archive document's self link names itself. */
export function feedUrl(view: FeedView, extension: string): string {
  const route = view.delivery === undefined ? 'feeds' : 'partner/feeds';
  const part = view.part === undefined ? '' : `&part=${view.part}`;
  const page = view.page === undefined ? '' : `?page=${encodeURIComponent(view.page)}${part}`;
  return `${view.baseUrl}/${route}/${encodeURIComponent(view.channel.id)}.${extension}${page}`;
}

function absoluteUrl(value: string, what: string): string {
  try {
    return new URL(value).href;
  } catch {
    throw new Error(`render: ${what} is not an absolute URI: "${value}"`);
  }
}

/** The stylesheet reference: an absolute URL, or a root-relative path (`/assets/feed.xsl`), which the
 *  browser resolves against the origin it opened the feed at. */
function stylesheetUrl(value: string): string {
  if (value.startsWith('/') && !value.startsWith('//')) {
    const u = new URL(value, 'http://origin.invalid');
    return `${u.pathname}${u.search}`;
  }
  return absoluteUrl(value, 'stylesheet link');
}

function instant(value: string, what: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`render: ${what} is not a valid date: "${value}"`);
  return d;
}

// Zones Intl has accepted: building a DateTimeFormat to check a zone costs more than rendering a few items.
const knownTimeZones = new Set<string>();

function checkTimeZone(timeZone: string, channelId: string): void {
  if (knownTimeZones.has(timeZone)) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`render: channel "${channelId}" has an unknown time zone "${timeZone}"`);
  }
  knownTimeZones.add(timeZone);
}

function nonBlank<S extends string>(s: S | undefined): S | undefined {
  return s === undefined || s.trim() === '' ? undefined : s;
}

/** A license cleaned and resolved, as a document shows it. */
interface LicenseView {
  license: License;
  terms: LicenseTerms;
}

/** The license of an item (throwing, as licenseFor does, when it is not loaded), or the one named
 *  by `id` (the channel's default, checked by the caller). */
type LicenseOf = (id: string, item?: Item) => LicenseView;

/** Resolves each license once per document, however many items it governs. */
function licenseViews(ctx: RenderContext): LicenseOf {
  const views = new Map<string, LicenseView>();
  return (id, item) => {
    let view = views.get(id);
    if (view === undefined) {
      const license = cleanDeep(item === undefined ? ctx.licenses.get(id)! : licenseFor(item, ctx.licenses));
      view = { license, terms: licenseTerms(license, ctx.baseUrl) };
      views.set(id, view);
    }
    return view;
  };
}

function entryView(raw: Item, ctx: RenderContext, timeZone: string, licenseOf: LicenseOf): EntryView {
  const item = cleanDeep(raw);
  const what = `item "${item.id}"`;
  const contentHtml = nonBlank(item.contentHtml);
  const summary = nonBlank(item.summary === undefined ? undefined : trimXmlSafe(item.summary));
  // Checked in this order, so a bad item is reported by its first bad field.
  const guid = absoluteUrl(item.guid, `${what} guid`);
  const link = item.link === undefined ? undefined : absoluteUrl(item.link, `${what} link`);
  const published = item.publishedAt === undefined ? undefined : instant(item.publishedAt, `${what} publishedAt`);
  const updated = instant(item.updatedAt, `${what} updatedAt`);
  const { license, terms } = licenseOf(item.licenseId, item);
  return {
    item,
    guid,
    ...(link !== undefined && { link }),
    ...(published !== undefined && { published, publishedLocal: localTime(published, timeZone) }),
    updated,
    ...(summary !== undefined && { summary }),
    ...(contentHtml !== undefined && { contentHtml }),
    categories: item.categories.map((c) => c.trim()).filter((c) => c !== ''),
    rights: itemRights(item, license, ctx.baseUrl, timeZone, terms),
  };
}

/** Validates and resolves what every format shows. Throws `render: …` naming the channel or item and
 *  the field when a value cannot be rendered (bad URL, bad date, unknown license or time zone). */
export function prepare(rawChannel: Channel, items: readonly Item[], ctx: RenderContext): FeedView {
  const channel = cleanDeep(rawChannel);
  absoluteUrl(ctx.baseUrl, 'baseUrl');
  checkTimeZone(channel.timezone, channel.id);
  const licenseOf = licenseViews(ctx);
  if (!ctx.licenses.has(channel.license)) {
    throw new Error(`render: channel "${channel.id}" names default license "${channel.license}", which is not loaded`);
  }
  const entries = items.map((item) => entryView(item, ctx, channel.timezone, licenseOf));
  const newest = entries.reduce<Date | undefined>((max, e) => (max !== undefined && max >= e.updated ? max : e.updated), undefined);
  return {
    channel,
    baseUrl: ctx.baseUrl,
    homeUrl: absoluteUrl(channel.link, `channel "${channel.id}" link`),
    pageUrl: `${ctx.baseUrl}/channels/${encodeURIComponent(channel.id)}`,
    rights: licenseOf(channel.license).terms,
    updated: newest ?? ctx.now,
    entries,
    ...(ctx.delivery !== undefined && { delivery: cleanDeep(ctx.delivery) }),
    links: Object.fromEntries(
      Object.entries(ctx.links ?? {}).map(([rel, url]) => [rel, rel === 'stylesheet' ? stylesheetUrl(url) : absoluteUrl(url, `${rel} link`)]),
    ) as FeedLinks,
    ...(ctx.page !== undefined && { page: ctx.page }),
    ...(ctx.page !== undefined && ctx.part !== undefined && ctx.part > 1 && { part: ctx.part }),
  };
}
