// The reprint extension elements (namespace REPRINT_NS, prefix `reprint`, documented in
// docs/reprint-namespace.md). RSS and Atom carry exactly the same elements, so they are built here once.

import type { Delivery } from './types.js';
import type { LocalTime } from './local-time.js';
import type { ItemRights } from './rights.js';
import { type Xml, el } from './xml.js';

/** reprint:terms, reprint:attribution, (when the upstream stated rights) reprint:upstreamRights,
 *  (when the item has a publication date) reprint:published and (in a partner feed) reprint:grant, in
 *  that order. The caller's document must bind the `reprint` prefix to REPRINT_NS. */
export function reprintElements(rights: ItemRights, delivery?: Delivery, published?: LocalTime): Xml[] {
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
    published === undefined ? undefined : el('reprint:published', { timeZone: published.timeZone }, published.text),
    delivery === undefined ? undefined : grantElement(delivery),
  ].filter((x): x is Xml => x !== undefined);
}

/** reprint:grant: the grant under which a partner receives the item, and the content level it allows. */
function grantElement(delivery: Delivery): Xml {
  return el('reprint:grant', { id: delivery.grantId, partner: delivery.partner, content: delivery.content, until: delivery.until });
}
