// Politeness toward the sites we crawl: one request at a time per host, a pause between two requests
// to the same host, and robots.txt honoured (RFC 9309). Crawled sources (list and article pages) fetch
// through here; local documents under feeds/ have no host and go straight to the fetcher.

import { FetchError, RobotsError } from '../errors.js';
import { fetchOffThread, robotsOffThread } from '../worker/fetch-pool.js';
import type { FetchResult } from './fetcher.js';
import { ALLOW_ALL, isAllowed, type RobotsRules } from './robots.js';

/** The product token robots.txt groups are matched against. */
export const ROBOTS_TOKEN = 'Syndicator';

/** RFC 9309 §2.4: a cached robots.txt should not be trusted for more than 24 hours. */
const ROBOTS_TTL_MS = 24 * 60 * 60 * 1000;

export interface HostPolicyOptions {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  robotsTtlMs?: number;
  /** Milliseconds on a monotonic clock; injectable for tests. */
  now?: () => number;
  /** Makes the per-host rules hold across processes too (several instances on one database). */
  shared?: SharedHosts;
}

/** A per-host gate shared by several processes: runs `task` when no other process is requesting `host` and `delayMs` has passed since the last request ended. */
export interface SharedHosts {
  run<T>(host: string, delayMs: number, task: () => Promise<T>): Promise<T>;
}

export interface PoliteFetchOptions {
  /** Local locations are read relative to this directory (see fetcher.ts). */
  feedsDir: string;
  /** The pause after the previous request to the same host ends and before this one starts. */
  delayMs: number;
  accept?: string;
  /** Validators of the copy already held: the request is conditional and may answer not-modified. */
  etag?: string;
  lastModified?: string;
  /** Redirects into private networks are refused but for these hosts (see FetchOptions.privateHostsAllowed);
   *  applies to the robots.txt this request fetches too. */
  privateHostsAllowed?: readonly string[];
}

/** One run's view of a HostPolicy. */
export interface PoliteSession {
  /**
   * Fetches `location` once every earlier request to its host has finished and `delayMs` has passed
   * since the last one ended; an http(s) URL only after robots.txt allowed it. Rejects with a
   * RobotsError when robots.txt disallows the URL or cannot be read, else as fetchDocument does.
   */
  fetch(location: string, opts: PoliteFetchOptions): Promise<FetchResult>;
}

interface HostSlot {
  /** Settles when the last request queued for the host has finished. */
  tail: Promise<void>;
  lastEnd: number;
}

/**
 * Shared by every crawl of a process: the per-host queues and the robots.txt cache. A crawl run
 * talks to it through a session (see `session`).
 */
export class HostPolicy {
  readonly #opts: HostPolicyOptions;
  readonly #now: () => number;
  readonly #hosts = new Map<string, HostSlot>();
  readonly #robots = new Map<string, { rules: Promise<RobotsRules>; expires: number }>();

  constructor(opts: HostPolicyOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
  }

