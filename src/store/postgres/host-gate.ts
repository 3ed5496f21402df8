// Per-host politeness across instances: one request at a time per host and the pause between two
// requests, whichever instance makes them. A session-level advisory lock per host name serializes the
// requests (it goes away with the connection, so a killed instance never blocks a host); host_politeness
// remembers when the last request ended, on the database's clock.

import type { Database } from './database.js';

export class SharedHostGate {
  constructor(private readonly db: Database) {}

  /** Runs `task` (a request to `host`) once no other instance is requesting it and `delayMs` has passed since the last request ended. */
  async run<T>(host: string, delayMs: number, task: () => Promise<T>): Promise<T> {
    const client = await this.db.pool.connect();
    const key = `host:${host}`;
    let broken = false;
    let taskFailed = false;
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      try {
        const { rows } = await client.query<{ wait: number }>(
          `SELECT GREATEST(0, EXTRACT(EPOCH FROM (last_end + $2 * interval '1 millisecond' - clock_timestamp())) * 1000)::float8 AS wait
           FROM host_politeness WHERE host = $1`,
          [host, delayMs],
        );
        const wait = rows[0]?.wait ?? 0;
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        try {
          return await task();
        } catch (err) {
          taskFailed = true;
          throw err;
        } finally {
          await client.query(
            'INSERT INTO host_politeness (host, last_end) VALUES ($1, clock_timestamp()) ON CONFLICT (host) DO UPDATE SET last_end = excluded.last_end',
            [host],
          );
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } catch (err) {
      broken = !taskFailed;
      throw err;
    } finally {
      // A connection that failed mid-way may still hold the lock: destroy it rather than pool it.
      client.release(broken);
    }
  }
}
