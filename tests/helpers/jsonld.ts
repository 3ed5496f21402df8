// Expands JSON-LD with the jsonld package as a partner's processor would, but offline: the document
// loader serves only the contexts shipped in the repository and refuses every other URL, so a test
// never touches the network and a policy naming an unknown context fails loudly.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsonld, { type RemoteDocument } from 'jsonld';
import { ROOT } from './temp.js';

const ODRL = JSON.parse(readFileSync(path.join(ROOT, 'assets/contexts/odrl.jsonld'), 'utf8')) as unknown;

/** Context URL → document, for every context the service's policies may name. */
export const LOCAL_CONTEXTS: ReadonlyMap<string, unknown> = new Map([
  ['http://www.w3.org/ns/odrl.jsonld', ODRL],
  ['https://www.w3.org/ns/odrl.jsonld', ODRL],
]);

export async function localLoader(url: string): Promise<RemoteDocument> {
  const document = LOCAL_CONTEXTS.get(url);
  if (document === undefined) throw new Error(`offline document loader: no local copy of ${url}`);
  return { contextUrl: null, documentUrl: url, document };
}

/** The expanded form; `safe` makes jsonld reject terms that would be dropped silently. */
export function expand(doc: unknown): Promise<Record<string, unknown>[]> {
  return jsonld.expand(doc, { documentLoader: localLoader, safe: true });
}

export const ODRL_NS = 'http://www.w3.org/ns/odrl/2/';
export const REPRINT = 'https://syndicator.dev/ns/reprint/1.0#';
export const DCT = 'http://purl.org/dc/terms/';
export const VCARD = 'http://www.w3.org/2006/vcard/ns#';
export const XSD = 'http://www.w3.org/2001/XMLSchema#';

type Node = Record<string, unknown>;

/** The values of property `p` of an expanded node (always a list in expanded form). */
export function values(node: unknown, p: string): Node[] {
  const v = (node as Node)[p];
  return Array.isArray(v) ? (v as Node[]) : [];
}

/** The @id of each value of `p` (IRIs and @vocab terms). */
export function ids(node: unknown, p: string): string[] {
  return values(node, p).map((v) => v['@id'] as string);
}

/** The @value of each value of `p`. */
export function literals(node: unknown, p: string): unknown[] {
  return values(node, p).map((v) => v['@value']);
}
