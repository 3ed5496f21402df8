// A token bucket per partner, in memory: a partner may burst up to a minute's allowance, which refills
// continuously. Kept per process on purpose: it protects this server, and a restart forgives.

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** Milliseconds, the clock's reading when tokens was last brought up to date. */
  at: number;
}

/** What partner feeds need of a limiter: this in-memory one, or one shared by instances (pg-rate-limit.ts). */
export interface Limiter {
  readonly perMinute: number;
  take(partnerId: string): Admission | Promise<Admission>;
}

export class RateLimiter implements Limiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;

  /** `now` returns milliseconds (Date.now by default); tests pass a clock they move. */
  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`rate limit must be a whole number of at least 1, not ${perMinute}`);
    this.#perMs = perMinute / 60_000;
  }

  /** Takes one request from the partner's allowance, or says in how many whole seconds the next one is allowed. */
  take(partnerId: string): Admission {
    const now = this.now();
    const bucket = this.#buckets.get(partnerId) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
    bucket.at = now;
    this.#buckets.set(partnerId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000)) };
  }
}
