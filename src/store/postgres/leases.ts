// Per-channel ingest leases across instances (the ingest_leases table). A scheduled run is claimed once:
// every instance's cron fires for the same tick, and only the first claim for that tick wins. The holder
// renews its lease while it runs; a holder that dies stops renewing, and once the lease expires another
// instance may claim the next tick. A run at start-up (no tick) is claimed only when no run of the
// channel started within `startupGapMs`, so several instances starting together ingest once.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from './database.js';

export interface LeaseOptions {
  /** How long a lease lasts without renewal (default 60 s); it is renewed every third of that. */
  ttlMs?: number;
  /** A start-up run is skipped when a run of the channel started less than this ago (default 60 s). */
  startupGapMs?: number;
  /** Names this instance in the table (default host:pid:random). */
  holder?: string;
  /** Told when a renewal fails or finds the lease taken over. */
  onLost?: (channelId: string, reason: string) => void;
}

export interface Lease {
  channelId: string;
  /** Ends the lease now (the tick stays claimed). */
  release(): Promise<void>;
}

export class IngestLeases {
  readonly holder: string;
  readonly #ttlMs: number;
  readonly #startupGapMs: number;

  constructor(
    private readonly db: Database,
    private readonly options: LeaseOptions = {},
  ) {
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#startupGapMs = options.startupGapMs ?? 60_000;
  }

  /**
   * Claims the channel's run for `tick` (the instant the schedule fired; undefined for a start-up run).
   * Resolves with the lease, or undefined when another instance holds the channel or already ran this tick.
   */
  async claim(channelId: string, tick: Date | undefined): Promise<Lease | undefined> {
    const tickKey = tick === undefined ? null : new Date(Math.floor(tick.getTime() / 1000) * 1000).toISOString();
    const { rows } = await this.db.query<{ holder: string }>(
      `INSERT INTO ingest_leases AS l (channel_id, holder, expires_at, last_tick, last_started_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond', $4, clock_timestamp())
       ON CONFLICT (channel_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
         last_tick = COALESCE(excluded.last_tick, l.last_tick), last_started_at = excluded.last_started_at
       WHERE l.expires_at < clock_timestamp()
         AND CASE WHEN $4::text IS NULL THEN l.last_started_at < clock_timestamp() - $5 * interval '1 millisecond'
                  ELSE l.last_tick IS DISTINCT FROM $4::text END
       RETURNING holder`,
      [channelId, this.holder, this.#ttlMs, tickKey, this.#startupGapMs],
    );
    if (rows.length === 0) return undefined;
    let released = false;
    const renew = setInterval(() => {
      this.db
        .query(`UPDATE ingest_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE channel_id = $1 AND holder = $2`, [
          channelId,
          this.holder,
          this.#ttlMs,
        ])
        .then(
          (r) => {
            if (!released && r.rowCount === 0) this.options.onLost?.(channelId, 'taken over by another instance');
          },
          (err: unknown) => this.options.onLost?.(channelId, (err as Error).message),
        );
    }, Math.max(100, Math.floor(this.#ttlMs / 3)));
    renew.unref();
    return {
      channelId,
      release: async () => {
        released = true;
        clearInterval(renew);
        await this.db.query('UPDATE ingest_leases SET expires_at = clock_timestamp() WHERE channel_id = $1 AND holder = $2', [channelId, this.holder]);
      },
    };
  }
}
