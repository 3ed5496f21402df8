import { createHash, randomBytes } from 'node:crypto';
import { openSubscriberDocument } from '../store/files/subscriber-document.js';

/** Hosted readers that report how many of their users follow a feed, by the name in their User-Agent. */
const AGGREGATORS: readonly [name: string, pattern: RegExp][] = [
  ['Feedly', /feedly/i],
  ['Inoreader', /inoreader/i],
  ['Feedbin', /feedbin/i],
  ['NewsBlur', /newsblur/i],
  ['The Old Reader', /theoldreader/i],
  ['BazQux', /bazqux/i],
  ['Feedspot', /feedspot/i],
  ['FreshRSS', /freshrss/i],
  ['Miniflux', /miniflux/i],
  ['Tiny Tiny RSS', /tiny tiny rss|tt-rss/i],
  ['Netvibes', /netvibes/i],
  ['Google Feedfetcher', /feedfetcher-google/i],
  ['Dreamwidth', /dreamwidth/i],
  ['LiveJournal', /livejournal/i],
];

// "462 subscribers", "1 subscriber", "2 readers" — FeedPress's and Buttondown's convention.
const COUNT = /(\d+)\s+(?:subscribers?|readers?)\b/i;
const FEED_ID = /feed-?id[:=]\s*([\w-]+)/i;
const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface HostedReport {
  aggregator: string;
  feedId?: string;
  subscribers: number;
  seenAt: string;
}

/** What a User-Agent says about subscribers, if it is a hosted reader that reports a count. */
export function parseSubscriberAgent(userAgent: string): { aggregator: string; feedId?: string; subscribers: number } | undefined {
  const count = COUNT.exec(userAgent);
  if (!count) return undefined;
  const aggregator = AGGREGATORS.find(([, pattern]) => pattern.test(userAgent))?.[0] ?? userAgent.split(/[\s/;(]/)[0] ?? 'unknown';
  const feedId = FEED_ID.exec(userAgent)?.[1];
  return { aggregator, ...(feedId !== undefined && { feedId }), subscribers: Number(count[1]) };
}

export interface SubscriberSnapshot {
  salt: string;
  /** key `channel\tformat` → hosted reports keyed `aggregator\tfeedId`. */
  hosted: Record<string, Record<string, HostedReport>>;
  /** key `channel\tformat` → salted client hash → last seen (ms). */
  clients: Record<string, Record<string, number>>;
}

export interface SubscriberCounts {
  channel: string;
  format: string;
  /** Sum of the latest count each hosted reader (and feed id) reported in the last 7 days. */
  hosted: number;
  /** Other clients seen in the last 7 days, counted by distinct (address, User-Agent). */
  direct: number;
  total: number;
  byAggregator: Record<string, number>;
}

/**
 * Subscriber statistics per channel and format, FeedPress-style: hosted readers count by the number
 * they put in their User-Agent (latest report per reader and feed id); every other client counts once
 * per distinct address and User-Agent over 7 days. Addresses are never kept: only a salted hash.
 * Browsers (a User-Agent naming Mozilla without a count, reader or bot) are not subscribers.
 */
export class SubscriberStats {
  readonly #hosted = new Map<string, Map<string, HostedReport>>();
  readonly #clients = new Map<string, Map<string, number>>();
  readonly #salt: string;
  #dirty = false;

  constructor(snapshot?: SubscriberSnapshot) {
    this.#salt = snapshot?.salt ?? randomBytes(16).toString('hex');
    for (const [key, reports] of Object.entries(snapshot?.hosted ?? {})) this.#hosted.set(key, new Map(Object.entries(reports)));
    for (const [key, clients] of Object.entries(snapshot?.clients ?? {})) this.#clients.set(key, new Map(Object.entries(clients)));
  }

  /** Whether anything was recorded since the last snapshot(). */
  get dirty(): boolean {
    return this.#dirty;
  }

  record(channel: string, format: string, userAgent: string, address: string, now: number): void {
    const key = `${channel}\t${format}`;
    const hosted = parseSubscriberAgent(userAgent);
    if (hosted) {
      const reports = this.#hosted.get(key) ?? new Map<string, HostedReport>();
      this.#hosted.set(key, reports);
      reports.set(`${hosted.aggregator}\t${hosted.feedId ?? ''}`, { ...hosted, seenAt: new Date(now).toISOString() });
    } else if (!isBrowser(userAgent)) {
      const clients = this.#clients.get(key) ?? new Map<string, number>();
      this.#clients.set(key, clients);
      const hash = createHash('sha256').update(`${this.#salt}\n${address}\n${userAgent}`).digest('base64url').slice(0, 22);
      clients.set(hash, now);
    } else {
      return;
    }
    this.#dirty = true;
  }

  counts(now: number): SubscriberCounts[] {
    const keys = new Set([...this.#hosted.keys(), ...this.#clients.keys()]);
    return [...keys].sort().map((key) => {
      const [channel = '', format = ''] = key.split('\t');
      const byAggregator: Record<string, number> = {};
      for (const report of this.#hosted.get(key)?.values() ?? []) {
        if (now - Date.parse(report.seenAt) > WEEK_MS) continue;
        byAggregator[report.aggregator] = (byAggregator[report.aggregator] ?? 0) + report.subscribers;
      }
      const hosted = Object.values(byAggregator).reduce((a, b) => a + b, 0);
      let direct = 0;
      for (const seen of this.#clients.get(key)?.values() ?? []) if (now - seen <= WEEK_MS) direct += 1;
      return { channel, format, hosted, direct, total: hosted + direct, byAggregator };
    });
  }

  /** A serializable copy without anything older than 7 days; clears `dirty`. */
  snapshot(now: number): SubscriberSnapshot {
    const hosted: SubscriberSnapshot['hosted'] = {};
    const clients: SubscriberSnapshot['clients'] = {};
    for (const [key, reports] of this.#hosted) {
      for (const [id, report] of reports) if (now - Date.parse(report.seenAt) > WEEK_MS) reports.delete(id);
      hosted[key] = Object.fromEntries(reports);
    }
    for (const [key, seen] of this.#clients) {
      for (const [hash, at] of seen) if (now - at > WEEK_MS) seen.delete(hash);
      clients[key] = Object.fromEntries(seen);
    }
    this.#dirty = false;
    return { salt: this.#salt, hosted, clients };
  }
}

/** A person's browser opening the feed, as opposed to a feed reader polling it. */
function isBrowser(userAgent: string): boolean {
  return userAgent === '' || (/^Mozilla\//.test(userAgent) && !/bot|crawler|spider|fetch|feed|rss|reader|aggregat/i.test(userAgent));
}

/** Opens the persisted statistics; save() writes them when something was recorded since the last save. */
export async function openSubscriberStats(dataDir: string): Promise<{ stats: SubscriberStats; save: (now: number) => Promise<void> }> {
  const doc = await openSubscriberDocument<SubscriberSnapshot>(dataDir, {
    empty: () => ({ salt: randomBytes(16).toString('hex'), hosted: {}, clients: {} }),
    check: (parsed) => {
      const s = parsed as Partial<SubscriberSnapshot> | null;
      if (typeof s?.salt !== 'string' || typeof s.hosted !== 'object' || typeof s.clients !== 'object') {
        throw new Error('not a subscriber statistics document');
      }
      return s as SubscriberSnapshot;
    },
  });
  const stats = new SubscriberStats(doc.data);
  return {
    stats,
    save: async (now) => {
      if (!stats.dirty) return;
      const snapshot = stats.snapshot(now);
      await doc.update((data) => Object.assign(data, snapshot));
    },
  };
}
