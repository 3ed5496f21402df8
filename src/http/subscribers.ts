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
const COUNT_WORD = /^(?:subscribers?|readers?)$/i;
const FEED_ID = /feed-?id[:=] ?([\w-]{1,64})/i;
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** A User-Agent is read only up to this many characters: every match below runs on at most this. */
export const MAX_AGENT_LENGTH = 512;
/** A reported count above this is not believed (the largest hosted readers report millions). */
export const MAX_REPORTED_SUBSCRIBERS = 10_000_000;
/** Hosted reports kept per feed (reader and feed id); the least recently seen go first. */
export const MAX_HOSTED_PER_FEED = 64;
/** Distinct direct clients kept per feed; the least recently seen go first. */
export const MAX_CLIENTS_PER_FEED = 20_000;

export interface HostedReport {
  aggregator: string;
  feedId?: string;
  subscribers: number;
  seenAt: string;
}

/** A hosted report as kept in memory: seen at a time in ms (an ISO date only in the snapshot). */
type HostedSeen = Omit<HostedReport, 'seenAt'> & { seenAt: number };

/** What one User-Agent string says, worked out once per distinct string. */
type AgentKind =
  | { kind: 'browser' }
  /** The last address seen with this User-Agent and its client hash: a reader polls from one place. */
  | { kind: 'client'; address?: string; hash?: string }
  | { kind: 'hosted'; report: ReturnType<typeof parseSubscriberAgent> & object; id: string };

/**
 * The order of the per-feed maps (least recently seen first, which go when a map is full) is brought
 * up to date at most this often per entry; the time last seen always is. A poll usually only stores a
 * number.
 */
const REORDER_MS = 60_000;

/**
 * What a User-Agent says about subscribers, if it is a hosted reader that reports a plausible count.
 * Linear in the header: it reads at most MAX_AGENT_LENGTH characters, splits them into words once and
 * looks for a number (at most 8 digits, at most MAX_REPORTED_SUBSCRIBERS) followed by "subscribers"
 * or "readers". A larger number is a forgery and counts as no report.
 */
