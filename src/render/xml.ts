// The XML builder RSS and Atom are written with: elements built from escaped parts, CDATA sections,
// and a document writer that lays block elements out one child per line. Every string goes through
// escapeMarkup (src/text.ts), which also drops the characters XML 1.0 forbids, and CDATA sections
// take only XmlSafe text (already cleaned of them), so a document built here is well-formed whatever
// the input.
//
// Strings are joined with `+` throughout, never collected in arrays and joined: V8 keeps a `+` of two
// strings as a rope (a node pointing at both) and copies the characters once, when the document is
// first read as a whole (e.g. encoded to UTF-8). A join instead copies everything into one flat string
// right away, and a document of more than 128 KB is a separate large-object allocation whose fresh
// pages cost about a millisecond to fault in; JSON.stringify likewise returns a rope.

import { type XmlSafe, escapeMarkup } from '../text.js';

/** Serialized, well-formed XML. Branded so that plain strings are always escaped, never spliced raw. */
export interface Xml {
  readonly xml: string;
}

export type Attrs = Readonly<Record<string, string | undefined>>;

const NO_ATTRS: Attrs = Object.freeze({});

/** `<name` and its attributes in the order given, values escaped for a quoted attribute; undefined
 *  values are left out. */
function startTag(name: string, attrs: Attrs): string {
  let open = '<' + name;
  // for…in visits an object literal's keys in the same order as Object.entries, without an array per call.
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined) open += ' ' + k + '="' + escapeMarkup(v, true) + '"';
  }
  return open;
}

/** One element on one line. String children are text (escaped); Xml children are spliced as is;
 *  undefined children and undefined attributes are left out, so optional parts need no branching at
 *  the call site. An element with no content is written empty (`<name/>`). */
export function el(name: string, attrs: Attrs = NO_ATTRS, ...children: ReadonlyArray<Xml | string | undefined>): Xml {
  let body = '';
  for (const c of children) {
    if (c !== undefined) body += typeof c === 'string' ? escapeMarkup(c) : c.xml;
  }
  const open = startTag(name, attrs);
  return { xml: body === '' ? open + '/>' : open + '>' + body + '</' + name + '>' };
}

const CDATA_END = ']]>';

/** A CDATA section holding `text` exactly: every `]]>` is split across two sections. The text is
 *  XmlSafe (nothing in a CDATA section could carry a character XML 1.0 forbids), so long content that
 *  was cleaned once is not scanned for them again. */
export function cdata(text: XmlSafe): Xml {
  // includes() is a plain substring search; the replacing pass runs only for text that needs it.
  const body = text.includes(CDATA_END) ? text.replaceAll(CDATA_END, ']]]]><![CDATA[>') : text;
  return { xml: '<![CDATA[' + body + ']]>' };
}

/** An element laid out one child per line, indented by depth (block children nest further). */
export interface Block {
  readonly name: string;
  readonly attrs: Attrs;
  readonly children: ReadonlyArray<Xml | Block>;
}

export function block(name: string, attrs: Attrs, children: ReadonlyArray<Xml | Block | undefined>): Block {
  return { name, attrs, children: children.filter((c): c is Xml | Block => c !== undefined) };
}

const INDENT = '    ';
/** '\n' plus the indentation of each depth, made as documents first reach it. */
const lineStarts: string[] = ['\n'];
function lineStart(depth: number): string {
  for (let d = lineStarts.length; d <= depth; d += 1) lineStarts.push(lineStarts[d - 1] + INDENT);
  return lineStarts[depth]!;
}

/** `node` at `depth`, each of its lines preceded by a line break and the depth's indentation. */
function layout(node: Block, depth: number): string {
  const start = lineStart(depth);
  const open = startTag(node.name, node.attrs);
  if (node.children.length === 0) return start + open + '/>';
  let out = start + open + '>';
  const childStart = lineStart(depth + 1);
  for (const c of node.children) out += 'xml' in c ? childStart + c.xml : layout(c, depth + 1);
  return out + start + '</' + node.name + '>';
}

/** A complete document: the XML declaration, an xml-stylesheet processing instruction when `stylesheet`
 *  is given (its href escaped; URLs never hold `?>` since `>` is percent-encoded in them), then `root`.
 *  Lines are separated by '\n'; there is no line break after the root's end tag. */
export function xmlDocument(root: Block, stylesheet?: string): string {
  let out = '<?xml version="1.0" encoding="utf-8"?>';
  if (stylesheet !== undefined) out += '\n<?xml-stylesheet type="text/xsl" href="' + escapeMarkup(stylesheet, true) + '"?>';
  return out + layout(root, 0);
}
