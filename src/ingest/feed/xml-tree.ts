// An XML document as an ordered tree: every element keeps its children — text and elements — in
// document order, so mixed content (`Test: <b>bold</b>`, XHTML titles) reads back word for word.
// Names are canonical: the namespaces feed formats use are known by URI and given one short prefix
// whatever the document calls them (RSS 0.90/1.0 and RSS 2.0 namespaces → none, Atom 0.3 and 1.0 →
// `atom`, Dublin Core → `dc`, DCMI terms → `dcterms`, …), so readers match `dc:date` however it was
// written. saxes reads the text in one linear pass; errors are collected, not thrown, so an entry
// after an ill-formed one is still read (as Universal Feed Parser reads ill-formed feeds).

import { load } from 'cheerio';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { escapeMarkup } from '../../text.js';

export interface XmlElement {
  /** Canonical name: `title`, `atom:entry`, `dc:date`, `xhtml:div`, … */
  name: string;
  /** The local name, without any prefix. */
  local: string;
  /** Attributes by qualified name as written (`href`, `rdf:about`, `xml:base`). */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** False while the element is open; stays false when the document ends inside it (cut short). */
  closed: boolean;
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

/** How deep the tree is built; feeds nest a few levels (XHTML content a dozen more). */
export const MAX_DEPTH = 200;

/**
 * Builds the ordered tree of `xml`. Throws an XmlSyntaxError only when there is no root element;
 * every other error is recorded in `errors` and reading goes on with what follows. In a `<feed>`
 * written without a namespace, elements in no namespace are read as Atom's.
 */
export function readXmlTree(xml: string): XmlTree {
  const errors: string[] = [];
  // Namespaces are resolved here rather than by saxes, whose lookup walks the stack of open elements
  // (time proportional to depth × elements on a deeply nested document): each prefix keeps the stack
  // of its bindings, each open element the prefixes it bound.
  const parser = new SaxesParser({ xmlns: false, position: false });
  const bindings = new Map<string, string[]>();
  const bound: string[][] = [];
  const stack: XmlElement[] = [];
  // Elements nested deeper than MAX_DEPTH are not built (their text joins the deepest one kept), so
  // that no reader of the tree recurses without bound on a hostile document.
  let unbuilt = 0;
  let root: XmlElement | undefined;
  let noNamespaceIsAtom = false;

  parser.on('error', (err) => {
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
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const attrs: Record<string, string> = {};
    const declared: string[] = [];
    for (const [name, value] of Object.entries(tag.attributes as Record<string, string>)) {
      attrs[name] = value;
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        const prefix = name === 'xmlns' ? '' : name.slice(6);
        const list = bindings.get(prefix) ?? [];
        list.push(value.trim());
        bindings.set(prefix, list);
        declared.push(prefix);
      }
    }
    bound.push(declared);
    if (stack.length >= MAX_DEPTH || unbuilt > 0) {
      unbuilt += 1;
      return;
    }
    const colon = tag.name.indexOf(':');
    const prefix = colon > 0 ? tag.name.slice(0, colon) : '';
    const local = colon > 0 ? tag.name.slice(colon + 1) : tag.name;
    const scope = bindings.get(prefix);
    // A prefix used without its declaration (dc:creator in a feed that never binds dc) is read by its
    // usual namespace (KNOWN_PREFIXES); an unknown one keeps its prefix.
    const uri = scope?.[scope.length - 1];
    // An element after the root was closed (by a stray end tag) still belongs to the document.
    const parent = stack[stack.length - 1] ?? root;
    if (!root && local === 'feed' && !uri) noNamespaceIsAtom = true;
    const element: XmlElement = {
      name: canonicalName({ uri, prefix, local }, noNamespaceIsAtom),
      local,
      attrs,
      children: [],
      closed: false,
      ...baseOf(attrs['xml:base'], parent?.base),
    };
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  // saxes reports every element it closes, also those an ill-placed end tag closes implicitly.
  parser.on('closetag', () => {
    for (const prefix of bound.pop() ?? []) bindings.get(prefix)?.pop();
    if (unbuilt > 0) {
      unbuilt -= 1;
      return;
    }
    const element = stack.pop();
    if (element) element.closed = true;
  });

  parser.write(escapeStrayAmpersands(skipLeadingJunk(xml)));
  parser.close();
  if (!root) throw new XmlSyntaxError(errors[0] ?? 'no root element');
  return { root, errors };
}

function canonicalName(tag: { uri: string | undefined; prefix: string; local: string }, noNamespaceIsAtom: boolean): string {
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

/**
 * `&` that starts no entity or character reference (`AT&T`, `?a=1&b=2` in a link) written as `&amp;`,
 * outside CDATA sections and comments. An XML parser would otherwise read everything up to the next
 * `;` as an entity name. One pass over the text, character by character: a search or a sticky regular
 * expression started at each `&` turned quadratic in V8's optimized code on documents of some 600,000
 * characters (found by tests/fuzz/amplified.test.ts: 120,000 `&amp;` took 15 s).
 */
export function escapeStrayAmpersands(xml: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < xml.length; i += 1) {
    const c = xml.charCodeAt(i);
    if (c === 60 /* < */) {
      const past = startsWithAt(xml, i, '<![CDATA[') ? skipPast(xml, i + 9, ']]>') : startsWithAt(xml, i, '<!--') ? skipPast(xml, i + 4, '-->') : i + 1;
      // An unclosed CDATA section or comment runs to the end: nothing after it is escaped.
      if (past < 0) break;
      i = past - 1;
    } else if (c === 38 /* & */ && !startsReference(xml, i + 1)) {
      out += `${xml.slice(copied, i)}&amp;`;
      copied = i + 1;
    }
  }
  return copied === 0 ? xml : out + xml.slice(copied);
}

function startsWithAt(text: string, at: number, token: string): boolean {
  for (let k = 0; k < token.length; k += 1) if (text.charCodeAt(at + k) !== token.charCodeAt(k)) return false;
  return true;
}

/** The index just past the first `token` at or after `from`; -1 when there is none. */
function skipPast(text: string, from: number, token: string): number {
  for (let i = from; i + token.length <= text.length; i += 1) if (startsWithAt(text, i, token)) return i + token.length;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Whether a reference's body starts at `at` (the text after an `&`): `#` and 1–8 digits, `#x` and
 *  1–8 hex digits, or a name of at most 41 characters (letters, digits, `_`, `.`, `-`), then `;`. */
function startsReference(text: string, at: number): boolean {
  let i = at;
  if (text.charCodeAt(i) === 35 /* # */) {
    i += 1;
    const hex = text.charCodeAt(i) === 120; /* x */
    if (hex) i += 1;
    const start = i;
    while (i - start < 8 && (hex ? isHexDigit(text.charCodeAt(i)) : isDigit(text.charCodeAt(i)))) i += 1;
    return i > start && text.charCodeAt(i) === 59; /* ; */
  }
  if (!isNameStart(text.charCodeAt(i))) return false;
  i += 1;
  const start = i;
  for (let c = text.charCodeAt(i); i - start < 40 && (isNameStart(c) || isDigit(c) || c === 46 || c === 45); c = text.charCodeAt(i)) i += 1;
  return text.charCodeAt(i) === 59;
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

/** All text below `el`, in document order, markup dropped. An explicit stack, not recursion: the
 *  walk does not depend on how deep readXmlTree builds the tree. */
export function textContent(el: XmlElement): string {
  let out = '';
  const stack: { el: XmlElement; next: number }[] = [{ el, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const c = top.el.children[top.next];
    if (c === undefined) {
      stack.pop();
      continue;
    }
    top.next += 1;
    if (typeof c === 'string') out += c;
    else stack.push({ el: c, next: 0 });
  }
  return out;
}

export function hasElementChildren(el: XmlElement): boolean {
  return el.children.some(isElement);
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** The children of `el` written back as HTML (text escaped, elements by local name, in order). An
 *  explicit stack, not recursion: the walk does not depend on how deep readXmlTree builds the tree. */
export function innerHtml(el: XmlElement): string {
  let out = '';
  const stack: { el: XmlElement; next: number }[] = [{ el, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const c = top.el.children[top.next];
    if (c === undefined) {
      stack.pop();
      // An HTML void element left unclosed (`one<br>two`) holds what follows it: written after it.
      if (stack.length > 0 && !VOID.has(top.el.local)) out += `</${top.el.local}>`;
      continue;
    }
    top.next += 1;
    if (typeof c === 'string') {
      out += escapeMarkup(c);
      continue;
    }
    const attrs = Object.entries(c.attrs)
      .filter(([k]) => !k.startsWith('xmlns') && !k.startsWith('xml:'))
      .map(([k, v]) => ` ${k.includes(':') ? k.slice(k.indexOf(':') + 1) : k}="${escapeMarkup(v, true)}"`)
      .join('');
    out += `<${c.local}${attrs}>`;
    stack.push({ el: c, next: 0 });
  }
  return out;
}
