// Answering a request for a rendered feed document: content-coding negotiation, conditional requests
// (RFC 9110 §13) and headers. Written against node:http's request and response so that the fast path
// (which answers before Express routes anything) and the Express routes send exactly the same bytes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ContentCoding, type Representation, compressed, readyBody } from './output-cache.js';

export interface FeedHeaders {
  cacheControl: string;
  /** Access-Control-Allow-Origin: * (public feeds may be read by pages on any site). */
  cors: boolean;
  /** A Link header value (WebSub discovery: hub and self). */
  link?: string;
}

/**
 * Sends the representation, or 304 when the client's copy is current; returns the status sent. A
 * compressed body not made yet is compressed off the event loop first (once, whoever asks), and the
 * response follows when it is ready; a failed compression sends the identity body.
 */
export function sendFeed(req: IncomingMessage, res: ServerResponse, rep: Representation, headers: FeedHeaders): 200 | 304 {
  const coding = negotiateCoding(req.headers['accept-encoding']);
  const etag = codedEtag(rep.etag, coding);
  const common: Record<string, string> = {
    ETag: etag,
    'Cache-Control': headers.cacheControl,
    Vary: 'Accept-Encoding, Accept',
    'X-Content-Type-Options': 'nosniff',
  };
  if (rep.lastModified) common['Last-Modified'] = rep.lastModified;
  if (headers.link) common.Link = headers.link;
  if (headers.cors) common['Access-Control-Allow-Origin'] = '*';

  if (isNotModified(req, rep)) {
    res.writeHead(304, common).end();
    return 304;
  }
  const body = readyBody(rep, coding);
  if (body !== undefined) {
    send200(req, res, rep, common, coding, body);
  } else if (coding !== 'identity') {
    compressed(rep, coding).then(
      (encoded) => send200(req, res, rep, common, coding, encoded),
      () => send200(req, res, rep, { ...common, ETag: rep.etag }, 'identity', rep.body),
    );
  }
  return 200;
}

function send200(req: IncomingMessage, res: ServerResponse, rep: Representation, common: Record<string, string>, coding: ContentCoding, body: Buffer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(200, {
    ...common,
    'Content-Type': forBrowser(req, rep.contentType),
    'Content-Length': String(body.length),
    ...(coding !== 'identity' && { 'Content-Encoding': coding }),
  });
  // Node writes no body for HEAD, but the headers above (Content-Length included) still describe it.
  res.end(body);
}

/**
 * Browsers show application/rss+xml and application/atom+xml as plain text and never apply their
 * stylesheet; the same bytes labelled application/xml are transformed into a readable page. A request
 * that asks for HTML is a person opening the feed URL; feed readers ask for feeds (or anything).
 */
function forBrowser(req: IncomingMessage, contentType: string): string {
  const accept = req.headers.accept;
  if (accept === undefined || !accept.includes('text/html') || !/^application\/(rss|atom)\+xml/.test(contentType)) return contentType;
  return 'application/xml; charset=utf-8';
}

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
 * document matches: a client that switched codings still holds the current content.
 */
export function isNotModified(req: IncomingMessage, rep: Representation): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    // A poll repeats the ETag it was given: the common case needs no parsing.
    if (inm === rep.etag) return true;
    if (inm.trim() === '*') return true;
    const base = rep.etag.slice(1, -1);
    return inm.split(',').some((tag) => {
      const opaque = tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
      return opaque === base || opaque === `${base}-gzip` || opaque === `${base}-br`;
    });
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined || rep.lastModified === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Date.parse(rep.lastModified) <= since;
}
