import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';

export interface WebSubOptions {
  hubUrl: string;
  userAgent: string;
  log: Logger;
  /** Attempts per ping, the first included. */
  maxAttempts?: number;
  /** First retry delay; each further retry doubles it, with ±50 % jitter. */
  baseDelayMs?: number;
  timeoutMs?: number;
}

/**
 * Tells a WebSub hub that topics (feed URLs) changed, so subscribed readers fetch them now instead of
 * at their next poll. A ping is fire-and-forget for the caller: it is retried with exponential backoff
 * on network errors, 429 and 5xx, and given up (logged) after maxAttempts. Topics that change again
 * while a ping for them is still pending ride along with it rather than starting another.
 */
export class WebSubPublisher {
  readonly #pending = new Set<string>();
  #inFlight: Promise<void> | undefined;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #timeoutMs: number;
  #stopped = false;

  constructor(private readonly options: WebSubOptions) {
    this.#maxAttempts = options.maxAttempts ?? 6;
    this.#baseDelayMs = options.baseDelayMs ?? 2000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  get hubUrl(): string {
    return this.options.hubUrl;
  }

  publish(topics: readonly string[]): void {
    if (this.#stopped) return;
    for (const topic of topics) this.#pending.add(topic);
    this.#inFlight ??= this.#run().finally(() => {
      this.#inFlight = undefined;
      if (this.#pending.size > 0 && !this.#stopped) this.publish([]);
    });
  }

  /** Resolves when every ping so far has been delivered or given up. */
  async idle(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  /** Stops retrying; a ping under way finishes its current attempt. */
  stop(): void {
    this.#stopped = true;
  }

  async #run(): Promise<void> {
    const topics = [...this.#pending];
    this.#pending.clear();
    const body = new URLSearchParams({ 'hub.mode': 'publish' });
    for (const topic of topics) {
      body.append('hub.topic', topic);
      body.append('hub.url', topic);
    }
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      const outcome = await this.#post(body);
      if (outcome === 'ok') {
        this.options.log.info({ hub: this.hubUrl, topics, attempt }, 'websub: hub notified');
        return;
      }
      if (outcome === 'final' || attempt === this.#maxAttempts || this.#stopped) {
        this.options.log.warn({ hub: this.hubUrl, topics, attempt }, 'websub: gave up notifying the hub');
        return;
      }
      const delay = this.#baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await sleep(delay);
    }
  }

  /** 'ok' on 2xx; 'retry' on network errors, timeouts, 429 and 5xx; 'final' on any other answer. */
  async #post(body: URLSearchParams): Promise<'ok' | 'retry' | 'final'> {
    try {
      const res = await fetch(this.hubUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': this.options.userAgent },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await res.body?.cancel();
      if (res.ok) return 'ok';
      this.options.log.warn({ hub: this.hubUrl, status: res.status }, 'websub: hub refused the ping');
      return res.status === 429 || res.status >= 500 ? 'retry' : 'final';
    } catch (err) {
      this.options.log.warn({ hub: this.hubUrl, err: (err as Error).message }, 'websub: hub unreachable');
      return 'retry';
    }
  }
}
