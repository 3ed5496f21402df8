// XML namespaces the RSS and Atom renderers use. One list, so the RSS root declares each exactly once
// and the tests can look elements up by the same URIs.

/** Our extension namespace for reprint terms; documented in docs/reprint-namespace.md, served at /ns/reprint/1.0. */
export const REPRINT_NS = 'https://syndicator.dev/ns/reprint/1.0';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const DC_NS = 'http://purl.org/dc/elements/1.1/';
export const DCTERMS_NS = 'http://purl.org/dc/terms/';
export const CONTENT_NS = 'http://purl.org/rss/1.0/modules/content/';
export const CC_NS = 'http://backend.userland.com/creativeCommonsRssModule';
/** RFC 5005 Feed Paging and Archiving. */
export const FH_NS = 'http://purl.org/syndication/history/1.0';

/** Prefix → URI as declared on the RSS root. */
export const RSS_NAMESPACES: Readonly<Record<string, string>> = {
  atom: ATOM_NS,
  content: CONTENT_NS,
  creativeCommons: CC_NS,
  dc: DC_NS,
  dcterms: DCTERMS_NS,
  fh: FH_NS,
  reprint: REPRINT_NS,
};
