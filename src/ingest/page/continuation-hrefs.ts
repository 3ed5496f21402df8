// The continuation pages an article page links to (see article-pages.ts): read in an ingest worker,
// apart from article-pages.ts so that the thread that fetches and joins never loads cheerio.

import { load } from 'cheerio';
import { canonicalLink } from '../ids.js';
import { MAX_ARTICLE_PAGES } from './article-pages.js';

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