  /**
   * A view for one run. A host whose robots.txt could not be read is skipped for the rest of the
   * session (every request to it fails at once with the same RobotsError), then tried afresh by the
   * next session.
   */
  session(): PoliteSession {
    const unreachable = new Map<string, RobotsError>();
    return { fetch: (location, opts) => this.#fetch(location, opts, unreachable) };
  }

  async #fetch(location: string, opts: PoliteFetchOptions, unreachable: Map<string, RobotsError>): Promise<FetchResult> {
    const fetchOptions = {
      feedsDir: opts.feedsDir,
      timeoutMs: this.#opts.timeoutMs,
      maxBytes: this.#opts.maxBytes,
      userAgent: this.#opts.userAgent,
      ...(opts.accept !== undefined && { accept: opts.accept }),
      ...(opts.etag !== undefined && { etag: opts.etag }),
      ...(opts.lastModified !== undefined && { lastModified: opts.lastModified }),
      ...(opts.privateHostsAllowed !== undefined && { privateHostsAllowed: opts.privateHostsAllowed }),
    };
    if (!/^https?:\/\//i.test(location)) return fetchOffThread(location, fetchOptions);

    const url = new URL(location);
    const known = unreachable.get(url.origin);
    if (known) throw known;
    let rules: RobotsRules;
    try {
      rules = await this.#robotsRules(url, opts.delayMs, opts.privateHostsAllowed);
    } catch (err) {
      if (err instanceof RobotsError) unreachable.set(url.origin, err);
      throw err;
    }
    if (!isAllowed(rules, `${url.pathname}${url.search}`)) {
      throw new RobotsError(`${url.href} is disallowed by ${url.origin}/robots.txt; skipped`, { disallowed: true });
    }
    return this.#queued(url, opts.delayMs, () => fetchOffThread(url.href, fetchOptions));
  }

  /**
   * Runs `task` (a request to `location`) in the host's queue without a pause and without robots.txt:
   * feed sources are made to be polled, but never two requests to one host at once, whichever channels
   * ask. A local location (no host) runs at once.
   */
  exclusive<T>(location: string, task: () => Promise<T>): Promise<T> {
    if (!/^https?:\/\//i.test(location)) return task();
    return this.#queued(new URL(location), 0, task);
  }

  /** The robots.txt rules of the URL's origin, from the cache or fetched (in the host's queue). */
  #robotsRules(url: URL, delayMs: number, privateHostsAllowed?: readonly string[]): Promise<RobotsRules> {
    const cached = this.#robots.get(url.origin);
    if (cached && cached.expires > this.#now()) return cached.rules;

    const robotsUrl = `${url.origin}/robots.txt`;
    // Fetched and read into its rules in the fetch thread: a robots.txt of hundreds of KB takes tens of
    // milliseconds to read.
    const rules = this.#queued(url, delayMs, () =>
      robotsOffThread(
        robotsUrl,
        {
          feedsDir: '.',
          timeoutMs: this.#opts.timeoutMs,
          maxBytes: this.#opts.maxBytes,
          userAgent: this.#opts.userAgent,
          accept: 'text/plain, */*;q=0.5',
          ...(privateHostsAllowed !== undefined && { privateHostsAllowed }),
        },
        ROBOTS_TOKEN,
      ),
    ).catch((err: unknown) => {
      // RFC 9309 §2.3.1.3: robots.txt "unavailable" (4xx) allows everything; §2.3.1.4: "unreachable"
      // (5xx, network error, timeout) allows nothing.
      if (err instanceof FetchError && err.status !== undefined && err.status >= 400 && err.status < 500) return ALLOW_ALL;
      const reason = err instanceof Error ? err.message : String(err);
      throw new RobotsError(`cannot read ${robotsUrl} (${reason}); skipping ${url.host} for this run`, { disallowed: false, cause: err });
    });
    const entry = { rules, expires: this.#now() + (this.#opts.robotsTtlMs ?? ROBOTS_TTL_MS) };
    this.#robots.set(url.origin, entry);
    rules.catch(() => {
      if (this.#robots.get(url.origin) === entry) this.#robots.delete(url.origin);
    });
    return rules;
  }

  /** Runs `task` in the host's queue: after every earlier task for the host, and `delayMs` after the last one ended. */
  #queued<T>(url: URL, delayMs: number, task: () => Promise<T>): Promise<T> {
    // Keyed by host name, not origin: two ports of one machine are still one machine.
    const key = url.hostname.toLowerCase();
    const slot = this.#hosts.get(key) ?? { tail: Promise.resolve(), lastEnd: Number.NEGATIVE_INFINITY };
    this.#hosts.set(key, slot);
    const run = slot.tail.then(async () => {
      const wait = slot.lastEnd + delayMs - this.#now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const shared = this.#opts.shared;
      try {
        return await (shared ? shared.run(key, delayMs, task) : task());
      } finally {
        slot.lastEnd = this.#now();
      }
    });
    slot.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

