// Upstream HTML → HTML we can republish, and HTML → plain text.
// sanitize-html with an explicit allowlist: DOM-free and fast, and it drops
// the whole content of script-like elements. URLs are made absolute here because a reader sees the
// content far away from the page it came from.

import { load } from 'cheerio';
import sanitize from 'sanitize-html';
import { collapseWhitespace } from './text.js';

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
 * (`发布<b>半年报</b>预告`) adds no space.
 */
export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return collapseWhitespace(html);
  const $ = load(html, null, false);
  $(DROPPED_WITH_CONTENT.join(', ')).remove();
  $(BLOCKS).before(' ').after(' ');
  return collapseWhitespace($.root().text());
}
