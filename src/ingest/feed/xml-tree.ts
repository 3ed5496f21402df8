// An XML document as an ordered tree: every element keeps its children — text and elements — in
// document order, so mixed content (`Test: <b>bold</b>`, XHTML titles) reads back word for word.
// Names are canonical: the namespaces feed formats use are known by URI and given one short prefix
// whatever the document calls them (RSS 0.90/1.0 and RSS 2.0 namespaces → none, Atom 0.3 and 1.0 →
// `atom`, Dublin Core → `dc`, DCMI terms → `dcterms`, …), so readers match `dc:date` however it was
// written. saxes reads the text in one linear pass; errors are collected, not thrown, so an entry
// after an ill-formed one is still read (as Universal Feed Parser reads ill-formed feeds).

import { load } from 'cheerio';
import { SaxesParser, type SaxesTagNS } from 'saxes';

export interface XmlElement {
  /** Canonical name: `title`, `atom:entry`, `dc:date`, `xhtml:div`, … */
  name: string;
  /** The local name, without any prefix. */
  local: string;
  /** Attributes by qualified name as written (`href`, `rdf:about`, `xml:base`). */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** The effective xml:base (XML Base, W3C): the nearest one in scope, resolved through its ancestors;
   *  may still be relative when no ancestor gives an absolute one. */
  base?: string;
}

export type XmlNode = XmlElement | string;

export interface XmlTree {
  root: XmlElement;
  /** Well-formedness errors met on the way (the tree holds what could be read around them). */
  errors: string[];
}

const NAMESPACES: Readonly<Record<string, string>> = {
  'http://www.w3.org/2005/Atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  // RSS 0.90, 1.0, 1.1 and the namespaces RSS 2.0 drafts used: RSS elements, named without prefix.
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://purl.org/rss/1.0/': '',
  'http://purl.org/net/rss1.1#': '',
  'http://backend.userland.com/rss2': '',
  'http://backend.userland.com/rss': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
};

// Prefixes documents use without declaring them (a common mistake): read as the usual namespace.
const KNOWN_PREFIXES = new Set(['atom', 'dc', 'dcterms', 'content', 'rdf', 'xhtml', 'media']);

export class XmlSyntaxError extends Error {}

/**
 * Builds the ordered tree of `xml`. Throws an XmlSyntaxError only when there is no root element;
 * every other error is recorded in `errors` and reading goes on with what follows. In a `<feed>`
 * written without a namespace, elements in no namespace are read as Atom's.
 */
export function readXmlTree(xml: string): XmlTree {
  const errors: string[] = [];
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let noNamespaceIsAtom = false;

  parser.on('error', (err) => {
    // A prefix used without its declaration (dc:creator in a feed that never binds dc) is a mistake
    // in the namespace layer only: the element is read by its usual namespace (KNOWN_PREFIXES).
    if (err.message.includes('unbound namespace prefix')) return;
    if (errors.length < 20) errors.push(err.message.replace(/^:?\s*/, ''));
  });
  // HTML's named entities (&nbsp;, &eacute;, …) are undeclared in XML, but feeds use them everywhere;
  // they are read as HTML reads them. Any other undeclared entity stays an error.
  const entities = parser as unknown as { parseEntity(name: string): string };
  const xmlEntity = entities.parseEntity.bind(parser);
  entities.parseEntity = (name: string) => (name[0] !== '#' && parser.ENTITIES[name] === undefined && htmlEntity(name)) || xmlEntity(name);
  const appendText = (text: string) => {
    const parent = stack[stack.length - 1];
    if (!parent || text === '') return;
    const last = parent.children[parent.children.length - 1];
    if (typeof last === 'string') parent.children[parent.children.length - 1] = last + text;
    else parent.children.push(text);
  };
  parser.on('text', appendText);
  parser.on('cdata', appendText);
  parser.on('opentag', (tag: SaxesTagNS) => {
    // An element after the root was closed (by a stray end tag) still belongs to the document.
    const parent = stack[stack.length - 1] ?? root;
    if (!root && tag.local === 'feed' && (tag.uri === '' || tag.uri === undefined)) noNamespaceIsAtom = true;
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) attrs[a.name] = a.value;
    const element: XmlElement = {
      name: canonicalName(tag, noNamespaceIsAtom),
      local: tag.local,
      attrs,
      children: [],
      ...baseOf(attrs['xml:base'], parent?.base),
    };
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });

  parser.write(escapeStrayAmpersands(skipLeadingJunk(xml)));
  parser.close();
  if (!root) throw new XmlSyntaxError(errors[0] ?? 'no root element');
  return { root, errors };
}

function canonicalName(tag: SaxesTagNS, noNamespaceIsAtom: boolean): string {
  const uri = tag.uri;
  let ns: string;
  if (uri !== undefined && uri !== '' && NAMESPACES[uri] !== undefined) ns = NAMESPACES[uri];
  else if (tag.prefix !== '') ns = KNOWN_PREFIXES.has(tag.prefix) ? tag.prefix : tag.prefix;
  else if (uri === undefined || uri === '') ns = noNamespaceIsAtom ? 'atom' : '';
  else ns = '';
  return ns === '' ? tag.local : `${ns}:${tag.local}`;
}

