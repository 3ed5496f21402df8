// The public feeds, /feeds/:id.{rss,atom,json}: the hot path of the service. Feed readers poll these,
// so the plain forms (no query, or only ?limit) are answered straight from the output cache by
// `answer`, before Express routes anything (Express routing alone costs about two thirds of a cached
// feed's throughput; docs/benchmarks.md); every other form goes through the Express route,
// which sends the same way.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { Channel } from '../model.js';
import { type FormatId, formats } from '../render/index.js';
import type { Cadence } from '../schedule/cadence.js';
import { clientAddress } from './client-address.js';
import { HttpError } from './errors.js';
import { type FeedRequest, DEFAULT_LIMIT, MAX_LIMIT, feedRequest } from './feed-request.js';
import { type CodedBlock, FeedHeaderBlocks } from './feed-headers.js';
import { type FeedHeaders, isNotModified, negotiateCoding, sendFeed } from './feed-response.js';
import type { ContentCoding, OutputCache, Representation } from './output-cache.js';
import type { SubscriberStats } from './subscribers.js';

export interface PublicFeedDeps {
  cache: OutputCache;
  channels: ReadonlyMap<string, Channel>;
  cadences: ReadonlyMap<string, Cadence>;
  baseUrl: string;
  hubUrl?: string;
  subscribers?: SubscriberStats;
  now: () => Date;
  /** The same clock in ms, read at every poll without making a Date; derived from `now` when absent. */
  nowMs?: () => number;
  /** Hands each answer of a plain feed URL on to the serving thread (serving-thread.ts), once per second. */
  publish?: PublishAnswer;
}

/** What `answer` gives the serving thread: `block` answers `url` in `coding` until `validUntil` (ms). */
export type PublishAnswer = (url: string, channel: string, format: FormatId, rep: Representation, coding: ContentCoding, block: CodedBlock, validUntil: number) => void;

const PLAIN_FEED = /^\/feeds\/([a-z0-9][a-z0-9-]{0,63})\.(rss|atom|json)$/;
const LIMIT_ONLY = /^limit=([1-9]\d{0,3})$/;

/**
 * What a plain feed URL was answered with during the current second: the representation and its header
 * block per content coding. A repeated poll of the same URL in the same second, with the channel's
 * store revision unchanged, is answered from here with one map lookup; the first poll of each second
 * goes the full way (cache lookup, max-age for that second), so nothing here outlives a second.
 */
interface HotEntry {
  readonly channel: Channel;
  readonly format: FormatId;
  readonly rep: Representation;
  readonly headers: FeedHeaders;
  readonly blocks: Partial<Record<ContentCoding, CodedBlock>>;
}

/** Distinct plain feed URLs remembered within one second (a scanner varying ?limit cannot grow it). */
const MAX_HOT_URLS = 1024;

export class PublicFeeds {
  readonly #blocks = new FeedHeaderBlocks();
  #hot = new Map<string, HotEntry>();
  #hotSecond = -1;
  /** The current FeedHeaders per channel and format (max-age changes at most once a second). */
  readonly #current = new Map<Channel, Map<FormatId, { maxAge: number; headers: FeedHeaders }>>();

  readonly #nowMs: () => number;

  constructor(private readonly deps: PublicFeedDeps) {
    this.#nowMs = deps.nowMs ?? (() => deps.now().getTime());
  }

