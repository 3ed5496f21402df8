// The reprint extension elements (namespace REPRINT_NS, prefix `reprint`, documented in
// docs/reprint-namespace.md). RSS and Atom carry exactly the same elements, so they are built here once.

import type { Delivery } from './types.js';
import type { LocalTime } from './local-time.js';
import type { ItemRights, LicenseTerms } from './rights.js';
import { type Xml, el } from './xml.js';

/** `build` run once per license id for one document, and its result reused for every item under that
 *  license: the elements stating a license are the same on each of them. */
export function perLicense<T>(build: (license: LicenseTerms) => T): (license: LicenseTerms) => T {
  const built = new Map<string, T>();
  return (license) => {
    let value = built.get(license.id);
    if (value === undefined) {
      value = build(license);
      built.set(license.id, value);
    }
    return value;
  };
}

/** reprint:terms: the license's reprint permission, its holder and how to reach them, the attribution template. */
function termsElement(license: LicenseTerms): Xml {
  return el(
    'reprint:terms',
    { permission: license.permission, publicContent: license.publicContent, license: license.url, licenseId: license.id },
    el('reprint:holder', {}, license.holder),
    license.contact === undefined ? undefined : el('reprint:contact', {}, license.contact),
    license.attributionTemplate === undefined ? undefined : el('reprint:template', {}, license.attributionTemplate),
  );
}

/** reprint:grant: the grant under which a partner receives the item, and the content level it allows. */
function grantElement(delivery: Delivery): Xml {
  return el('reprint:grant', { id: delivery.grantId, partner: delivery.partner, content: delivery.content, until: delivery.until });
}

/** The reprint elements of the items of one document (the partner delivery, if any, is the document's):
 *  reprint:terms, reprint:attribution, (when the upstream stated rights) reprint:upstreamRights, (when
 *  the item has a publication date) reprint:published and (in a partner feed) reprint:grant, in that
 *  order. Elements that depend only on the license or the delivery are built once per document. The
 *  caller's document must bind the `reprint` prefix to REPRINT_NS. */
export function reprintElements(delivery?: Delivery): (rights: ItemRights, published?: LocalTime) => Xml[] {
  const terms = perLicense(termsElement);
  const grant = delivery === undefined ? undefined : grantElement(delivery);
  return (rights, published) => {
    const out = [terms(rights.license), el('reprint:attribution', {}, rights.line)];
    if (rights.upstreamRights !== undefined) out.push(el('reprint:upstreamRights', {}, rights.upstreamRights));
    if (published !== undefined) out.push(el('reprint:published', { timeZone: published.timeZone }, published.text));
    if (grant !== undefined) out.push(grant);
    return out;
  };
}
