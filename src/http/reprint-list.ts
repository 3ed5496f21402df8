// The known reprints of an item, as the channel page lists them under it: where, by whom, and what
// the newest attribution check found.

import { reprintState } from '../partners/compliance.js';
import type { ReprintReport } from '../store/reprints.js';
import { escapeMarkup } from '../text.js';

const STATE_LABELS = { pending: 'not checked yet', passing: 'attribution OK', failing: 'attribution FAILING', unreachable: 'page unreachable' } as const;

/** An HTML list of the reprints (empty string when there are none). */
export function reprintList(reports: readonly ReprintReport[]): string {
  if (reports.length === 0) return '';
  const rows = reports.map((r) => {
    const state = reprintState(r);
    const last = r.checks[r.checks.length - 1];
    const failed = last?.duties.filter((d) => !d.ok).map((d) => `${d.duty}: ${d.evidence}`) ?? [];
    const notes = [
      STATE_LABELS[state],
      ...(r.flagged !== undefined ? [`lost attribution on ${r.flagged.at}`] : []),
      ...(r.standing === 'never-delivered' ? ['never delivered to this partner'] : r.standing === 'grant-ended' ? ['reported after the grant ended'] : []),
      ...(last !== undefined ? [`checked ${last.at}`] : []),
    ];
    return `<li class="reprint reprint-${state}" data-partner="${escapeMarkup(r.partnerId)}"><a href="${escapeMarkup(r.reprintUrl)}" rel="nofollow">${escapeMarkup(r.reprintUrl)}</a> · ${escapeMarkup(r.partnerId)} · ${escapeMarkup(notes.join(' · '))}${failed.length > 0 ? `<ul>${failed.map((f) => `<li>${escapeMarkup(f)}</li>`).join('')}</ul>` : ''}</li>`;
  });
  return `<details class="reprints" open><summary>Known reprints (${reports.length})</summary><ul>${rows.join('')}</ul></details>`;
}
