// Small DOM readings shared by the page extractor, the main-body detector and the list crawler.

import type { Cheerio, CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

export type { Element };

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'center', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer',
  'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section',
  'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);

const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'head', 'title']);

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

export function isBlock(el: Element): boolean {
  return BLOCK_TAGS.has(el.tagName.toLowerCase());
}

/**
 * The text of `nodes` as a reader sees its lines: block boundaries and <br> become line breaks,
 * other whitespace (runs of spaces, &nbsp;, U+3000) is kept as it is, entities are decoded, scripts
 * and styles are left out. Label values end at whitespace runs, so collapsing them here would lose
 * where one value ends.
 */
export function blockText(nodes: Cheerio<AnyNode>): string {
  let out = '';
  const walk = (node: AnyNode): void => {
    if (node.type === 'text') {
      out += (node as unknown as { data: string }).data.replace(/[\r\n]+/g, ' ');
      return;
    }
    if (!isElement(node)) return;
    const tag = node.tagName.toLowerCase();
    if (SKIPPED.has(tag)) return;
    if (tag === 'br') {
      out += '\n';
      return;
    }
    const block = BLOCK_TAGS.has(tag);
    if (block) out += '\n';
    for (const child of node.children) walk(child);
    if (block) out += '\n';
  };
  nodes.each((_, node) => walk(node));
  return out.replace(/[ \t]*\n[\s]*/g, '\n').replace(/^\n+|\n+$/g, '');
}

/** Every element of the document mapped to its position in document order. */
export function documentOrder($: CheerioAPI): Map<Element, number> {
  const order = new Map<Element, number>();
  $('*').each((i, el) => {
    if (isElement(el)) order.set(el, i);
  });
  return order;
}

/** The element's ancestors, nearest first, up to the document's root element. */
export function ancestors(el: Element): Element[] {
  const out: Element[] = [];
  for (let node = el.parent; node && isElement(node); node = node.parent) out.push(node);
  return out;
}

/** The length of every element's text (what cheerio's .text() gives), computed in one pass. */
export function textLengths($: CheerioAPI): Map<Element, number> {
  const lengths = new Map<Element, number>();
  const measure = (node: AnyNode): number => {
    if (node.type === 'text') return (node as unknown as { data: string }).data.length;
    if (!isElement(node) && node.type !== 'root') return 0;
    let total = 0;
    for (const child of (node as Element).children) total += measure(child);
    if (isElement(node)) lengths.set(node, total);
    return total;
  };
  measure($.root()[0]!);
  return lengths;
}

/** The element's class names and id, lower-cased, as one string ("content article-body #main"). */
export function classAndId($el: Cheerio<Element>): string {
  const id = $el.attr('id');
  return `${$el.attr('class') ?? ''}${id ? ` #${id}` : ''}`.toLowerCase();
}

/**
 * The section a short heading introduces: its parent when the heading comes first in it, else the
 * heading and everything after it in the parent. So a heading inside the article body takes only
 * what follows it, never the body itself.
 */
export function sectionOf(heading: Cheerio<Element>): Cheerio<Element> {
  const parent = heading.parent();
  const first = parent.children().first();
  const nothingBefore = first.is(heading) && (heading.prevAll().length === 0) && !hasTextBefore(heading);
  if (parent.length > 0 && nothingBefore && !parent.is('body, html')) return parent as Cheerio<Element>;
  return heading.add(heading.nextAll()) as Cheerio<Element>;
}

function hasTextBefore(heading: Cheerio<Element>): boolean {
  let node = heading[0]?.prev ?? null;
  while (node) {
    if (node.type === 'text' && (node as unknown as { data: string }).data.trim() !== '') return true;
    node = node.prev;
  }
  return false;
}
