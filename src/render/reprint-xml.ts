// The reprint extension elements (namespace REPRINT_NS, prefix `reprint`, documented in
// docs/reprint-namespace.md). RSS and Atom carry exactly the same elements, so they are built here once.

import type { ItemRights } from './rights.js';
import { type Xml, el } from './xml.js';

/** reprint:terms, reprint:attribution and (when the upstream stated rights) reprint:upstreamRights,
 *  in that order. The caller's document must bind the `reprint` prefix to REPRINT_NS. */
export function reprintElements(rights: ItemRights): Xml[] {
  const { license } = rights;
  const terms = el(
    'reprint:terms',
    { permission: license.permission, publicContent: license.publicContent, license: license.url, licenseId: license.id },
    el('reprint:holder', {}, license.holder),
    license.contact === undefined ? undefined : el('reprint:contact', {}, license.contact),
    license.attributionTemplate === undefined ? undefined : el('reprint:template', {}, license.attributionTemplate),
  );
  return [
    terms,
    el('reprint:attribution', {}, rights.line),
    rights.upstreamRights === undefined ? undefined : el('reprint:upstreamRights', {}, rights.upstreamRights),
  ].filter((x): x is Xml => x !== undefined);
}
