// Reprint terms as W3C ODRL 2.2 policies (JSON-LD), following IPTC RightsML 2.0 (the news industry's
// ODRL profile) where it fits: a license is an Offer from its rights holder, a partner's grant an
// Agreement between the publisher and the partner. Pure functions: no clock, no I/O; `now` is never
// needed because every time they state comes from the grant itself.
//
// Terms come from the ODRL 2.2 vocabulary (https://www.w3.org/TR/odrl-vocab/); what ODRL has no term
// for (the exact attribution line, which elements it must name, the grant's content scope) uses the
// reprint namespace (docs/reprint-namespace.md), so a processor that knows only ODRL still reads the
// permissions, duties, prohibitions, parties and the expiry.

import type { Channel, Grant, Item, License, Partner } from '../model.js';
import { REPRINT_NS } from './namespaces.js';
import { attributionLine, itemRights, licenseUrl } from './rights.js';

/** The ODRL 2.2 JSON-LD context URL every policy names; a copy ships in assets/contexts/odrl.jsonld. */
export const ODRL_CONTEXT_URL = 'http://www.w3.org/ns/odrl.jsonld';
/** IPTC RightsML 2.0: the ODRL profile for the news industry. */
export const RIGHTSML_PROFILE = 'https://iptc.org/std/RightsML/odrl-profile/';
export const JSONLD_MEDIA_TYPE = 'application/ld+json';
const REPRINT_TERMS = `${REPRINT_NS}#`;

/** The context of every document: ODRL's, plus the few prefixes and terms of our own. */
const CONTEXT = [
  ODRL_CONTEXT_URL,
  {
    dct: 'http://purl.org/dc/terms/',
    vcard: 'http://www.w3.org/2006/vcard/ns#',
    xsd: 'http://www.w3.org/2001/XMLSchema#',
    reprint: REPRINT_TERMS,
    'reprint:mustName': { '@type': '@vocab' },
    'reprint:contentScope': { '@type': '@vocab' },
    'reprint:originalLink': { '@type': '@id' },
    'reprint:license': { '@type': '@id' },
  },
] as const;

export type JsonLd = Record<string, unknown>;

interface PartyRef {
  '@id': string;
  '@type': 'Party';
  'vcard:fn': string;
  [extra: string]: unknown;
}

/** What a policy needs to name things: the public origin. */
export interface PolicyContext {
  baseUrl: string;
}

/** The policy's IRI: the license's own URL (content-negotiated to this document at /licenses/:id). */
export function policyIri(license: License, baseUrl: string): string {
  return licenseUrl(license, baseUrl);
}

/**
 * The license as an ODRL Offer (permission `prohibited`: a Set of prohibitions only):
 * - permissions reproduce and distribute, unless the terms prohibit reprinting;
 * - duties: obtainConsent from the holder when the terms ask for written authorization (with how to
 *   ask), and attribute: the attribution line's template and what it must name (source, the author
 *   when the work has one, a link to the original);
 * - prohibitions: the acts the terms forbid (`reprint.prohibited`), e.g. modify;
 * - the assigner and rights holder is the license's holder, or — clause 【2】, works reprinted from other
 *   media (`holderIsSource`) — each work's original outlet, which `itemPolicy` names.
 */
export function licensePolicy(license: License, ctx: PolicyContext): JsonLd {
  const iri = policyIri(license, ctx.baseUrl);
  const holder = license.holderIsSource ? originalOutletParty(license, iri) : holderParty(license, iri);
  const target = { '@id': `${iri}#works`, '@type': 'AssetCollection', 'dct:description': `Works published under «${license.title}»` };
  return policyDocument(license, iri, holder, target, attributeDuty(license, holder));
}

/**
 * The license's policy as it applies to one item: the target is the item's original URL, the rights
 * holder is named (for clause 【2】 works, the item's source outlet), and the attribution duty carries
 * the exact line to print and the original link.
 */
