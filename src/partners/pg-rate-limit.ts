// Partner rate limits shared by every instance on one database: the same token bucket as rate-limit.ts
// (a minute's allowance, refilled continuously), kept in the partner_rate table and taken under the
// row's lock, timed by the database's clock so that instances with skewed clocks still agree.

import type { Database } from '../store/postgres/database.js';
import type { Admission } from './rate-limit.js';

export class SharedRateLimiter {
  readonly #perMs: number;

  constructor(
    private readonly db: Database,
    readonly perMinute: number,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`rate limit must be a whole number of at least 1, not ${perMinute}`);
    this.#perMs = perMinute / 60_000;
  }

  /** Takes one request from the partner's allowance across all instances, or says when the next one is allowed. */
  take(partnerId: string): Promise<Admission> {
    return this.db.transaction(async (c) => {
      await c.query('INSERT INTO partner_rate (partner_id, tokens, at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT DO NOTHING', [partnerId, this.perMinute]);
      const { rows } = await c.query<{ tokens: number; elapsed_ms: number }>(
        `SELECT tokens, GREATEST(0, EXTRACT(EPOCH FROM (clock_timestamp() - at)) * 1000)::float8 AS elapsed_ms
         FROM partner_rate WHERE partner_id = $1 FOR UPDATE`,
        [partnerId],
      );
      const row = rows[0]!;
      let tokens = Math.min(this.perMinute, row.tokens + row.elapsed_ms * this.#perMs);
      const ok = tokens >= 1;
      if (ok) tokens -= 1;
      await c.query('UPDATE partner_rate SET tokens = $2, at = clock_timestamp() WHERE partner_id = $1', [partnerId, tokens]);
      return ok ? { ok: true as const } : { ok: false as const, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.#perMs / 1000)) };
    });
  }
}
