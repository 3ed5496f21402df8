// The header blocks of a rendered feed document, computed once per representation, content coding and
// max-age (which changes at most once a second) instead of once per request: the fast path of
// public-feeds.ts answers a poll by comparing validators and writing one of these precomputed arrays.
// They hold exactly the headers sendFeed (feed-response.ts) writes for the same request.

import { type FeedHeaders, codedEtag } from './feed-response.js';
import { type ContentCoding, type Representation, readyBody } from './output-cache.js';

/** What a request for one representation in one coding is answered with. */
export interface CodedBlock {
  body: Buffer;
  /** The ETag sent with this coding (codedEtag). */
  etag: string;
  /** 200 headers as a flat [name, value, name, value, …] list for res.writeHead. */
  ok: string[];
  /** 200 headers for a browser (Accept names text/html): RSS and Atom labelled application/xml. */
  okBrowser: string[];
  notModified: string[];
}

interface Prepared {
  headers: FeedHeaders;
  blocks: Map<ContentCoding, CodedBlock>;
}

const BROWSER_TYPE = 'application/xml; charset=utf-8';

/** Header blocks per representation; a representation that is no longer cached is forgotten with it. */
export class FeedHeaderBlocks {
  readonly #prepared = new WeakMap<Representation, Prepared>();

  /**
   * The block for `rep` in `coding` with `headers`, built on first use and kept while the caller
   * passes the same `headers` object (callers keep one per channel, format and max-age). Undefined
   * while the body in that coding is not compressed yet (compression runs off the event loop; the
   * caller answers through sendFeed, which waits for it).
   */
  get(rep: Representation, coding: ContentCoding, headers: FeedHeaders): CodedBlock | undefined {
    let prepared = this.#prepared.get(rep);
    if (prepared === undefined || prepared.headers !== headers) {
      prepared = { headers, blocks: new Map() };
      this.#prepared.set(rep, prepared);
    }
    let block = prepared.blocks.get(coding);
    if (block === undefined) {
      block = buildBlock(rep, coding, headers);
      if (block !== undefined) prepared.blocks.set(coding, block);
    }
    return block;
  }
}

function buildBlock(rep: Representation, coding: ContentCoding, headers: FeedHeaders): CodedBlock | undefined {
  const body = readyBody(rep, coding);
  if (body === undefined) return undefined;
  const etag = codedEtag(rep.etag, coding);
  const common = ['ETag', etag, 'Cache-Control', headers.cacheControl, 'Vary', 'Accept-Encoding, Accept', 'X-Content-Type-Options', 'nosniff'];
  if (rep.lastModified) common.push('Last-Modified', rep.lastModified);
  if (headers.link) common.push('Link', headers.link);
  if (headers.cors) common.push('Access-Control-Allow-Origin', '*');
  const rest = ['Content-Length', String(body.length)];
  if (coding !== 'identity') rest.push('Content-Encoding', coding);
  const browserType = /^application\/(rss|atom)\+xml/.test(rep.contentType) ? BROWSER_TYPE : rep.contentType;
  return {
    body,
    etag,
    ok: [...common, 'Content-Type', rep.contentType, ...rest],
    okBrowser: [...common, 'Content-Type', browserType, ...rest],
    notModified: common,
  };
}