export function itemPolicy(item: Item, license: License, ctx: PolicyContext & { timeZone: string }): JsonLd {
  const iri = policyIri(license, ctx.baseUrl);
  const rights = itemRights(item, license, ctx.baseUrl, ctx.timeZone);
  const holder: PartyRef = license.holderIsSource
    ? { '@id': rights.source.id, '@type': 'Party', 'vcard:fn': rights.source.name, 'reprint:role': 'original outlet (rights holder)' }
    : holderParty(license, iri);
  // The original article; an item without a link is named by its guid (an urn:uuid IRI).
  const target = { '@id': item.link ?? item.guid, '@type': 'Asset', 'dct:title': item.title, 'dct:identifier': item.guid };
  const duty: JsonLd = {
    ...attributeDuty(license, holder),
    attributedParty: [holder, ...(license.holderIsSource ? [] : [sourceParty(rights.source)]), ...rights.authors.map(authorParty)].filter(uniqueParty()),
    'reprint:attribution': attributionLine(item, license, ctx.timeZone),
    ...(item.link !== undefined && { 'reprint:originalLink': item.link }),
    'reprint:sourceName': rights.source.name,
    ...(rights.authors.length > 0 && { 'reprint:authorName': rights.authors }),
  };
  return { ...policyDocument(license, `${iri}?item=${encodeURIComponent(item.id)}`, holder, target, duty), 'dct:isPartOf': { '@id': iri } };
}

/**
 * A partner's grant as an ODRL Agreement: the publisher (assigner) lets the partner (assignee)
 * reproduce and distribute the channel's works (target), in full or as the public excerpt
 * (`reprint:contentScope`), until the grant's end (a dateTime constraint, `lt` its `until`), with the
 * duty to attribute each item as its feed entry says; the licenses of the channel stay in force for
 * what they prohibit and for works whose holder is another outlet (`reprint:license`).
 */
export function grantAgreement(
  grant: Grant,
  partner: Pick<Partner, 'id' | 'name'>,
  channel: Channel,
  licenses: readonly License[],
  ctx: PolicyContext,
): JsonLd {
  const publisherName = licenses.find((l) => l.id === channel.license && !l.holderIsSource)?.holder ?? channel.title;
  const assigner: PartyRef = { '@id': publisherIri(channel), '@type': 'Party', 'vcard:fn': publisherName };
  const assignee: PartyRef = { '@id': `${ctx.baseUrl}/partners/${encodeURIComponent(partner.id)}`, '@type': 'Party', 'vcard:fn': partner.name };
  const target = { '@id': `${ctx.baseUrl}/channels/${encodeURIComponent(channel.id)}`, '@type': 'AssetCollection', 'dct:title': channel.title };
  const constraint =
    grant.until === undefined ? {} : { constraint: [{ leftOperand: 'dateTime', operator: 'lt', rightOperand: { '@value': grant.until, '@type': 'xsd:dateTime' } }] };
  const duty = [
    {
      action: 'attribute',
      attributedParty: assigner,
      'reprint:mustName': ['reprint:source', 'reprint:author', 'reprint:originalLink'],
      'dct:description': 'Print with each reprint the line its feed entry gives (reprint:attribution, _attribution.line): source, author when there is one, and a link to the original.',
    },
  ];
  const permission = (['reproduce', 'distribute'] as const).map((action) => ({ '@type': 'Permission', target: target['@id'], assigner: assigner['@id'], assignee: assignee['@id'], action, ...constraint, duty }));
  const prohibited = [...new Set(licenses.flatMap((l) => l.reprint.prohibited ?? []))];
  return {
    '@context': CONTEXT,
    '@type': 'Agreement',
    '@id': `${ctx.baseUrl}/partner/grants/${encodeURIComponent(channel.id)}.jsonld#${encodeURIComponent(grant.id)}`,
    profile: RIGHTSML_PROFILE,
    'dct:identifier': grant.id,
    'dct:issued': { '@value': grant.createdAt, '@type': 'xsd:dateTime' },
    ...(grant.revokedAt !== undefined && { 'reprint:revoked': { '@value': grant.revokedAt, '@type': 'xsd:dateTime' } }),
    assigner,
    assignee,
    target,
    'reprint:contentScope': grant.content === 'full' ? 'reprint:fullText' : 'reprint:excerpt',
    'reprint:license': licenses.map((l) => policyIri(l, ctx.baseUrl)),
    permission,
    ...(prohibited.length > 0 && {
      prohibition: prohibited.map((action) => ({ '@type': 'Prohibition', target: target['@id'], assigner: assigner['@id'], assignee: assignee['@id'], action })),
    }),
  };
}

