// A linear pre-scan of HTML nesting, run before any parser builds a tree: parse5 (cheerio's parser)
// takes quadratic time on elements nested thousands deep, and the tree walks after it recurse.

import { MAX_TREE_DEPTH } from './limits.js';

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/**
 * Whether `html` opens elements more than `limit` deep, by counting start and end tags in one pass
 * (void elements and `<x/>` do not nest). An estimate: unclosed <p>/<li> count as nested, so it errs
 * towards "too deep", which only sends a document down the flat path.
 */
export function tooDeeplyNested(html: string, limit = MAX_TREE_DEPTH): boolean {
  let depth = 0;
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    const c = html.charCodeAt(i + 1);
    if (c === 47 /* / */) {
      if (depth > 0) depth -= 1;
      continue;
    }
    const isLetter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!isLetter) continue;
    let j = i + 1;
    while (j < html.length && /[A-Za-z0-9-]/.test(html[j]!)) j += 1;
    if (VOID.has(html.slice(i + 1, j).toLowerCase())) continue;
    const end = html.indexOf('>', j);
    if (end > 0 && html[end - 1] === '/') continue;
    depth += 1;
    if (depth > limit) return true;
  }
  return false;
}

/** The text of markup too deep to parse: tags become spaces, in one linear pass (entities are left
 *  for the caller's decoding). */
export function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, ' ');
}
