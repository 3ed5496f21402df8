// The XML builder RSS and Atom are written with: elements built from escaped parts, CDATA sections,
// and a document writer that lays block elements out one child per line. Every string goes through
// escapeMarkup (src/text.ts), which also drops the characters XML 1.0 forbids, so a document built
// here is well-formed whatever the input.

import { escapeMarkup, stripInvalidXmlChars } from '../text.js';

/** Serialized, well-formed XML. Branded so that plain strings are always escaped, never spliced raw. */
export interface Xml {
  readonly xml: string;
}

export type Attrs = Readonly<Record<string, string | undefined>>;

function startTag(name: string, attrs: Attrs): string {
  let open = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) open += ` ${k}="${escapeMarkup(v, true)}"`;
  return open;
}

/** One element on one line. String children are text (escaped); Xml children are spliced as is;
 *  undefined children and undefined attributes are left out, so optional parts need no branching at
 *  the call site. An element with no content is written empty (`<name/>`). */
export function el(name: string, attrs: Attrs = {}, ...children: ReadonlyArray<Xml | string | undefined>): Xml {
  const open = startTag(name, attrs);
  const body = children.map((c) => (c === undefined ? '' : typeof c === 'string' ? escapeMarkup(c) : c.xml)).join('');
  return { xml: body === '' ? `${open}/>` : `${open}>${body}</${name}>` };
}

/** A CDATA section holding `text` exactly: every `]]>` is split across two sections, and characters
 *  XML 1.0 forbids (which nothing in a CDATA section could carry) are dropped. */
export function cdata(text: string): Xml {
  return { xml: `<![CDATA[${stripInvalidXmlChars(text).replace(/]]>/g, ']]]]><![CDATA[>')}]]>` };
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

function layout(node: Block, depth: number, out: string[]): void {
  const pad = INDENT.repeat(depth);
  const open = startTag(node.name, node.attrs);
  if (node.children.length === 0) {
    out.push(`${pad}${open}/>`);
    return;
  }
  out.push(`${pad}${open}>`);
  for (const c of node.children) {
    if ('xml' in c) out.push(`${pad}${INDENT}${c.xml}`);
    else layout(c, depth + 1, out);
  }
  out.push(`${pad}</${node.name}>`);
}

/** A complete document: the XML declaration, an xml-stylesheet processing instruction when `stylesheet`
 *  is given (its href escaped; URLs never hold `?>` since `>` is percent-encoded in them), then `root`. */
export function xmlDocument(root: Block, stylesheet?: string): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>'];
  if (stylesheet !== undefined) out.push(`<?xml-stylesheet type="text/xsl" href="${escapeMarkup(stylesheet, true)}"?>`);
  layout(root, 0, out);
  return out.join('\n');
}
