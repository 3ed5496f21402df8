// GET /partner/feeds/:id.{rss,atom,json}: a channel's feed as a partner's grant allows it, every item
// naming the grant. The order of the checks is the contract: unknown channel or format 404; no or
// unknown key 401; revoked partner 403; over the rate limit 429; no live grant for the channel 403.
// Only a 200 GET is a delivery, and it is on the ledger before the first byte is sent.

import type { LedgerBook } from '../partners/backend.js';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Channel } from '../model.js';
import { type RefusalCode, grantFor, identifyPartner } from '../partners/access.js';
import type { Ledger } from '../partners/ledger.js';
import type { Limiter } from '../partners/rate-limit.js';
import type { PartnerRegistry } from '../partners/registry.js';
import type { Delivery } from '../render/index.js';
import { feedRequest } from './feed-request.js';
import type { OutputCache, Representation } from './output-cache.js';

/** What the service keeps for partners: the registry (partners.json), the ledger and the rate limiter. */
export interface PartnerServices {
  registry: PartnerRegistry;
  ledger: Pick<LedgerBook, 'append' | 'entries'>;
  limiter: Limiter;
}

export interface PartnerFeedDeps extends PartnerServices {
  channels: ReadonlyMap<string, Channel>;
  cache: OutputCache;
  now: () => Date;
}

/** A refused request: its status and the one line the client is told. */
export interface Refusal {
  code: RefusalCode | 'rate-limited';
  status: 401 | 403 | 429;
  reason: string;
  retryAfterSeconds?: number;
}

/** The router for /partner/feeds (mount it there). */
export function partnerFeeds(deps: PartnerFeedDeps): Router {
  const router = Router();
  router.get('/:file', async (req, res) => {
    const { channel, format, query } = feedRequest(deps.channels, req.params.file, { limit: req.query.limit });
    // The CLI may have revoked, rotated or granted a moment ago: look at partners.json now (one stat).
    await deps.registry.sync();
    const who = identifyPartner(deps.registry, presentedKey(req));
    if (!who.ok) return refuse(res, who.refusal);
    const admission = await deps.limiter.take(who.partner.id);
    if (!admission.ok) {
      return refuse(res, { code: 'rate-limited', status: 429, reason: `rate limit: ${deps.limiter.perMinute} requests per minute`, retryAfterSeconds: admission.retryAfterSeconds });
    }
    const now = deps.now();
    const granted = grantFor(deps.registry.grantsOf(who.partner.id), who.partner, channel.id, now);
    if (!granted.ok) return refuse(res, granted.refusal);

    const { grant } = granted;
    const delivery: Delivery = { partner: who.partner.id, grantId: grant.id, content: grant.content, ...(grant.until !== undefined && { until: grant.until }) };
    const rep = deps.cache.get(channel, format, query, delivery);
    await sendDelivery(req, res, rep, () =>
      deps.ledger.append({ time: now.toISOString(), partner: who.partner.id, channel: channel.id, format, grant: grant.id, items: [...rep.itemIds], contentLevel: grant.content }),
    );
  });
  return router;
}

/**
 * The key a request presents: the bearer token of `Authorization: Bearer <key>`, else `?key=`. When
 * both are given the header wins. A repeated ?key= is no key.
 */
export function presentedKey(req: Request): string | undefined {
  const bearer = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
  if (bearer !== undefined) return bearer;
  const query = req.query.key;
  return typeof query === 'string' ? query : undefined;
}

/**
 * Sends a partner feed. A 304 or a HEAD delivers nothing and is not recorded; a 200 GET is recorded
 * first, and when recording fails the error goes on (a 500) and nothing is delivered.
 */
async function sendDelivery(req: Request, res: Response, rep: Representation, record: () => Promise<void>): Promise<void> {
  // Set before the freshness check, which compares the request's validators with these.
  res.set('ETag', rep.etag);
  if (rep.lastModified) res.set('Last-Modified', rep.lastModified);
  res.set({
    'Content-Type': rep.contentType,
    // A partner's feed may carry full text the public may not have: no shared cache may keep it.
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  if (req.method === 'GET') {
    try {
      await record();
    } catch (err) {
      for (const name of ['ETag', 'Last-Modified', 'Content-Type']) res.removeHeader(name);
      throw err;
    }
  }
  res.status(200).set('Content-Length', String(rep.body.length)).end(rep.body);
}

export function refuse(res: Response, refusal: Refusal): void {
  res.status(refusal.status).set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  // RFC 6750 §3: a 401 names the scheme; an unknown key is an invalid token.
  if (refusal.status === 401) res.set('WWW-Authenticate', `Bearer realm="partner feeds"${refusal.code === 'unknown-key' ? ', error="invalid_token"' : ''}`);
  if (refusal.retryAfterSeconds !== undefined) res.set('Retry-After', String(refusal.retryAfterSeconds));
  res.type('text/plain; charset=utf-8').send(`${refusal.reason}\n`);
}
