// Reprint reports: a partner (POST /partner/reprints) or an operator (`syndicator reprint add`) says
// where an item was republished. The report is settled against the ledger when it arrives: the newest
// delivery of that item to that partner names the grant in force then; no delivery, or a grant that
// ended before the report, is recorded as such (the report is kept either way — it is evidence).

import { randomBytes } from 'node:crypto';
import type { Channel, Grant, Item, License } from '../model.js';
import type { Store } from '../store/store.js';
import type { ReprintReport, ReprintStore } from '../store/reprints.js';
import type { LedgerBook } from './backend.js';

/** A report the service refuses; `status` is what an HTTP client is told, the message says why. */
export class ReprintError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(`reprints: ${message}`);
    this.name = 'ReprintError';
  }
}

export interface NewReprint {
  partnerId: string;
  /** The item's id (Item.id or its urn:uuid guid), or its original URL. */
  item: string;
  reprintUrl: string;
  reportedBy: 'partner' | 'operator';
}

export interface ReprintDeps {
  store: Pick<Store, 'items'>;
  channels: readonly Channel[];
  licenses: ReadonlyMap<string, License>;
  ledger: Pick<LedgerBook, 'entries'>;
  /** Every grant of the partner (revoked and expired ones included). */
  grantsOf: (partnerId: string) => readonly Grant[];
  reprints: ReprintStore;
}

/** Longest reprint URL accepted (browsers and servers commonly stop near 8 KB). */
const MAX_URL_LENGTH = 2048;

/** Files a report: validates it, finds the item, settles its standing from the ledger, stores it. */
export async function fileReprint(input: NewReprint, deps: ReprintDeps, now: Date): Promise<ReprintReport> {
  const reprintUrl = httpUrl(input.reprintUrl, 'reprint URL');
  const found = findItem(input.item, deps);
  if (found === undefined) throw new ReprintError(`no item "${input.item.slice(0, 200)}" (give an item id, its urn:uuid guid or its original link)`, 404);
  const { item, channelId } = found;

  let newest: { time: string; grant: string; contentLevel: 'full' | 'excerpt' } | undefined;
  for await (const entry of deps.ledger.entries({ partner: input.partnerId })) {
    if (entry.items.includes(item.id) && (newest === undefined || entry.time >= newest.time)) newest = entry;
  }
  const grant = newest === undefined ? undefined : deps.grantsOf(input.partnerId).find((g) => g.id === newest.grant);
  const ended = grant !== undefined && grantEnded(grant, now);
  const report: ReprintReport = {
    id: `r-${randomBytes(6).toString('hex')}`,
    partnerId: input.partnerId,
    reportedBy: input.reportedBy,
    reportedAt: now.toISOString(),
    itemId: item.id,
    channelId,
    ...(item.link !== undefined && { originalLink: item.link }),
    sourceName: item.attribution.source.name,
    authors: item.attribution.authors.map((a) => a.trim()).filter((a) => a !== ''),
    reprintUrl,
    standing: newest === undefined ? 'never-delivered' : ended ? 'grant-ended' : 'delivered',
    ...(newest !== undefined && { grantId: newest.grant, deliveredAt: newest.time, contentLevel: newest.contentLevel }),
    ...(grant?.until !== undefined && { grantUntil: grant.until }),
    allowed: newest?.contentLevel ?? deps.licenses.get(item.licenseId)?.publicContent ?? 'excerpt',
    checks: [],
    // Checked soon after the report, then on the schedule (see attribution-check.ts).
    nextCheckAt: now.toISOString(),
  };
  return deps.reprints.add(report);
}

/** Whether the grant no longer applied at `now`: past its end, or revoked. */
function grantEnded(grant: Grant, now: Date): boolean {
  const t = now.getTime();
  return (grant.until !== undefined && Date.parse(grant.until) <= t) || (grant.revokedAt !== undefined && Date.parse(grant.revokedAt) <= t);
}

/** The live item with this id, guid or original link, and the first channel that has it. */
export function findItem(ref: string, deps: Pick<ReprintDeps, 'store' | 'channels'>): { item: Item; channelId: string } | undefined {
  const wanted = ref.trim();
  if (wanted === '') return undefined;
  const asLink = sameDocument(wanted);
  for (const channel of deps.channels) {
    for (const item of deps.store.items(channel.id)) {
      if (item.id === wanted || item.guid === wanted || (asLink !== undefined && item.link !== undefined && sameDocument(item.link) === asLink)) return { item, channelId: channel.id };
    }
  }
  return undefined;
}

/** A URL without its fragment, for comparing links; undefined when it is not an http(s) URL. */
export function sameDocument(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.hash = '';
    return u.href;
  } catch {
    return undefined;
  }
}

function httpUrl(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ReprintError(`a ${what} is required`);
  if (raw.length > MAX_URL_LENGTH) throw new ReprintError(`the ${what} is longer than ${MAX_URL_LENGTH} characters`);
  const url = sameDocument(raw.trim());
  if (url === undefined) throw new ReprintError(`the ${what} "${raw.slice(0, 200)}" is not an absolute http(s) URL`);
  return url;
}
