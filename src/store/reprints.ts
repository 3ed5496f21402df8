// The reprint-report part of the store contract (docs/scaling.md §1): where partners' reports of
// their reprints and the attribution checks of those pages are kept. Small on purpose — add, read,
// record a check — so a second backend (PostgreSQL) implements it in a few queries.

/** What a reprint of an item was delivered under, settled from the ledger when the report arrives. */
export type DeliveryStanding =
  /** The partner received the item under a grant that had not ended when the reprint was reported. */
  | 'delivered'
  /** The ledger has no delivery of this item to this partner. */
  | 'never-delivered'
  /** The item was delivered, but the grant it came under had expired (or was revoked) by the report. */
  | 'grant-ended';

/** One duty an attribution check looks for on the reprinted page. */
export type DutyName = 'source' | 'author' | 'link' | 'excerpt';

export interface DutyResult {
  duty: DutyName;
  ok: boolean;
  /** The text that satisfied the duty, or what was looked for and not found. */
  evidence: string;
}

export interface AttributionCheck {
  /** ISO 8601 UTC. */
  at: string;
  /** 'checked': the page was read and every duty judged; 'unreachable': it could not be fetched (or robots.txt forbids it). */
  outcome: 'checked' | 'unreachable';
  /** Every duty passed (false when unreachable). */
  ok: boolean;
  duties: DutyResult[];
  /** Why the page could not be read. */
  error?: string;
}

export interface ReprintReport {
  id: string;
  partnerId: string;
  /** Who filed it: the partner through /partner/reprints, or an operator through the CLI. */
  reportedBy: 'partner' | 'operator';
  /** ISO 8601 UTC. */
  reportedAt: string;
  /** The reprinted item: its id, and its channel when known. */
  itemId: string;
  channelId?: string;
  /** The item's original URL (absent when the upstream gave none: then no link can be required). */
  originalLink?: string;
  /** What its attribution must name, as the item said when reported: the source outlet, the authors (maybe none). */
  sourceName: string;
  authors: string[];
  /** Where the partner republished it (absolute http(s) URL). */
  reprintUrl: string;
  standing: DeliveryStanding;
  /** The grant of the newest delivery of the item to the partner (absent when never delivered). */
  grantId?: string;
  /** When that delivery happened, and at which level (full text or excerpt). */
  deliveredAt?: string;
  contentLevel?: 'full' | 'excerpt';
  /** The grant's end as it was at delivery, when it had one. */
  grantUntil?: string;
  /** What the partner may reprint of the item: the delivery's level, else what the public gets (its license). */
  allowed: 'full' | 'excerpt';
  /** The newest checks, newest last (at most REPRINT_CHECKS_KEPT). */
  checks: AttributionCheck[];
  /** When the next check is due (ISO 8601 UTC). */
  nextCheckAt: string;
  /** Set when a check fails after an earlier one passed: the reprint lost its attribution. */
  flagged?: { at: string; reason: string };
}

/** How many checks a report keeps (older ones are dropped; `flagged` remembers a lost attribution). */
export const REPRINT_CHECKS_KEPT = 20;

export interface ReprintFilter {
  partnerId?: string;
  itemId?: string;
  /** Only reports whose next check is due at or before this instant. */
  dueBy?: Date;
}

/**
 * Reprint reports. Every write is durable when its promise resolves, as for the Store; reads show what
 * any process committed (an implementation may read its backing store on each call, or sync first).
 */
export interface ReprintStore {
  /** Stores a new report (its id must be new); resolves with it. */
  add(report: ReprintReport): Promise<ReprintReport>;
  /** Reports passing the filter, oldest report first. */
  list(filter?: ReprintFilter): Promise<ReprintReport[]>;
  /**
   * Appends a check to the report (keeping the newest REPRINT_CHECKS_KEPT), sets its next check time,
   * and flags it when this check failed after an earlier one passed; undefined for an unknown id.
   */
  recordCheck(id: string, check: AttributionCheck, nextCheckAt: Date): Promise<ReprintReport | undefined>;
  close(): Promise<void>;
}

/** The report with the check appended, as every implementation records it (shared so both agree). */
export function withCheck(report: ReprintReport, check: AttributionCheck, nextCheckAt: Date): ReprintReport {
  const passedBefore = report.checks.some((c) => c.ok);
  const checks = [...report.checks, check].slice(-REPRINT_CHECKS_KEPT);
  const lost = check.outcome === 'checked' && !check.ok && passedBefore && report.flagged === undefined;
  const failed = check.duties.filter((d) => !d.ok).map((d) => d.duty);
  return {
    ...report,
    checks,
    nextCheckAt: nextCheckAt.toISOString(),
    ...(lost && { flagged: { at: check.at, reason: `attribution lost after a passing check: ${failed.join(', ')} failed` } }),
  };
}
