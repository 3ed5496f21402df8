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
export function sectionOf($: CheerioAPI, heading: Cheerio<Element>): Cheerio<Element> {
  const el = heading[0];
  const parent = el?.parent;
  if (!el || !parent) return heading;
  // Read from the heading's own siblings only (a heading among 40,000 siblings costs no more than its
  // section): what comes before it, back to the first element or text.
  let nothingBefore = true;
  for (let node = el.prev; node && nothingBefore; node = node.prev) {
    if (isElement(node) || (node.type === 'text' && (node as unknown as { data: string }).data.trim() !== '')) nothingBefore = false;
  }
  if (nothingBefore && isElement(parent) && !/^(?:body|html)$/i.test(parent.tagName)) return $(parent);
  // The heading, then the elements after it: in document order already (.add() would sort them pairwise).
  const section: Element[] = [el];
  for (let node = el.next; node; node = node.next) if (isElement(node)) section.push(node);
  return $(section);
}

/**
 * The depth of the deepest element under `roots`, walked with an explicit stack (never recursion), so
 * a page nested 10,000 deep is measured rather than overflowing the call stack. Stops counting at
 * `limit + 1`: callers only ask whether a tree is deeper than they can walk.
 */
export function treeDepth(roots: readonly AnyNode[], limit: number): number {
  let deepest = 0;
  const stack: [AnyNode, number][] = roots.map((n) => [n, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    const kids = (node as { children?: AnyNode[] }).children;
    if (kids) for (const k of kids) stack.push([k, depth + 1]);
  }
  return deepest;
}

/**
 * The text of `el` with whitespace collapsed, or undefined as soon as it is longer than `max`
 * characters. Walks iteratively and stops early, so asking "is this short?" of every element of a
 * page costs a bounded amount per element, not its whole subtree (linear, not quadratic, overall):
 * at most `max` × 20 nodes and `max` × 100 characters of raw text (whitespace included) are read, and
 * an element holding more is long.
 */
export function shortText(el: AnyNode, max: number): string | undefined {
  let out = '';
  let visited = 0;
  let read = 0;
  const stack: AnyNode[] = [el];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (++visited > max * 20) return undefined;
    if (node.type === 'text') {
      const data = (node as unknown as { data: string }).data;
      read += data.length;
      if (read > max * 100) return undefined;
      // `out` is kept collapsed, so its length is what the reader's text would be (±2 spaces).
      const piece = data.replace(/\s+/g, ' ');
      out += out.endsWith(' ') && piece.startsWith(' ') ? piece.slice(1) : piece;
      if (out.length > max + 2) return undefined;
      continue;
    }
    if (!isElement(node)) continue;
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
  const text = out.trim();
  return text.length > max ? undefined : text;
}

/** The first `n` characters of the text of `el` (raw, as .text() gives it), read iteratively and no
 *  further: enough to test what an element's text starts with, at a bounded cost per element. */
export function leadingText(el: AnyNode, n: number): string {
  let out = '';
  const stack: AnyNode[] = [el];
  while (stack.length > 0 && out.length < n) {
    const node = stack.pop()!;
    if (node.type === 'text') out += (node as unknown as { data: string }).data.slice(0, n - out.length);
    const kids = (node as { children?: AnyNode[] }).children;
    if (kids) for (let i = kids.length - 1; i >= 0; i -= 1) stack.push(kids[i]!);
  }
  return out;
}

/** Whether `node` is inside `ancestor`. */
export function isInside(node: AnyNode, ancestor: AnyNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

// ---- linear find, add and remove ---------------------------------------------------------------------
// cheerio's .find(selector) hands every child of the scope to css-select, which compares them pairwise
// for duplicates; .add() and .addBack() drop duplicates pairwise too; .remove() takes each element out
// of its parent's child list with a search and a splice. All are quadratic in the number of siblings
// (40,000 list items under one <ul> took 3 s to .find('a[href]'), removing 80,000 <meta> 7 s; found by
// tests/fuzz/amplified.test.ts). Pages go through these instead.

/**
 * What `scope.find(selector)` gives — the descendants of the scope matching `selector`, in document
 * order — collected in one walk and filtered once; with `self`, the scope's own elements are included
 * when they match (`.find(s).addBack(s)`).
 */
export function findIn($: CheerioAPI, scope: Cheerio<AnyNode> | AnyNode, selector: string, self = false): Cheerio<Element> {
  const roots = isCheerio(scope) ? scope.toArray() : [scope];
  const found: Element[] = [];
  const seen = new Set<AnyNode>();
  // Roots come in document order; a root inside an earlier one was walked with it. So the walks,
  // one after the other, list the elements in document order.
  for (const root of roots) {
    if (seen.has(root)) continue;
    if (self && isElement(root)) found.push(root);
    seen.add(root);
    const stack = [...((root as { children?: AnyNode[] }).children ?? [])].reverse();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!isElement(node) || seen.has(node)) continue;
      seen.add(node);
      found.push(node);
      for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
    }
  }
  return $(found).filter(selector) as Cheerio<Element>;
}

function isCheerio(value: unknown): value is Cheerio<AnyNode> {
  return typeof value === 'object' && value !== null && 'cheerio' in value;
}

/** Takes every node of `nodes` out of the document (as cheerio's .remove() does), in one pass over
 *  each parent's children. */
export function removeAll(nodes: Cheerio<AnyNode> | readonly AnyNode[]): void {
  const doomed = new Set<AnyNode>(isCheerio(nodes) ? nodes.toArray() : nodes);
  const parents = new Set<AnyNode & { children: AnyNode[] }>();
  for (const node of doomed) if (node.parent) parents.add(node.parent as AnyNode & { children: AnyNode[] });
  for (const parent of parents) {
    const kept = parent.children.filter((c) => !doomed.has(c));
    kept.forEach((c, i) => {
      c.prev = kept[i - 1] ?? null;
      c.next = kept[i + 1] ?? null;
    });
    parent.children = kept;
  }
  for (const node of doomed) {
    node.prev = null;
    node.next = null;
    node.parent = null;
  }
}

/** Makes `nodes` the children of `parent`, in this order, in one pass (each node leaves the parent it
 *  had; that parent's own list is the caller's to rebuild). */
export function setChildren(parent: Element, nodes: AnyNode[]): void {
  parent.children = nodes as Element['children'];
  nodes.forEach((node, i) => {
    node.parent = parent;
    node.prev = nodes[i - 1] ?? null;
    node.next = nodes[i + 1] ?? null;
  });
}