/** The licenses a channel's items may carry: its default and those its rules pick, in that order. */
export function channelLicenses(channel: Channel, licenses: ReadonlyMap<string, License>): License[] {
  const ids = [...new Set([channel.license, ...channel.licenseRules.map((r) => r.license)])];
  return ids.map((id) => licenses.get(id)).filter((l): l is License => l !== undefined);
}

function policyDocument(license: License, iri: string, holder: PartyRef, target: JsonLd, attribute: JsonLd): JsonLd {
  const { permission: kind, contact } = license.reprint;
  const base: JsonLd = {
    '@context': CONTEXT,
    '@type': kind === 'prohibited' ? 'Set' : 'Offer',
    '@id': iri,
    profile: RIGHTSML_PROFILE,
    'dct:title': license.title,
    'dct:description': license.statement,
    'dct:rightsHolder': holder,
    assigner: holder,
    target,
    'reprint:permission': kind,
    'reprint:publicContent': license.publicContent,
  };
  const targetId = target['@id'];
  const forbidden = new Set<string>(license.reprint.prohibited ?? []);
  if (kind === 'prohibited') for (const a of ['reproduce', 'distribute']) forbidden.add(a);
  const prohibition = [...forbidden].map((action) => ({ '@type': 'Prohibition', target: targetId, assigner: holder['@id'], action }));
  if (kind === 'prohibited') return { ...base, prohibition };
  const duties: JsonLd[] = [];
  if (kind === 'written-authorization') {
    duties.push({
      '@type': 'Duty',
      action: 'obtainConsent',
      consentingParty: holder,
      'dct:description': 'Written authorization from the rights holder before reprinting (a partner grant is one: see /partner/grants/:channel.jsonld).',
      ...(contact !== undefined && { 'reprint:contact': contact }),
    });
  }
  if (kind !== 'free') duties.push(attribute);
  const permission = (['reproduce', 'distribute'] as const).map((action) => ({
    '@type': 'Permission',
    target: targetId,
    assigner: holder['@id'],
    action,
    ...(duties.length > 0 && { duty: duties }),
  }));
  return { ...base, permission, ...(prohibition.length > 0 && { prohibition }) };
}

/** The attribute duty of a license: its template and the elements a reprint must name. */
function attributeDuty(license: License, holder: PartyRef): JsonLd {
  return {
    '@type': 'Duty',
    action: 'attribute',
    attributedParty: holder,
    'reprint:mustName': ['reprint:source', 'reprint:author', 'reprint:originalLink'],
    ...(license.reprint.attributionTemplate !== undefined && { 'reprint:template': license.reprint.attributionTemplate }),
    'dct:description': 'Print the attribution line with the reprint: the source outlet, the author when the work names one, and a link to the original.',
  };
}

function holderParty(license: License, policy: string): PartyRef {
  return { '@id': `${policy}#holder`, '@type': 'Party', 'vcard:fn': license.holder };
}

/** Clause 【2】: the rights holder of each work is the outlet it was reprinted from. */
function originalOutletParty(license: License, policy: string): PartyRef {
  return { '@id': `${policy}#original-outlet`, '@type': 'Party', 'vcard:fn': license.holder, 'reprint:role': 'original outlet (rights holder) of each work: its source' };
}

function sourceParty(source: { id: string; name: string }): PartyRef {
  return { '@id': source.id, '@type': 'Party', 'vcard:fn': source.name };
}

function authorParty(name: string): JsonLd {
  // An author has no IRI of their own here: a blank node with the name.
  return { '@type': 'Party', 'vcard:fn': name, 'reprint:role': 'author' };
}

/** Drops a second party with the same @id (a source outlet that is also the holder). */
function uniqueParty(): (p: JsonLd) => boolean {
  const seen = new Set<unknown>();
  return (p) => {
    const id = p['@id'];
    if (id === undefined) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
}

/** The publisher's IRI: the origin of the channel's home page. */
function publisherIri(channel: Channel): string {
  try {
    return `${new URL(channel.link).origin}/`;
  } catch {
    return channel.link;
  }
}
