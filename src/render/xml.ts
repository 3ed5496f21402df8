// The XML builder RSS and Atom are written with: elements built from escaped parts, CDATA sections,
// and a document writer that lays block elements out one child per line. Every string goes through
// escapeMarkup (src/text.ts), which also drops the characters XML 1.0 forbids, and CDATA sections
// take only XmlSafe text (already cleaned of them), so a document built here is well-formed whatever
// the input.
//
// A document is laid out into a sink: as text (xmlText), or straight into UTF-8 bytes (xmlBytes),
// which is what the output cache stores. Encoding the text instead would first copy the whole
// document into one flat string (V8 keeps a `+` of two strings as a rope and flattens it when it is
// encoded), and a string of more than 128 KB is a large-object allocation whose fresh pages cost
// about half a millisecond to fault in: xmlBytes writes each line into a buffer that is reused from
// document to document, so the document's only fresh memory is the copy it returns.

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

/** Where a document goes as it is laid out. */
interface Sink {
  add(s: string): void;
}

class TextSink implements Sink {
  text = '';
  add(s: string): void {
    this.text += s;
  }
}

/** The reused buffer ByteSink writes into; kept up to MAX_KEPT bytes, so a larger document's is freed. */
let scratch = Buffer.allocUnsafeSlow(256 * 1024);
const MAX_KEPT = 2 * 1024 * 1024;

/**
 * Each string given is encoded on its own. That gives the bytes of the whole text because every one
 * begins with '<' or a line break and ends with '>': no surrogate pair is split between two of them.
 */
class ByteSink implements Sink {
  #buffer = scratch;
  #length = 0;
  add(s: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit (a surrogate pair: four for two units).
    const room = this.#length + 3 * s.length;
    if (room > this.#buffer.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(room, 2 * this.#buffer.length));
      this.#buffer.copy(larger, 0, 0, this.#length);
      this.#buffer = larger;
      if (larger.length <= MAX_KEPT) scratch = larger;
    }
    this.#length += this.#buffer.write(s, this.#length);
  }
  /** The bytes written, in memory of their own. */
  bytes(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.#length);
    this.#buffer.copy(out, 0, 0, this.#length);
    return out;
  }
}

/** `node` at `depth`, each of its lines preceded by a line break and the depth's indentation. */
function layout(node: Block, depth: number, sink: Sink): void {
  const start = lineStart(depth);
  const open = startTag(node.name, node.attrs);
  if (node.children.length === 0) {
    sink.add(start + open + '/>');
    return;
  }
  sink.add(start + open + '>');
  const childStart = lineStart(depth + 1);
  for (const c of node.children) {
    if ('xml' in c) sink.add(childStart + c.xml);
    else layout(c, depth + 1, sink);
  }
  sink.add(start + '</' + node.name + '>');
}

/** What the RSS and Atom renderers build: the root element and the stylesheet to name, if any. */
export interface XmlDocument {
  readonly root: Block;
  readonly stylesheet?: string | undefined;
}

/** A complete document: the XML declaration, an xml-stylesheet processing instruction when `stylesheet`
 *  is given (its href escaped; URLs never hold `?>` since `>` is percent-encoded in them), then `root`.
 *  Lines are separated by '\n'; there is no line break after the root's end tag. */
function write(doc: XmlDocument, sink: Sink): void {
  sink.add('<?xml version="1.0" encoding="utf-8"?>');
  if (doc.stylesheet !== undefined) sink.add('\n<?xml-stylesheet type="text/xsl" href="' + escapeMarkup(doc.stylesheet, true) + '"?>');
  layout(doc.root, 0, sink);
}

/** The document as text. */
export function xmlText(doc: XmlDocument): string {
  const sink = new TextSink();
  write(doc, sink);
  return sink.text;
}

/** The document as UTF-8: the same bytes as Buffer.from(xmlText(doc)). */
export function xmlBytes(doc: XmlDocument): Buffer {
  const sink = new ByteSink();
  write(doc, sink);
  return sink.bytes();
}

/** A format's render and renderBytes, both from the one function that builds its document. */
export function xmlRenderers<A extends unknown[]>(build: (...args: A) => XmlDocument): { render: (...args: A) => string; renderBytes: (...args: A) => Buffer } {
  return { render: (...args) => xmlText(build(...args)), renderBytes: (...args) => xmlBytes(build(...args)) };
}
