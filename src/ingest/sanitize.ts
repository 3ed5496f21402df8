// Upstream HTML → HTML we can republish, and HTML → plain text.
// sanitize-html with an explicit allowlist: DOM-free and fast, and it drops
// the whole content of script-like elements. URLs are made absolute here because a reader sees the
// content far away from the page it came from.

import { load } from 'cheerio';
import type { AnyNode } from 'domhandler';
import sanitize from 'sanitize-html';
import { tooDeeplyNested, stripTags } from './html-depth.js';
import { collapseWhitespace, stripInvalidXmlChars } from './text.js';
import { escapeMarkup } from '../text.js';

const ALLOWED_TAGS = [
  'p', 'br', 'div', 'span', 'a', 'img', 'strong', 'b', 'em', 'i', 'u', 'ul', 'ol', 'li', 'blockquote',
  'h2', 'h3', 'h4', 'h5', 'h6', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'pre', 'code',
];

// Elements whose content is not article text: dropped with everything inside them.
const DROPPED_WITH_CONTENT = [
  'script', 'style', 'noscript', 'template', 'iframe', 'frame', 'frameset', 'noframes', 'object', 'embed',
  'applet', 'svg', 'math', 'textarea', 'select', 'option', 'button', 'xmp', 'head', 'title',
];

const WEB = ['http:', 'https:'];
const WEB_AND_MAIL = [...WEB, 'mailto:'];

/**
 * Returns `html` reduced to an allowlist of structural tags (p, a[href], img[src|alt|title], lists,
 * headings h2–h6 (h1 becomes h2), tables, …), without script-like elements or their content, event
 * handlers, styles or classes. href/src are resolved against `baseUrl` (relative and protocol-relative
 * alike) and kept only when they are http(s) (or mailto: for links); lazy-loaded images get their
 * real address from data-src / data-original, and an image left without a usable src is removed.
 */
export function sanitizeHtml(html: string, baseUrl: string): string {
  // Markup nested deeper than any article is not republished as markup: its text is, as one paragraph.
  if (tooDeeplyNested(html)) return `<p>${escapeMarkup(htmlToText(html))}</p>`;
  const base = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  return sanitize(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href'],
      img: ['src', 'alt', 'title'],
      th: ['colspan', 'rowspan'],
      td: ['colspan', 'rowspan'],
    },
    allowedSchemes: ['http', 'https'],
    allowedSchemesByTag: { a: ['http', 'https', 'mailto'] },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: DROPPED_WITH_CONTENT,
    transformTags: {
      h1: 'h2',
      a: (tagName, attribs) => ({ tagName, attribs: withUrl(attribs, 'href', absolute(attribs.href, base, WEB_AND_MAIL)) }),
      img: (tagName, attribs) => {
        const src = attribs['data-src'] || attribs['data-original'] || attribs.src;
        return { tagName, attribs: withUrl(attribs, 'src', absolute(src, base, WEB)) };
      },
    },
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  });
}

function withUrl(attribs: sanitize.Attributes, name: string, url: string | undefined): sanitize.Attributes {
  const rest = { ...attribs };
  delete rest[name];
  return url === undefined ? rest : { ...rest, [name]: url };
}

function absolute(value: string | undefined, base: URL | undefined, schemes: readonly string[]): string | undefined {
  if (!value?.trim()) return undefined;
  try {
    const url = new URL(value.trim(), base);
    return schemes.includes(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

// Elements that end a line of text: their boundaries become spaces so words do not run together.
const BLOCKS = 'address, article, aside, blockquote, br, dd, div, dl, dt, figcaption, figure, footer, h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section, table, td, th, tr, ul';

/**
 * The readable text of an HTML fragment: entities decoded, script-like elements dropped, block
 * boundaries and line breaks turned into spaces, whitespace collapsed and trimmed. Inline markup
 * (`发布<b>半年报</b>预告`) adds no space. Characters XML forbids are dropped before it is read.
 */
export function htmlToText(html: string): string {
  // parse5 throws on two lone low surrogates in a row (it pairs them into a code point past U+10FFFF);
  // no document can carry them anyway (XML 1.0 Char), so they go first, with the other such characters.
  const text = stripInvalidXmlChars(html);
  if (!/[<&]/.test(text)) return collapseWhitespace(text);
  // Too deep to parse in linear time: the tags go first, then only entities are left to decode.
  // Parsed as a document, not a fragment: parse5 moves a fragment's top-level nodes over one by one,
  // each with a search and a splice (quadratic: 20,000 paragraphs took a second). What a document
  // parse puts in <head> (title, style, script) is dropped as it is in a fragment.
  const $ = load(tooDeeplyNested(text) ? stripTags(text) : text);
  return collapseWhitespace(textOf($.root().toArray()));
}

const BLOCK_TAGS = new Set(BLOCKS.split(', '));
const DROPPED = new Set(DROPPED_WITH_CONTENT);

/** The text of `roots` in document order, script-like elements left out, a space at each block
 *  boundary. Walked with an explicit stack, in one pass: HTML nested 10,000 deep gives its text in
 *  linear time instead of overflowing the call stack (cheerio's .text() recurses). */
function textOf(roots: AnyNode[]): string {
  let out = '';
  const stack: (AnyNode | ' ')[] = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === ' ') {
      out += ' ';
      continue;
    }
    if (node.type === 'text') out += (node as unknown as { data: string }).data;
    const name = (node as { name?: string }).name?.toLowerCase();
    if (name !== undefined && DROPPED.has(name)) continue;
    const block = name !== undefined && BLOCK_TAGS.has(name);
    if (block) stack.push(' ');
    const kids = (node as { children?: AnyNode[] }).children;
    if (kids) for (let i = kids.length - 1; i >= 0; i -= 1) stack.push(kids[i]!);
    if (block) out += ' ';
  }
  return out;
}
