// Articles split over several pages: DedeCMS and EmpireCMS write page 2 of `7001.html` as
// `7001_2.html`, TRS WCM page 2 of `t20210305_4180.html` as `t20210305_4180_1.html`. The pages are
// fetched and their bodies joined into one item; the pager itself is page furniture (main-body.ts).
// Fetching and reading are handed in: pipeline.ts fetches on its thread and reads in an ingest worker.

import type { ExtractedPage } from './extract-page.js';
import { canonicalLink } from '../ids.js';

/** An article is read from at most this many pages (the first included). */
export const MAX_ARTICLE_PAGES = 20;

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
