// When a source may be fetched again. A channel's cron schedule ticks for all its sources; on top of
// it each source carries a "not before" instant (SourceState.nextAttemptAt) set from what the upstream
// asked for (RSS <ttl>, Cache-Control max-age, Expires, Retry-After) or, after failures, from an
// exponential backoff with jitter. A tick before that instant skips the source; the first tick after
// it fetches. Nothing here ever stops a source for good: only a 410 Gone disables one (failedRun).

import type { Channel, Item, Source, SourceState } from '../model.js';
import { FetchError } from './errors.js';

/** Backoff after the first failure; doubles with each further consecutive failure. */
export const BACKOFF_BASE_MS = 5 * 60 * 1000;
/** No wait, whether backoff or an upstream hint, is ever longer than this. */
export const MAX_WAIT_MS = 24 * 60 * 60 * 1000;
/** Backoff delays vary by ±this fraction so that sources failing together do not retry together. */
export const JITTER = 0.2;

/** What the upstream said about when to come back, raw. */
export interface UpstreamHints {
  /** RSS <ttl>, minutes. */
  ttlMinutes?: number;
  cacheControl?: string;
  expires?: string;
  /** The answer's Date header, to read Expires against the server's clock. */
  date?: string;
  /** Retry-After of a 429 / 503: seconds or an HTTP date. */
  retryAfter?: string;
}

/**
 * The delay (ms, ≤ MAX_WAIT_MS) the hints ask for, measured from `now`; 0 when they ask for nothing.
 * The longest of them wins: an upstream that says "not for an hour" in any of its ways is believed.
 */
export function hintDelayMs(hints: UpstreamHints, now: Date): number {
  const delays: number[] = [];
  if (hints.ttlMinutes !== undefined && Number.isFinite(hints.ttlMinutes) && hints.ttlMinutes > 0) delays.push(hints.ttlMinutes * 60_000);
  const cc = hints.cacheControl?.toLowerCase();
  const maxAge = cc ? /(?:^|[,\s])max-age\s*=\s*"?(\d+)/.exec(cc)?.[1] : undefined;
  if (maxAge !== undefined) delays.push(Number(maxAge) * 1000);
  // Cache-Control max-age overrides Expires (RFC 9111 §5.3).
  else if (hints.expires) {
    const expires = Date.parse(hints.expires);
    const served = hints.date ? Date.parse(hints.date) : Number.NaN;
    // Against the server's own clock when it sent one, so a skewed clock does not matter.
    const delay = Number.isNaN(served) ? expires - now.getTime() : expires - served;
    if (Number.isFinite(delay) && delay > 0) delays.push(delay);
  }
  if (hints.retryAfter !== undefined) {
    const delay = retryAfterMs(hints.retryAfter, now);
    if (delay !== undefined) delays.push(delay);
  }
  return Math.min(MAX_WAIT_MS, Math.max(0, ...delays));
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date; undefined when it is neither. */
export function retryAfterMs(value: string, now: Date): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * The backoff after `failures` consecutive failures (≥ 1): min(MAX_WAIT_MS, BACKOFF_BASE_MS × 2^(failures−1)),
 * then ±JITTER (never above MAX_WAIT_MS). `random` returns a number in [0, 1) (Math.random by default; seeded in tests).
 */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  const base = Math.min(MAX_WAIT_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 30));
  const jitter = 1 + JITTER * (2 * random() - 1);
  return Math.round(Math.min(MAX_WAIT_MS, base * jitter));
}

/**
 * The source's "not before" instant after a run at `now`, as ISO 8601, or undefined when the next
 * scheduled tick may fetch it: after a failure, the later of the backoff and a Retry-After; after a
 * success, what the hints ask for.
 */
export function nextAttemptAt(
  outcome: { ok: true; hints: UpstreamHints } | { ok: false; failures: number; hints: UpstreamHints },
  now: Date,
  random: () => number = Math.random,
): string | undefined {
  const hinted = hintDelayMs(outcome.hints, now);
  const delay = outcome.ok ? hinted : Math.max(hinted, backoffMs(outcome.failures, random));
  return delay > 0 ? new Date(now.getTime() + delay).toISOString() : undefined;
}

// Source-state transitions of one run: skipped, succeeded, failed (backoff, or disabled on 410 Gone).

export interface SourceRun {
  items: Item[];
  state: SourceState;
  notModified: boolean;
  error?: string;
}

/** Why the source is not fetched in this run, or undefined when it is. */
export function skipReason(channel: Channel, source: Source, state: SourceState | undefined, now: Date, force: boolean): string | undefined {
  if (state?.disabled) {
    return `disabled since ${state.disabled.at} (${state.disabled.reason}); run "syndicator source enable ${channel.id} ${source.id}" once it is back`;
  }
  if (!force && state?.nextAttemptAt !== undefined && Date.parse(state.nextAttemptAt) > now.getTime()) {
    return `not due until ${state.nextAttemptAt}`;
  }
  return undefined;
}

export function optionalNext(at: string | undefined): { nextAttemptAt?: string } {
  return at === undefined ? {} : { nextAttemptAt: at };
}

/** The state after a failed run: backoff (or the upstream's Retry-After, when later); a 410 disables the source. */
export function failedRun(base: SourceState, err: unknown, lastRunAt: string, now: Date, random?: () => number): SourceRun {
  const message = err instanceof Error ? err.message : String(err);
  const failures = base.consecutiveFailures + 1;
  const { nextAttemptAt: _n, ...rest } = withoutNotes(base);
  const fetchError = err instanceof FetchError ? err : undefined;
  const gone = fetchError?.status === 410;
  const hints = fetchError?.retryAfter !== undefined && (fetchError.status === 429 || fetchError.status === 503) ? { retryAfter: fetchError.retryAfter } : {};
  return {
    items: [],
    notModified: false,
    error: message,
    state: {
      ...rest,
      lastRunAt,
      lastError: message,
      consecutiveFailures: failures,
      ...(gone
        ? { disabled: { reason: `${message} (410 Gone: the upstream says the feed is gone for good)`, at: lastRunAt } }
        : optionalNext(nextAttemptAt({ ok: false, failures, hints }, now, random))),
    },
  };
}

function withoutNotes(state: SourceState): SourceState {
  const { notes: _notes, ...rest } = state;
  return rest;
}
