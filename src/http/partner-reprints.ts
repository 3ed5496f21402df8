// Partner routes beyond the feeds, each behind the partner's key (checked as for the feeds: 401
// missing/unknown key, 403 revoked partner, 429 over the rate limit):
// - GET /partner/grants/:channel.jsonld — the partner's grant of the channel as an ODRL Agreement;
// - POST /partner/reprints — report a reprint (item id, guid or original link; the reprint URL);
// - GET /partner/reprints — the partner's own reports and their check results.

import express, { Router } from 'express';
import type { Request, Response } from 'express';
import type { Channel, License, Partner } from '../model.js';
import { grantFor, identifyPartner } from '../partners/access.js';
import type { AttributionChecker } from '../partners/attribution-check.js';
import { ReprintError, fileReprint } from '../partners/reprints.js';
import { JSONLD_MEDIA_TYPE, channelLicenses, grantAgreement } from '../render/odrl.js';
import type { ReprintStore } from '../store/reprints.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';
import { type PartnerServices, presentedKey, refuse } from './partner-feeds.js';
import { splitExtension } from './feed-request.js';
import { sendJson } from './policies.js';

export interface PartnerReprintDeps extends PartnerServices {
  channels: readonly Channel[];
  licenses: ReadonlyMap<string, License>;
  store: Pick<Store, 'items'>;
  reprints: ReprintStore;
  checker?: Pick<AttributionChecker, 'kick'>;
  baseUrl: string;
  now: () => Date;
}

/** The routers: mount the first at /partner/grants, the second at /partner/reprints. */
export function partnerRoutes(deps: PartnerReprintDeps): { grants: Router; reprints: Router } {
  /** The partner presenting the request's key, or undefined once a refusal was sent. */
  const authenticate = async (req: Request, res: Response): Promise<Partner | undefined> => {
    await deps.registry.sync();
    const who = identifyPartner(deps.registry, presentedKey(req));
    if (!who.ok) {
      refuse(res, who.refusal);
      return undefined;
    }
    const admission = await deps.limiter.take(who.partner.id);
    if (!admission.ok) {
      refuse(res, { code: 'rate-limited', status: 429, reason: `rate limit: ${deps.limiter.perMinute} requests per minute`, retryAfterSeconds: admission.retryAfterSeconds });
      return undefined;
    }
    return who.partner;
  };

  const grants = Router();
  grants.get('/:file', async (req, res) => {
    const { id, ext } = splitExtension(req.params.file);
    const channel = deps.channels.find((c) => c.id === id);
    if (channel === undefined) throw new HttpError(404, `no channel "${id}"`);
    if (ext !== 'jsonld') throw new HttpError(404, `unknown grant format "${ext ?? ''}"; use /partner/grants/${id}.jsonld`);
    const partner = await authenticate(req, res);
    if (partner === undefined) return;
    const mine = deps.registry.grantsOf(partner.id);
    const granted = grantFor(mine, partner, channel.id, deps.now());
    // An expired grant is still shown: its dateTime constraint says when it ended. A revoked one, or none, is refused.
    let grant = granted.ok ? granted.grant : undefined;
    if (!granted.ok && granted.refusal.code === 'grant-expired') {
      grant = mine.filter((g) => g.channelId === channel.id).reduce<(typeof mine)[number] | undefined>((b, g) => (b === undefined || g.createdAt >= b.createdAt ? g : b), undefined);
    }
    if (grant === undefined) {
      if (!granted.ok) refuse(res, granted.refusal);
      return;
    }
    res.set('Cache-Control', 'private, no-store');
    sendJson(res, JSONLD_MEDIA_TYPE, grantAgreement(grant, partner, channel, channelLicenses(channel, deps.licenses), { baseUrl: deps.baseUrl }));
  });

  const reprints = Router();
  reprints.post('/', express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const partner = await authenticate(req, res);
    if (partner === undefined) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const item = body.item ?? body.itemId ?? body.originalLink;
    if (typeof item !== 'string' || item.trim() === '') throw new HttpError(400, 'item: give the item id, its guid or its original link ("item")');
    try {
      const report = await fileReprint(
        { partnerId: partner.id, item, reprintUrl: body.reprintUrl as string, reportedBy: 'partner' },
        { ...deps, grantsOf: (p) => deps.registry.grantsOf(p) },
        deps.now(),
      );
      deps.checker?.kick();
      res.status(201).set({ 'Cache-Control': 'no-store', Location: `${deps.baseUrl}/partner/reprints#${report.id}` });
      sendJson(res, 'application/json', report);
    } catch (err) {
      if (err instanceof ReprintError) throw new HttpError(err.status, err.message);
      throw err;
    }
  });
  reprints.get('/', async (req, res) => {
    const partner = await authenticate(req, res);
    if (partner === undefined) return;
    res.set('Cache-Control', 'private, no-store');
    sendJson(res, 'application/json', { partner: partner.id, reports: await deps.reprints.list({ partnerId: partner.id }) });
  });
  return { grants, reprints };
}