function baseOf(own: string | undefined, inherited: string | undefined): { base?: string } {
  const value = own?.trim();
  if (!value) return inherited === undefined ? {} : { base: inherited };
  if (inherited === undefined) return { base: value };
  try {
    return { base: new URL(value, inherited).href };
  } catch {
    return { base: value };
  }
}

/** A byte-order mark or whitespace before the XML declaration makes the declaration illegal; skip them. */
function skipLeadingJunk(xml: string): string {
  let i = 0;
  while (i < xml.length && (xml[i] === '\uFEFF' || xml[i] === ' ' || xml[i] === '\t' || xml[i] === '\r' || xml[i] === '\n')) i++;
  return i === 0 ? xml : xml.slice(i);
}

const REFERENCE = /#[0-9]{1,8};|#x[0-9A-Fa-f]{1,8};|[A-Za-z_][A-Za-z0-9._-]{0,40};/y;

/**
 * `&` that starts no entity or character reference (`AT&T`, `?a=1&b=2` in a link) written as `&amp;`,
 * outside CDATA sections and comments. An XML parser would otherwise read everything up to the next
 * `;` as an entity name. One pass over the text.
 */
export function escapeStrayAmpersands(xml: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  let nextCdata = xml.indexOf('<![CDATA[');
  let nextComment = xml.indexOf('<!--');
  for (;;) {
    const amp = xml.indexOf('&', i);
    if (amp < 0) break;
    if (nextCdata >= 0 && nextCdata < amp) {
      const end = xml.indexOf(']]>', nextCdata);
      if (end < 0) break;
      i = end + 3;
      nextCdata = xml.indexOf('<![CDATA[', i);
      if (nextComment >= 0 && nextComment < i) nextComment = xml.indexOf('<!--', i);
      continue;
    }
    if (nextComment >= 0 && nextComment < amp) {
      const end = xml.indexOf('-->', nextComment);
      if (end < 0) break;
      i = end + 3;
      nextComment = xml.indexOf('<!--', i);
      if (nextCdata >= 0 && nextCdata < i) nextCdata = xml.indexOf('<![CDATA[', i);
      continue;
    }
    REFERENCE.lastIndex = amp + 1;
    if (!REFERENCE.test(xml)) {
      out += `${xml.slice(copied, amp)}&amp;`;
      copied = amp + 1;
    }
    i = amp + 1;
  }
  return copied === 0 ? xml : out + xml.slice(copied);
}

const htmlEntities = new Map<string, string | undefined>();

/** The text of HTML named entity `name`, or undefined when HTML has no such entity. */
function htmlEntity(name: string): string | undefined {
  if (name.length > 32 || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) return undefined;
  if (!htmlEntities.has(name)) {
    const text = load(`&${name};`, null, false).text();
    htmlEntities.set(name, text === `&${name};` ? undefined : text);
    if (htmlEntities.size > 4096) htmlEntities.clear();
  }
  return htmlEntities.get(name);
}

// ---- reading the tree ---------------------------------------------------------------------------

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return typeof node === 'object';
}

/** The element children named one of `names`, in document order. */
export function childrenNamed(el: XmlElement, ...names: string[]): XmlElement[] {
  return el.children.filter((c): c is XmlElement => isElement(c) && names.includes(c.name));
}

/** The first child named `names[0]`, else the first named `names[1]`, … */
export function child(el: XmlElement, ...names: string[]): XmlElement | undefined {
  for (const name of names) {
    const found = el.children.find((c): c is XmlElement => isElement(c) && c.name === name);
    if (found) return found;
  }
  return undefined;
}

/** An attribute by qualified name; failing that, by local name whatever its prefix. */
export function attr(el: XmlElement | undefined, name: string): string | undefined {
  if (!el) return undefined;
  const exact = el.attrs[name];
  if (exact !== undefined) return exact;
  const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  for (const [key, value] of Object.entries(el.attrs)) {
    if (key.endsWith(`:${local}`) && !key.startsWith('xmlns')) return value;
  }
  return undefined;
}

/** All text below `el`, in document order, markup dropped. */
export function textContent(el: XmlElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textContent(c);
  return out;
}

export function hasElementChildren(el: XmlElement): boolean {
  return el.children.some(isElement);
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** The children of `el` written back as HTML (text escaped, elements by local name, in order). */
export function innerHtml(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (typeof c === 'string') {
      out += escapeText(c);
      continue;
    }
    const attrs = Object.entries(c.attrs)
      .filter(([k]) => !k.startsWith('xmlns') && !k.startsWith('xml:'))
      .map(([k, v]) => ` ${k.includes(':') ? k.slice(k.indexOf(':') + 1) : k}="${escapeAttr(v)}"`)
      .join('');
    out += VOID.has(c.local) && c.children.length === 0 ? `<${c.local}${attrs}>` : `<${c.local}${attrs}>${innerHtml(c)}</${c.local}>`;
  }
  return out;
}

export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}