  /**
   * Answers a GET or HEAD of a plain feed URL from the cache and returns true; returns false, having
   * touched nothing, for anything else (which Express then handles, errors included).
   */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url?.startsWith('/feeds/')) return false;
    const nowMs = this.#nowMs();
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#hotSecond) {
      this.#hot = new Map();
      this.#hotSecond = second;
    }
    const hot = this.#hot.get(req.url);
    if (hot !== undefined) {
      const coding = negotiateCoding(req.headers['accept-encoding']);
      const block = hot.blocks[coding];
      if (block !== undefined && this.deps.cache.reuse(hot.channel.id, hot.rep)) {
        this.deps.publish?.(req.url, hot.channel.id, hot.format, hot.rep, coding, block, (second + 1) * 1000);
        this.#write(req, res, hot.rep, block);
        if (req.method === 'GET') this.#record(req, hot.channel, hot.format, nowMs);
        return true;
      }
    }
    const q = req.url.indexOf('?');
    const match = PLAIN_FEED.exec(q < 0 ? req.url : req.url.slice(0, q));
    if (!match) return false;
    const channel = this.deps.channels.get(match[1]!);
    if (!channel) return false;
    let limit = Math.min(DEFAULT_LIMIT, channel.maxItems);
    if (q >= 0) {
      const only = LIMIT_ONLY.exec(req.url.slice(q + 1));
      if (!only || Number(only[1]) > Math.min(MAX_LIMIT, channel.maxItems)) return false;
      limit = Number(only[1]);
    }
    const format = match[2] as FormatId;
    this.#sendFast(req, res, channel, format, this.deps.cache.get(channel, format, { limit }), nowMs);
    return true;
  }

  /**
   * What #send does, with the headers precomputed per representation (feed-headers.ts): per request
   * only the coding is negotiated, the validators compared and a ready header list written. The answer
   * is remembered for the rest of the second (#hot).
   */
  #sendFast(req: IncomingMessage, res: ServerResponse, channel: Channel, format: FormatId, rep: Representation, nowMs: number): void {
    const headers = this.#currentHeaders(channel, format, new Date(nowMs));
    const coding = negotiateCoding(req.headers['accept-encoding']);
    const block = this.#blocks.get(rep, coding, headers);
    if (block === undefined) return this.#send(req, res, channel, format, rep);
    let hot = this.#hot.get(req.url!);
    if (hot === undefined || hot.rep !== rep || hot.headers !== headers) {
      if (this.#hot.size >= MAX_HOT_URLS) this.#hot.clear();
      hot = { channel, format, rep, headers, blocks: {} };
      this.#hot.set(req.url!, hot);
    }
    hot.blocks[coding] = block;
    this.deps.publish?.(req.url!, channel.id, format, rep, coding, block, (this.#hotSecond + 1) * 1000);
    this.#write(req, res, rep, block);
    if (req.method === 'GET') this.#record(req, channel, format, nowMs);
  }

  #write(req: IncomingMessage, res: ServerResponse, rep: Representation, block: CodedBlock): void {
    if (isNotModified(req, rep, block.etag)) {
      res.writeHead(304, block.notModified).end();
    } else {
      const accept = req.headers.accept;
      res.writeHead(200, accept !== undefined && accept.includes('text/html') ? block.okBrowser : block.ok).end(block.body);
    }
  }

  /** Counts `n` polls the serving thread answered with what `publish` gave it: output cache hits. */
  servedElsewhere(n: number): void {
    this.deps.cache.countHits(n);
  }

  /** Counts the poll in the subscriber statistics. */
  #record(req: IncomingMessage, channel: Channel, format: FormatId, nowMs: number): void {
    this.deps.subscribers?.record(channel.id, format, req.headers['user-agent'] ?? '', clientAddress(req), nowMs);
  }

  /** The Express route: every query form, with 404 and 400 answers for what is not a feed. */
  readonly route = async (req: Request, res: Response): Promise<void> => {
    const { channel, format, query }: FeedRequest = feedRequest(this.deps.channels, req.params.file as string, req.query);
    let rep: Representation | undefined;
    if (query.page !== undefined) {
      rep = await this.deps.cache.archive(channel, format, query.page, query.part ?? 1);
      if (!rep) throw new HttpError(404, `channel "${channel.id}" has no archive for ${query.page}${query.part !== undefined ? ` part ${query.part}` : ''}`);
    } else {
      rep = this.deps.cache.get(channel, format, query);
    }
    this.#send(req, res, channel, format, rep, query.page !== undefined);
  };

  #currentHeaders(channel: Channel, format: FormatId, now: Date): FeedHeaders {
    const maxAge = this.deps.cadences.get(channel.id)?.maxAge(now) ?? 300;
    let byFormat = this.#current.get(channel);
    if (byFormat === undefined) {
      byFormat = new Map();
      this.#current.set(channel, byFormat);
    }
    let current = byFormat.get(format);
    if (current === undefined || current.maxAge !== maxAge) {
      current = { maxAge, headers: this.#headers(channel, format, now, false) };
      byFormat.set(format, current);
    }
    return current.headers;
  }

  /** Cache-Control, CORS and the WebSub Link of a channel's feed served at `now`. */
  #headers(channel: Channel, format: FormatId, now: Date, archived: boolean): FeedHeaders {
    // An archived month changes only when an old item is corrected, so caches may keep it for a day.
    const maxAge = archived ? 86_400 : (this.deps.cadences.get(channel.id)?.maxAge(now) ?? 300);
    return {
      cacheControl: `public, max-age=${maxAge}`,
      cors: true,
      ...(this.deps.hubUrl !== undefined && {
        link: `<${this.deps.hubUrl}>; rel="hub", <${this.deps.baseUrl}/feeds/${channel.id}.${formats[format].extension}>; rel="self"`,
      }),
    };
  }

  #send(req: IncomingMessage, res: ServerResponse, channel: Channel, format: FormatId, rep: Representation, archived = false): void {
    const now = this.deps.now();
    sendFeed(req, res, rep, this.#headers(channel, format, now, archived));
    if (req.method === 'GET') {
      this.deps.subscribers?.record(channel.id, format, req.headers['user-agent'] ?? '', clientAddress(req), now.getTime());
    }
  }
}
