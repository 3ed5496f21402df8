// Articles split over several pages: DedeCMS and EmpireCMS write page 2 of `7001.html` as
// `7001_2.html`, TRS WCM page 2 of `t20210305_4180.html` as `t20210305_4180_1.html`. The pages are
// fetched and their bodies joined into one item; the pager itself is page furniture (main-body.ts).
// Fetching and reading are handed in: pipeline.ts fetches on its thread and reads in an ingest worker.

import { load } from 'cheerio';
import type { ExtractedPage } from './extract-page.js';
import { canonicalLink } from '../ids.js';

/** An article is read from at most this many pages (the first included). */
export const MAX_ARTICLE_PAGES = 20;

/**
 * The hrefs of the page's continuation pages, in page order without repeats: links whose address,
 * resolved against `url`, is `url` itself with `_N` (N a number) before its extension. Hrefs are
 * returned as written, for the caller to resolve against where the page was fetched from.
 */
export function continuationHrefs(html: string, url: string): string[] {
  const base = splitName(url);
  if (!base) return [];
  const $ = load(html);
  const found = new Map<number, string>();
  $('a[href]').each((_, a) => {
    const href = $(a).attr('href')?.trim() ?? '';
    const target = canonicalLink(href, url);
    const parts = target ? splitName(target) : undefined;
    if (!parts || parts.dir !== base.dir || parts.ext !== base.ext) return;
    if (!parts.stem.startsWith(`${base.stem}_`)) return;
    const suffix = parts.stem.slice(base.stem.length + 1);
    if (!/^\d{1,3}$/.test(suffix)) return;
    const n = Number(suffix);
    if (!found.has(n)) found.set(n, href);
  });
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, href]) => href).slice(0, MAX_ARTICLE_PAGES - 1);
}

function splitName(url: string): { dir: string; stem: string; ext: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.search !== '') return undefined;
  const slash = parsed.pathname.lastIndexOf('/');
  const name = parsed.pathname.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return { dir: `${parsed.origin}${parsed.pathname.slice(0, slash + 1)}`, stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** Reads one page of an article (see extractPage), and for the first page its continuation hrefs
 *  (see continuationHrefs). pipeline.ts reads in an ingest worker. */
export type ReadArticlePage<D> = (doc: D, url: string, first: boolean) => Promise<{ page: ExtractedPage; hrefs: string[] }>;

/**
 * Reads the article of `first` (the page at public address `url`) and, when it links to continuation
 * pages, loads each with `loadMore` (given the href as written) and appends its body. A continuation
 * page that fails to load or to be read (no body, too deeply nested, over its budget) ends the article
 * there; what was read is kept, and the reason is in `notes`.
 */
export async function joinArticle<D>(
  first: D,
  url: string,
  read: ReadArticlePage<D>,
  loadMore: (href: string) => Promise<D>,
): Promise<{ page: ExtractedPage; notes: string[] }> {
  const { page, hrefs } = await read(first, url, true);
  const notes: string[] = [];
  let joined = 0;
  for (const href of hrefs.slice(0, MAX_ARTICLE_PAGES - 1)) {
    const moreUrl = canonicalLink(href, url) ?? href;
    try {
      const more = await read(await loadMore(href), moreUrl, false);
      page.entry.contentHtml = `${page.entry.contentHtml ?? ''}\n${more.page.entry.contentHtml ?? ''}`;
      joined += 1;
    } catch (err) {
      notes.push(`article-pages: ${moreUrl} not joined to ${url} (${err instanceof Error ? err.message : String(err)})`);
      break;
    }
  }
  if (joined > 0 && page.explain) page.explain.body = `${page.explain.body ?? 'body'}; ${joined} continuation page(s) joined`;
  return { page, notes };
}
