// How partners keep the terms, summed up from their reprint reports: shared by /status, /metrics and
// `syndicator reprints`.

import type { ReprintReport } from '../store/reprints.js';

/** A report's state from its newest check: not checked yet, passing, failing a duty, or page unreadable. */
export type ReprintState = 'pending' | 'passing' | 'failing' | 'unreachable';

export function reprintState(report: ReprintReport): ReprintState {
  const last = report.checks[report.checks.length - 1];
  if (last === undefined) return 'pending';
  if (last.outcome === 'unreachable') return 'unreachable';
  return last.ok ? 'passing' : 'failing';
}

export interface PartnerCompliance {
  partner: string;
  reports: number;
  pending: number;
  passing: number;
  failing: number;
  unreachable: number;
  /** Reprints that lost their attribution after a passing check. */
  flagged: number;
  /** Reports of items the partner never received. */
  neverDelivered: number;
  /** Reports made after the grant of the delivery had ended. */
  grantEnded: number;
  /** Failing checks per duty (source, author, link, excerpt). */
  failingDuties: Record<string, number>;
}

/** One summary per partner with reports, in partner id order. */
export function complianceSummary(reports: readonly ReprintReport[]): PartnerCompliance[] {
  const by = new Map<string, PartnerCompliance>();
  for (const r of reports) {
    let s = by.get(r.partnerId);
    if (s === undefined) {
      s = { partner: r.partnerId, reports: 0, pending: 0, passing: 0, failing: 0, unreachable: 0, flagged: 0, neverDelivered: 0, grantEnded: 0, failingDuties: {} };
      by.set(r.partnerId, s);
    }
    s.reports += 1;
    const state = reprintState(r);
    s[state] += 1;
    if (r.flagged !== undefined) s.flagged += 1;
    if (r.standing === 'never-delivered') s.neverDelivered += 1;
    if (r.standing === 'grant-ended') s.grantEnded += 1;
    if (state === 'failing') {
      for (const d of r.checks[r.checks.length - 1]?.duties ?? []) if (!d.ok) s.failingDuties[d.duty] = (s.failingDuties[d.duty] ?? 0) + 1;
    }
  }
  return [...by.values()].sort((a, b) => (a.partner < b.partner ? -1 : a.partner > b.partner ? 1 : 0));
}
