// Content codings and validators of a feed response (RFC 9110 §8.8.3, §12.5.3, §13): what both the
// serving thread (serving-worker.ts) and the Express side (feed-response.ts) decide per request. A leaf:
// it imports nothing, so the serving thread loads nothing else with it.

export type ContentCoding = 'identity' | 'gzip' | 'br';

// Clients send the same few Accept-Encoding values over and over: remember the answer for each.
const codings = new Map<string, ContentCoding>();

/** br, else gzip, else identity, as the Accept-Encoding header allows (q=0 refuses a coding). */
export function negotiateCoding(header: string | undefined): ContentCoding {
  if (!header) return 'identity';
  let coding = codings.get(header);
  if (coding === undefined) {
    coding = parseAcceptEncoding(header);
    if (codings.size < 256) codings.set(header, coding);
  }
  return coding;
}

function parseAcceptEncoding(header: string): ContentCoding {
  const q = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

/**
 * A compressed body is a different representation, so it gets its own strong validator (RFC 9110
 * §8.8.3): the identity ETag with the coding appended inside the quotes.
 */
export function codedEtag(etag: string, coding: ContentCoding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

/**
 * If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). Any coding's ETag of the same
 * document matches: a client that switched codings still holds the current content. `sentEtag`, when
 * given, is the ETag of the coding being answered (codedEtag).
 */
export function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, etag: string, lastModified: string | undefined, sentEtag?: string): boolean {
  if (ifNoneMatch !== undefined) {
    // A poll repeats the ETag it was given: the common case needs no parsing.
    if (ifNoneMatch === etag || ifNoneMatch === sentEtag) return true;
    if (ifNoneMatch.trim() === '*') return true;
    const base = etag.slice(1, -1);
    return listsEntityTag(ifNoneMatch, [base, `${base}-gzip`, `${base}-br`]);
  }
  if (ifModifiedSince === undefined || lastModified === undefined) return false;
  // A value that is not an HTTP-date is ignored (RFC 9110 §13.1.3).
  const since = parseHttpDate(ifModifiedSince);
  return since !== undefined && Date.parse(lastModified) <= since;
}

const OWS = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * Whether the If-None-Match list `header` (1#entity-tag, RFC 9110 §8.8.3 and §13.1.2) holds an
 * entity-tag whose opaque-tag is one of `opaques`, by the weak comparison (`W/"x"` matches `"x"`). One
 * pass over the header: a comma inside the quotes belongs to the tag (`"x,y"` is one tag), and an
 * element that is not an entity-tag (unquoted, unterminated, followed by junk) matches nothing.
 */
function listsEntityTag(header: string, opaques: readonly string[]): boolean {
  let i = 0;
  while (i < header.length) {
    while (i < header.length && (OWS(header[i]) || header[i] === ',')) i += 1;
    if (i >= header.length) return false;
    const open = header.startsWith('W/"', i) ? i + 2 : i;
    const close = header[open] === '"' ? header.indexOf('"', open + 1) : -1;
    if (header[open] === '"' && close < 0) return false;
    let next = close < 0 ? i : close + 1;
    while (OWS(header[next])) next += 1;
    if (close >= 0 && (next >= header.length || header[next] === ',')) {
      if (opaques.includes(header.slice(open + 1, close))) return true;
      i = next;
    } else {
      // Not an entity-tag: skip to the next element.
      const comma = header.indexOf(',', next);
      if (comma < 0) return false;
      i = comma + 1;
    }
  }
  return false;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
// The three forms of HTTP-date a recipient must accept (RFC 9110 §5.6.7): IMF-fixdate, the obsolete
// RFC 850 date (two-digit year) and asctime's.
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) (${MONTH}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
const RFC850_DATE = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${MONTH})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`);

/** The instant of an HTTP-date (RFC 9110 §5.6.7) in milliseconds; undefined for any other text or a
 *  date that does not exist. */
export function parseHttpDate(value: string): number | undefined {
  let fields: [day: string, month: string, year: number, h: string, m: string, s: string] | undefined;
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) fields = [m[1]!, m[2]!, Number(m[3]), m[4]!, m[5]!, m[6]!];
  else if ((m = RFC850_DATE.exec(text))) {
    // A two-digit year more than 50 years ahead is the latest past year with those digits.
    let year = 2000 + Number(m[3]);
    if (year > new Date().getUTCFullYear() + 50) year -= 100;
    fields = [m[1]!, m[2]!, year, m[4]!, m[5]!, m[6]!];
  } else if ((m = ASCTIME_DATE.exec(text))) fields = [m[2]!.trim(), m[1]!, Number(m[6]), m[3]!, m[4]!, m[5]!];
  if (!fields) return undefined;
  const [day, month, year, h, min, sec] = fields;
  const d = new Date(0);
  d.setUTCFullYear(year, MONTHS.indexOf(month), Number(day));
  if (d.getUTCDate() !== Number(day) || Number(h) > 23 || Number(min) > 59 || Number(sec) > 60) return undefined;
  d.setUTCHours(Number(h), Number(min), Math.min(Number(sec), 59));
  return d.getTime();
}
