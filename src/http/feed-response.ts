// Answering a request for a rendered feed document: content-coding negotiation, conditional requests
// (RFC 9110 §13) and headers. Written against node:http's request and response so that the fast path
// (which answers before Express routes anything) and the Express routes send exactly the same bytes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ContentCoding, type Representation, compressed, readyBody } from './output-cache.js';
import { codedEtag, negotiateCoding, notModified } from './validators.js';

export { codedEtag, negotiateCoding, parseHttpDate } from './validators.js';

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

  if (isNotModified(req, rep, etag)) {
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

/**
 * Whether the request's validators match the representation (validators.ts, notModified). `sentEtag`,
 * the ETag of the coding being answered, lets a poll that repeats it match without the list being parsed.
 */
export function isNotModified(req: IncomingMessage, rep: Representation, sentEtag: string): boolean {
  return notModified(req.headers['if-none-match'], req.headers['if-modified-since'], rep.etag, rep.lastModified, sentEtag);
}