export function parseSubscriberAgent(userAgent: string): { aggregator: string; feedId?: string; subscribers: number } | undefined {
  const agent = userAgent.slice(0, MAX_AGENT_LENGTH);
  const words = agent.split(/[\s;,()]+/);
  let subscribers: number | undefined;
  for (let i = 0; i + 1 < words.length; i += 1) {
    const word = words[i]!;
    if (word.length === 0 || word.length > 8 || !isDigits(word) || !COUNT_WORD.test(words[i + 1]!)) continue;
    const n = Number(word);
    if (n <= MAX_REPORTED_SUBSCRIBERS) subscribers = n;
    break;
  }
  if (subscribers === undefined) return undefined;
  const lower = agent.toLowerCase();
  const aggregator = AGGREGATORS.find(([, pattern]) => pattern.test(lower))?.[0] ?? (agent.split(/[\s/;(]/)[0] || 'unknown').slice(0, 64);
  const feedId = FEED_ID.exec(agent)?.[1];
  return { aggregator, ...(feedId !== undefined && { feedId }), subscribers };
}

function isDigits(word: string): boolean {
  for (let i = 0; i < word.length; i += 1) {
    const c = word.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
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
  readonly #hosted = new Map<string, Map<string, HostedSeen>>();
  readonly #clients = new Map<string, Map<string, number>>();
  readonly #salt: string;
  #dirty = false;
  /** Per User-Agent string: what it says (hosted count, browser, other client); readers repeat theirs. */
  readonly #agents = new Map<string, AgentKind>();
  /** Per address and User-Agent: the salted client hash, so a poll costs no SHA-256. Bounded. */
  readonly #hashes = new Map<string, string>();

  constructor(snapshot?: SubscriberSnapshot) {
    this.#salt = snapshot?.salt ?? randomBytes(16).toString('hex');
    // A file written before counts were checked may hold forged ones: they are dropped on load.
    for (const [key, reports] of Object.entries(snapshot?.hosted ?? {})) {
      const plausible = Object.entries(reports).filter(
        ([, r]) => Number.isSafeInteger(r.subscribers) && r.subscribers >= 0 && r.subscribers <= MAX_REPORTED_SUBSCRIBERS && Number.isFinite(Date.parse(r.seenAt)),
      );
      this.#hosted.set(key, new Map(plausible.slice(-MAX_HOSTED_PER_FEED).map(([id, r]) => [id, { ...r, seenAt: Date.parse(r.seenAt) }])));
    }
    for (const [key, clients] of Object.entries(snapshot?.clients ?? {})) this.#clients.set(key, new Map(Object.entries(clients).slice(-MAX_CLIENTS_PER_FEED)));
  }

  /** The map key of a channel's feed in a format, joined once: a poll looks it up (callers pass served
   *  channels and formats only, so this stays as small as the configuration). */
  readonly #feedKeys = new Map<string, Map<string, string>>();

  #feedKey(channel: string, format: string): string {
    let byFormat = this.#feedKeys.get(channel);
    if (byFormat === undefined) this.#feedKeys.set(channel, (byFormat = new Map()));
    let key = byFormat.get(format);
    if (key === undefined) byFormat.set(format, (key = `${channel}\t${format}`));
    return key;
  }

  /** Whether anything was recorded since the last snapshot(). */
  get dirty(): boolean {
    return this.#dirty;
  }

  record(channel: string, format: string, userAgent: string, address: string, now: number): void {
    // Only the first MAX_AGENT_LENGTH characters are ever read, so they are the cache key too.
    const ua = userAgent.slice(0, MAX_AGENT_LENGTH);
    let agent = this.#agents.get(ua);
    if (agent === undefined) {
      agent = agentKind(ua);
      if (this.#agents.size >= 4096) this.#agents.clear();
      this.#agents.set(ua, agent);
    }
    if (agent.kind === 'browser') return;
    const key = this.#feedKey(channel, format);
    if (agent.kind === 'hosted') {
      let reports = this.#hosted.get(key);
      if (reports === undefined) this.#hosted.set(key, (reports = new Map()));
      const seen = reports.get(agent.id);
      if (seen !== undefined && seen.subscribers === agent.report.subscribers && now - seen.seenAt < REORDER_MS) {
        seen.seenAt = now;
      } else {
        reports.delete(agent.id);
        reports.set(agent.id, { ...agent.report, seenAt: now });
        if (reports.size > MAX_HOSTED_PER_FEED) reports.delete(reports.keys().next().value!);
      }
    } else {
      let clients = this.#clients.get(key);
      if (clients === undefined) this.#clients.set(key, (clients = new Map()));
      let hash = agent.address === address ? agent.hash : undefined;
      if (hash === undefined) {
        const client = `${address}\n${ua}`;
        hash = this.#hashes.get(client);
        if (hash === undefined) {
          hash = createHash('sha256').update(`${this.#salt}\n${client}`).digest('base64url').slice(0, 22);
          if (this.#hashes.size >= 16_384) this.#hashes.clear();
          this.#hashes.set(client, hash);
        }
        agent.address = address;
        agent.hash = hash;
      }
      const last = clients.get(hash);
      if (last !== undefined && now - last < REORDER_MS) {
        clients.set(hash, now);
      } else {
        clients.delete(hash);
        clients.set(hash, now);
        if (clients.size > MAX_CLIENTS_PER_FEED) clients.delete(clients.keys().next().value!);
      }
    }
    this.#dirty = true;
  }

  counts(now: number): SubscriberCounts[] {
    const keys = new Set([...this.#hosted.keys(), ...this.#clients.keys()]);
    return [...keys].sort().map((key) => {
      const [channel = '', format = ''] = key.split('\t');
      const byAggregator: Record<string, number> = {};
      for (const report of this.#hosted.get(key)?.values() ?? []) {
        if (now - report.seenAt > WEEK_MS) continue;
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
      for (const [id, report] of reports) if (now - report.seenAt > WEEK_MS) reports.delete(id);
      hosted[key] = Object.fromEntries([...reports].map(([id, report]) => [id, { ...report, seenAt: new Date(report.seenAt).toISOString() }]));
    }
    for (const [key, seen] of this.#clients) {
      for (const [hash, at] of seen) if (now - at > WEEK_MS) seen.delete(hash);
      clients[key] = Object.fromEntries(seen);
    }
    this.#dirty = false;
    return { salt: this.#salt, hosted, clients };
  }
}

function agentKind(ua: string): AgentKind {
  const report = parseSubscriberAgent(ua);
  if (report !== undefined) return { kind: 'hosted', report, id: `${report.aggregator}\t${report.feedId ?? ''}` };
  return { kind: isBrowser(ua) ? 'browser' : 'client' };
}

/** A person's browser opening the feed, as opposed to a feed reader polling it. */
function isBrowser(userAgent: string): boolean {
  return userAgent === '' || (userAgent.startsWith('Mozilla/') && !/bot|crawler|spider|fetch|feed|rss|reader|aggregat/i.test(userAgent.slice(0, MAX_AGENT_LENGTH)));
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
