// List pages → the article pages to fetch. Follows "next page" links up to a page cap, and stops as
// soon as it has enough new articles or a page brings none (list pages are newest first, so the pages
// after one with nothing new hold nothing new either). Fetching is pipeline.ts's stage, handed in as
// `loadPage`; each page's HTML is read in an ingest worker (page/list-anchors.ts), and this module
// resolves the links it found and decides where to go next.

import { TimeSlice } from '../../slices.js';
import { CrawlError } from '../errors.js';
import { localLocation } from '../fetch/fetcher.js';
import { canonicalLink } from '../ids.js';
import { MAX_LIST_LINKS } from '../limits.js';
import { optional } from '../optional.js';
import type { PageContent } from '../worker/tasks.js';
import { runInWorker } from '../worker/pool.js';

/** A list page as pipeline.ts loaded it: its text, or its bytes as fetched (decoded in the worker). */
export type ListPage = {
  /** The address it was fetched from: an http(s) URL, or a file: URL for a document under feeds/. */
  fetchedUrl: string;
  /** Its public http(s) address, against which its links' public addresses are resolved. */
  publicUrl: string;
} & PageContent;

/** A page to fetch. */
export interface PageLink {
  /** What the fetcher is given: an http(s) URL, or a path relative to the feeds directory. */
  location: string;
  /** The public http(s) address: the item's link, and what its id is derived from. */
  url: string;
}

export interface CrawlOptions {
  linkSelector?: string;
  nextSelector?: string;
  maxPages: number;
  maxNewArticles: number;
  /** Whether an article (by public address) still has to be fetched. */
  isNew: (url: string) => boolean;
  /** Local locations are relative to this directory (the feeds directory). */
  feedsDir: string;
  /** Fetches and decodes a further list page; undefined when it answered not-modified (nothing new there). */
  loadPage: (link: PageLink) => Promise<ListPage | undefined>;
}

export interface CrawlResult {
  /** The articles to fetch, in list order, at most maxNewArticles. */
  articles: PageLink[];
  pagesRead: number;
  /** What was skipped without failing the crawl: a next page that could not be loaded, refused links. */
  notes: string[];
  /** The crawl stopped at maxNewArticles: the list may hold more new articles than were returned. */
  capped: boolean;
}

/**
 * Reads `first` and the list pages after it (at most maxPages in all) and returns the new articles
 * they link to. A next page that fails to load ends the crawl with a note, not an error: the
 * articles already found still count. Throws a CrawlError only when `first` has no article links.
 */
export async function crawlList(first: ListPage, opts: CrawlOptions): Promise<CrawlResult> {
  const articles: PageLink[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const visited = new Set([first.publicUrl]);
  let page = first;
  let pagesRead = 1;
  for (;;) {
    const { links, next } = await readListPage(page, opts, notes);
    if (pagesRead === 1 && links.length === 0) {
      throw new CrawlError(`no article links found on ${first.publicUrl}${opts.linkSelector ? ` with "${opts.linkSelector}"` : ''}`);
    }
    let fresh = 0;
    // Up to MAX_LIST_LINKS links, each looked up by its item id (a hash): in slices.
    const slice = new TimeSlice();
    for (const link of links) {
      if (slice.due) await slice.pause();
      if (seen.has(link.url)) continue;
      seen.add(link.url);
      if (!opts.isNew(link.url)) continue;
      fresh += 1;
      articles.push(link);
      if (articles.length >= opts.maxNewArticles) return { articles, pagesRead, notes, capped: true };
    }
    if (fresh === 0 || !next || pagesRead >= opts.maxPages || visited.has(next.url)) break;
    visited.add(next.url);
    try {
      const loaded = await opts.loadPage(next);
      if (loaded === undefined) break;
      page = loaded;
    } catch (err) {
      notes.push(`crawl-list: next page ${next.url} not read (${err instanceof Error ? err.message : String(err)})`);
      break;
    }
    pagesRead += 1;
  }
  return { articles, pagesRead, notes, capped: false };
}

/**
 * The article links of a list page and its next page (see readListAnchors), resolved to where they are
 * fetched and their public addresses, without repeats. The page is decoded and read in an ingest
 * worker within the document budget (worker/pool.ts); only the hrefs it hands back, at most
 * MAX_LIST_LINKS, are resolved here. A page with more, a guessed charset and refused links are noted
 * in `notes`. Throws a CrawlError when the page is too deeply nested or over its budget.
 */
export async function readListPage(
  page: ListPage,
  opts: Pick<CrawlOptions, 'linkSelector' | 'nextSelector' | 'feedsDir'>,
  notes: string[] = [],
): Promise<{ links: PageLink[]; next?: PageLink }> {
  const read = await runInWorker({
    kind: 'list',
    content: 'html' in page ? { html: page.html } : { body: page.body, ...optional('contentType', page.contentType) },
    publicUrl: page.publicUrl,
    ...optional('linkSelector', opts.linkSelector),
    ...optional('nextSelector', opts.nextSelector),
  });
  if (read.decodeNote !== undefined) notes.push(`decode: ${page.publicUrl}: ${read.decodeNote}`);
  if (read.beyondCap > 0) {
    notes.push(`crawl-list: ${page.publicUrl} links to ${read.hrefs.length + read.beyondCap} articles; the first ${MAX_LIST_LINKS} were read`);
  }
  const next = read.nextHref === undefined ? undefined : await resolveLink(read.nextHref, page, opts.feedsDir, notes);
  const links: PageLink[] = [];
  const seen = new Set<string>([page.publicUrl]);
  // Resolving is two URL parses per link (and a file system look-up on a local page): in slices.
  const slice = new TimeSlice();
  for (const href of read.hrefs) {
    if (slice.due) await slice.pause();
    const link = await resolveLink(href, page, opts.feedsDir, notes);
    if (link && !seen.has(link.url)) {
      seen.add(link.url);
      links.push(link);
    }
  }
  return { links, ...(next && { next }) };
}

/**
 * Where a link of `page` leads. On a page fetched over http(s) the link is fetched where it points.
 * On a local page it must lead to another file under feedsDir: a link leaving it, or an absolute
 * web address (which would need the network), is refused with a note.
 */
async function resolveLink(href: string, page: ListPage, feedsDir: string, notes: string[]): Promise<PageLink | undefined> {
  const url = canonicalLink(href, page.publicUrl);
  if (!url) return undefined;
  if (!page.fetchedUrl.startsWith('file:')) {
    const location = canonicalLink(href, page.fetchedUrl);
    return location ? { location, url } : undefined;
  }
  let target: URL;
  try {
    target = new URL(href, page.fetchedUrl);
  } catch {
    return undefined;
  }
  const location = target.protocol === 'file:' ? await localLocation(target.href, feedsDir) : undefined;
  if (location === undefined) {
    notes.push(`crawl-list: link "${href}" on a local list page leads outside the feeds directory; skipped`);
    return undefined;
  }
  return { location, url };
}
