// A web page as a reader sees it: its visible text, its image captions apart, and its links. The
// attribution checker (partners/attribution-check.ts) judges reprinted pages on this; it runs in the
// ingest workers (worker/tasks.ts, task `page-text`), since the pages are any partner site's.

import { load } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { ExtractError } from '../errors.js';
import { tooDeeplyNested } from '../html-depth.js';
import { MAX_TREE_DEPTH } from '../limits.js';

export interface PageText {
  /** What a reader sees as the page's text, outside image captions. */
  body: string;
  /** Image captions: <figcaption>, elements classed as captions, and img alt/title. */
  captions: string;
  /** Every link: its resolved URL and its text. */
  links: { href: string; text: string }[];
}

const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'svg']);
const BLOCKS = new Set(['p', 'div', 'br', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'figure', 'figcaption', 'section', 'article', 'header', 'footer', 'td', 'tr', 'blockquote', 'table', 'ul', 'ol', 'dd', 'dt']);
const CAPTION_CLASS = /caption|credit|pic-?note|img-?desc/i;

type Step =
  | { node: AnyNode; inCaption: boolean; out: string[] }
  /** After an element's children: close its block, or record the link it was. */
  | { close: 'block'; out: string[] }
  | { close: 'link'; out: string[]; start: number; href: string };

/**
 * Reads the page once, in linear time, walking the tree with an explicit stack (no recursion, so no
 * depth can overflow it). Throws an ExtractError for a page nested more than MAX_TREE_DEPTH deep,
 * which no article page is and whose parse alone would cost quadratic time.
 */
export function readPageText(html: string, pageUrl: string): PageText {
  if (tooDeeplyNested(html)) throw new ExtractError(`${pageUrl} is nested more than ${MAX_TREE_DEPTH} elements deep; not read`);
  const $ = load(html);
  const body: string[] = [];
  const captions: string[] = [];
  const links: PageText['links'] = [];
  const stack: Step[] = $.root().contents().toArray().reverse().map((node) => ({ node, inCaption: false, out: body }));
  for (let step = stack.pop(); step !== undefined; step = stack.pop()) {
    if ('close' in step) {
      if (step.close === 'block') step.out.push('\n');
      else links.push({ href: step.href, text: step.out.slice(step.start).join('').trim() });
      continue;
    }
    const { node, inCaption, out } = step;
    if (node.type === 'text') {
      out.push((node as unknown as { data: string }).data);
      continue;
    }
    if (node.type !== 'tag') continue;
    const el = node as unknown as { tagName: string; attribs: Record<string, string>; children: AnyNode[] };
    const tag = el.tagName.toLowerCase();
    if (SKIPPED.has(tag)) continue;
    if (tag === 'img') {
      for (const attr of ['alt', 'title']) if (el.attribs[attr]) captions.push(el.attribs[attr] ?? '');
      continue;
    }
    const caption = inCaption || tag === 'figcaption' || CAPTION_CLASS.test(`${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`);
    const target = caption ? captions : out;
    const href = tag === 'a' && el.attribs.href !== undefined ? resolve(el.attribs.href, pageUrl) : undefined;
    if (href !== undefined) stack.push({ close: 'link', out: target, start: target.length, href });
    else if (tag !== 'a' && BLOCKS.has(tag)) {
      target.push('\n');
      stack.push({ close: 'block', out: target });
    }
    for (let i = el.children.length - 1; i >= 0; i -= 1) stack.push({ node: el.children[i]!, inCaption: caption, out: target });
  }
  return { body: tidy(body.join('')), captions: tidy(captions.join('\n')), links };
}

function resolve(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}

/** Spaces collapsed, each line trimmed, empty lines dropped (split, not a regex: linear on any run of whitespace). */
function tidy(text: string): string {
  return text
    .replace(/[ \t\u00a0\u3000]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}
