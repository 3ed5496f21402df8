// List pages → the article pages to fetch. Follows "next page" links up to a page cap, and stops as
// soon as it has enough new articles or a page brings none (list pages are newest first, so the pages
// after one with nothing new hold nothing new either). Fetching and decoding are refresh.ts's stages,
// handed in as `loadPage`; this module only reads list pages and decides where to go next.

import { load, type CheerioAPI } from 'cheerio';
import { CrawlError } from '../errors.js';
import { localLocation } from '../fetch/fetcher.js';
import { canonicalLink } from '../ids.js';
import { removeBoilerplate } from './main-body.js';
import { findIn, treeDepth } from './page-dom.js';
import { MAX_TREE_DEPTH } from '../limits.js';
import { tooDeeplyNested } from '../html-depth.js';
import { collapseWhitespace } from '../text.js';

/** A list page as refresh.ts loaded it. */
export interface ListPage {
  /** The address it was fetched from: an http(s) URL, or a file: URL for a document under feeds/. */
  fetchedUrl: string;
  /** Its public http(s) address, against which its links' public addresses are resolved. */
  publicUrl: string;
  html: string;
}

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
    for (const link of links) {
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
 * The article links of a list page and its next page. With a linkSelector, the links it selects
 * (or the links inside what it selects); else, after page furniture is removed, links that look like
 * articles: a title-length text, the list's own site, a path ending in a document name that carries
 * a number or an .html-like extension, not an index or list page.
 */
export async function readListPage(
  page: ListPage,
  opts: Pick<CrawlOptions, 'linkSelector' | 'nextSelector' | 'feedsDir'>,
  notes: string[] = [],
): Promise<{ links: PageLink[]; next?: PageLink }> {
  if (tooDeeplyNested(page.html)) throw new CrawlError(`list page ${page.publicUrl} too deeply nested (more than ${MAX_TREE_DEPTH} levels of elements)`);
  const $ = load(page.html);
  if (treeDepth($.root().toArray(), MAX_TREE_DEPTH) > MAX_TREE_DEPTH) {
    throw new CrawlError(`list page ${page.publicUrl} too deeply nested (more than ${MAX_TREE_DEPTH} levels of elements)`);
  }
  const nextHref = findNextHref($, opts.nextSelector);
  const next = nextHref === undefined ? undefined : await resolveLink(nextHref, page, opts.feedsDir, notes);

  let anchors: string[];
  if (opts.linkSelector) {
    anchors = findIn($, $(opts.linkSelector), 'a[href]', true)
      .toArray()
      .map((a) => $(a).attr('href') ?? '');
  } else {
    removeBoilerplate($);
    anchors = $('a[href]')
      .toArray()
      .filter((a) => {
        const text = collapseWhitespace($(a).text()) || collapseWhitespace($(a).attr('title') ?? '');
        return [...text].length >= 5 && looksLikeArticle($(a).attr('href') ?? '', page.publicUrl);
      })
      .map((a) => $(a).attr('href') ?? '');
  }

  // Deduplicated through a Set: linear in the number of anchors (a list of 40,000 links is one pass).
  const links: PageLink[] = [];
  const seen = new Set<string>([page.publicUrl]);
  for (const href of anchors) {
    if (href === nextHref) continue;
    const link = await resolveLink(href, page, opts.feedsDir, notes);
    if (link && !seen.has(link.url)) {
      seen.add(link.url);
      links.push(link);
    }
  }
  return { links, ...(next && { next }) };
}

const NEXT_TEXT = /^\s*(?:下一页|下页|后一页|next(?:\s*page)?|›|»|>|>>)\s*$/i;

function findNextHref($: CheerioAPI, selector: string | undefined): string | undefined {
  const usable = (href: string | undefined) => (href && !/^\s*(?:javascript:|#)/i.test(href) ? href.trim() : undefined);
  if (selector) return usable(findIn($, $(selector), 'a[href]', true).first().attr('href'));
  const rel = usable($('link[rel~="next" i], a[rel~="next" i]').first().attr('href'));
  if (rel) return rel;
  const byText = $('a[href]')
    .toArray()
    .find((a) => NEXT_TEXT.test($(a).text()) && usable($(a).attr('href')) !== undefined);
  return byText ? usable($(byText).attr('href')) : undefined;
}

const DOCUMENT_EXTENSION = /\.(?:s?html?|php|aspx?|jsp|cms)$/i;
const INDEX_PAGE = /^(?:index|list|default|more)(?:_\d+)?\.\w+$/i;

function looksLikeArticle(href: string, listUrl: string): boolean {
  const url = canonicalLink(href, listUrl);
  if (!url) return false;
  const target = new URL(url);
  if (!sameSite(target.hostname, new URL(listUrl).hostname)) return false;
  // WordPress-style addresses end in a slash: /2021/03/05/1203/ is read by its last segment; an
  // archive's /page/2/ is no article.
  const segments = target.pathname.split('/').filter((s) => s !== '');
  const name = target.pathname.endsWith('/') ? (segments.at(-2) === 'page' ? '' : (segments.at(-1) ?? '')) : (target.pathname.split('/').pop() ?? '');
  if (name === '' || INDEX_PAGE.test(name)) return false;
  return /\d/.test(name) || DOCUMENT_EXTENSION.test(name) || /\d/.test(target.search);
}

function sameSite(a: string, b: string): boolean {
  const x = a.replace(/^www\./, '');
  const y = b.replace(/^www\./, '');
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
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
