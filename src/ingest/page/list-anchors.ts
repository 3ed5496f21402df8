// The HTML half of reading a list page: its article links and its next page, as hrefs written on the
// page. Runs in an ingest worker (worker/tasks.ts); crawl-list.ts resolves the hrefs — for a page under
// feeds/, against the file system — on the calling thread.

import { load, type CheerioAPI } from 'cheerio';
import { CrawlError } from '../errors.js';
import { tooDeeplyNested } from '../html-depth.js';
import { canonicalLink } from '../ids.js';
import { MAX_LIST_LINKS, MAX_TREE_DEPTH } from '../limits.js';
import { collapseWhitespace } from '../text.js';
import { removeBoilerplate } from './main-body.js';
import { findIn, treeDepth } from './page-dom.js';

export interface ListAnchors {
  /** The article links' hrefs as written, distinct, in page order, at most MAX_LIST_LINKS; the next
   *  page's href is not among them. */
  hrefs: string[];
  /** The next page's href, trimmed; absent when the page names none. */
  nextHref?: string;
  /** How many more distinct article hrefs the page held past MAX_LIST_LINKS (0 when none). */
  beyondCap: number;
}

/**
 * The article links of a list page and its next page. With a linkSelector, the links it selects (or
 * the links inside what it selects); else, after page furniture is removed, links that look like
 * articles: a title-length text, the list's own site (`publicUrl`'s), a path ending in a document name
 * that carries a number or an .html-like extension, not an index or list page. Throws a CrawlError
 * when the page nests elements more than MAX_TREE_DEPTH deep.
 */
export function readListAnchors(html: string, publicUrl: string, opts: { linkSelector?: string; nextSelector?: string }): ListAnchors {
  if (tooDeeplyNested(html)) throw new CrawlError(`list page ${publicUrl} too deeply nested (more than ${MAX_TREE_DEPTH} levels of elements)`);
  const $ = load(html);
  if (treeDepth($.root().toArray(), MAX_TREE_DEPTH) > MAX_TREE_DEPTH) {
    throw new CrawlError(`list page ${publicUrl} too deeply nested (more than ${MAX_TREE_DEPTH} levels of elements)`);
  }
  const nextHref = findNextHref($, opts.nextSelector);

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
        return [...text].length >= 5 && looksLikeArticle($(a).attr('href') ?? '', publicUrl);
      })
      .map((a) => $(a).attr('href') ?? '');
  }

  // Deduplicated through a Set: linear in the number of anchors (a list of 110,000 links is one pass).
  const distinct = new Set<string>();
  for (const href of anchors) if (href !== nextHref) distinct.add(href);
  const hrefs = [...distinct];
  return { hrefs: hrefs.slice(0, MAX_LIST_LINKS), ...(nextHref !== undefined && { nextHref }), beyondCap: Math.max(0, hrefs.length - MAX_LIST_LINKS) };
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
