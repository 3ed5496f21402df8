// Who may read a partner feed: a presented key → its partner, and the partner → its grant for the
// channel, or a typed refusal whose reason is the one line the client is told. Rate limiting sits
// between the two steps (see http/partner-feeds.ts), so it counts every request of a known partner.

import type { Grant, Partner } from '../model.js';
import type { PartnerStore } from './registry.js';

export type RefusalCode = 'missing-key' | 'unknown-key' | 'partner-revoked' | 'no-grant' | 'grant-revoked' | 'grant-expired';

export interface Refusal {
  code: RefusalCode;
  /** 401: no usable key; 403: a known partner that may not have this feed. */
  status: 401 | 403;
  /** One line, safe to show the client: it never contains the key. */
  reason: string;
}

export type Identified = { ok: true; partner: Partner } | { ok: false; refusal: Refusal };
export type Granted = { ok: true; grant: Grant } | { ok: false; refusal: Refusal };

const MISSING_KEY = 'missing key: send Authorization: Bearer <key> or ?key=';
const UNKNOWN_KEY = 'unknown key';

/** The active partner whose key this is; 401 when there is no key or nobody has it, 403 when its partner was revoked. */
export function identifyPartner(registry: Pick<PartnerStore, 'partnerForKey'>, key: string | undefined): Identified {
  if (key === undefined || key === '') return { ok: false, refusal: { code: 'missing-key', status: 401, reason: MISSING_KEY } };
  const partner = registry.partnerForKey(key);
  if (partner === undefined) return { ok: false, refusal: { code: 'unknown-key', status: 401, reason: UNKNOWN_KEY } };
  if (partner.revokedAt !== undefined) {
    return { ok: false, refusal: { code: 'partner-revoked', status: 403, reason: `partner "${partner.id}" was revoked on ${partner.revokedAt}` } };
  }
  return { ok: true, partner };
}

/**
 * The grant under which `partner` may read the channel now: its newest grant of the channel that is
 * neither revoked nor expired. Otherwise a 403 naming the newest grant and why it no longer applies,
 * or saying there never was one.
 */
export function grantFor(grants: readonly Grant[], partner: Partner, channelId: string, now: Date): Granted {
  const ofChannel = grants.filter((g) => g.partnerId === partner.id && g.channelId === channelId);
  const live = ofChannel.filter((g) => g.revokedAt === undefined && !expired(g, now));
  const current = newest(live);
  if (current !== undefined) return { ok: true, grant: current };
  const last = newest(ofChannel);
  if (last === undefined) return refuse('no-grant', `partner "${partner.id}" has no grant for channel "${channelId}"`);
  if (last.revokedAt !== undefined) return refuse('grant-revoked', `grant ${last.id} for channel "${channelId}" was revoked on ${last.revokedAt}`);
  return refuse('grant-expired', `grant ${last.id} for channel "${channelId}" expired on ${last.until ?? ''}`);
}

function expired(grant: Grant, now: Date): boolean {
  return grant.until !== undefined && Date.parse(grant.until) <= now.getTime();
}

/** The most recently created grant; the later one in the file when two were created at the same instant. */
function newest(grants: readonly Grant[]): Grant | undefined {
  return grants.reduce<Grant | undefined>((best, g) => (best === undefined || g.createdAt >= best.createdAt ? g : best), undefined);
}

function refuse(code: RefusalCode, reason: string): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { code, status: 403, reason } };
}
