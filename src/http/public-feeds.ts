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
import { HttpError } from './errors.js';
import { type FeedRequest, DEFAULT_LIMIT, MAX_LIMIT, feedRequest } from './feed-request.js';
import { sendFeed } from './feed-response.js';
import type { OutputCache, Representation } from './output-cache.js';
import type { SubscriberStats } from './subscribers.js';

export interface PublicFeedDeps {
  cache: OutputCache;
  channels: ReadonlyMap<string, Channel>;
  cadences: ReadonlyMap<string, Cadence>;
  baseUrl: string;
  hubUrl?: string;
  subscribers?: SubscriberStats;
  now: () => Date;
}

const PLAIN_FEED = /^\/feeds\/([a-z0-9][a-z0-9-]{0,63})\.(rss|atom|json)$/;
const LIMIT_ONLY = /^limit=([1-9]\d{0,3})$/;

export class PublicFeeds {
  constructor(private readonly deps: PublicFeedDeps) {}

  /**
   * Answers a GET or HEAD of a plain feed URL from the cache and returns true; returns false, having
   * touched nothing, for anything else (which Express then handles, errors included).
   */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url?.startsWith('/feeds/')) return false;
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
    this.#send(req, res, channel, format, this.deps.cache.get(channel, format, { limit }));
    return true;
  }

  /** The Express route: every query form, with 404 and 400 answers for what is not a feed. */
  readonly route = async (req: Request, res: Response): Promise<void> => {
    const { channel, format, query }: FeedRequest = feedRequest(this.deps.channels, req.params.file as string, req.query);
    let rep: Representation | undefined;
    if (query.page !== undefined) {
      rep = await this.deps.cache.archive(channel, format, query.page);
      if (!rep) throw new HttpError(404, `channel "${channel.id}" has no archive for ${query.page}`);
    } else {
      rep = this.deps.cache.get(channel, format, query);
    }
    this.#send(req, res, channel, format, rep, query.page !== undefined);
  };

  #send(req: IncomingMessage, res: ServerResponse, channel: Channel, format: FormatId, rep: Representation, archived = false): void {
    const now = this.deps.now();
    // An archived month changes only when an old item is corrected, so caches may keep it for a day.
    const maxAge = archived ? 86_400 : (this.deps.cadences.get(channel.id)?.maxAge(now) ?? 300);
    sendFeed(req, res, rep, {
      cacheControl: `public, max-age=${maxAge}`,
      cors: true,
      ...(this.deps.hubUrl !== undefined && {
        link: `<${this.deps.hubUrl}>; rel="hub", <${this.deps.baseUrl}/feeds/${channel.id}.${formats[format].extension}>; rel="self"`,
      }),
    });
    if (req.method === 'GET') {
      this.deps.subscribers?.record(channel.id, format, req.headers['user-agent'] ?? '', req.socket.remoteAddress ?? '', now.getTime());
    }
  }
}
