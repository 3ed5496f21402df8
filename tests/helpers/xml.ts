// A tiny DOM over saxes, a strict XML 1.0 parser with namespaces: parsing a document both proves it
// well-formed and namespace-well-formed (any error throws) and lets tests read values back by
// namespace URI and local name rather than by matching strings.

import { SaxesParser } from 'saxes';

export interface XmlElement {
  /** Qualified name as written, e.g. "dc:creator". */
  name: string;
  local: string;
  /** Namespace URI; '' for no namespace. */
  uri: string;
  /** Attributes by qualified name as written, with their namespace URIs. */
  attributes: Record<string, { value: string; uri: string; local: string }>;
  children: XmlElement[];
  /** Concatenated character data (text and CDATA) directly inside this element. */
  text: string;
}

/** Parses `doc` strictly; throws the parser's message (with line:column) on any error. */
export function parseXml(doc: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.on('opentag', (tag) => {
    const attributes: XmlElement['attributes'] = {};
    for (const [qname, a] of Object.entries(tag.attributes)) attributes[qname] = { value: a.value, uri: a.uri, local: a.local };
    const element: XmlElement = { name: tag.name, local: tag.local, uri: tag.uri, attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = element;
    else parent.children.push(element);
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (t: string): void => {
    const current = stack[stack.length - 1];
    if (current !== undefined) current.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.write(doc).close();
  if (failure !== undefined) throw failure;
  if (root === undefined) throw new Error('no root element');
  return root;
}

export function childrenNamed(el: XmlElement, uri: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.uri === uri && c.local === local);
}

export function childNamed(el: XmlElement, uri: string, local: string): XmlElement | undefined {
  return childrenNamed(el, uri, local)[0];
}

/** The one child with this name; throws when there is none or more than one. */
export function only(el: XmlElement, uri: string, local: string): XmlElement {
  const found = childrenNamed(el, uri, local);
  if (found.length !== 1) throw new Error(`expected exactly one {${uri}}${local} in <${el.name}>, found ${found.length}`);
  return found[0] as XmlElement;
}

/** Text of the one child with this name. */
export function textOf(el: XmlElement, uri: string, local: string): string {
  return only(el, uri, local).text;
}

/** Attribute value by local name, no namespace (the common case). */
export function attr(el: XmlElement, local: string): string | undefined {
  return Object.values(el.attributes).find((a) => a.local === local && a.uri === '')?.value;
}
