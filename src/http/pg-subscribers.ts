// Subscriber statistics in PostgreSQL, shared by every instance: one salt (so a client is the same hash
// whichever instance it reaches), clients by salted hash with when they were last seen, and each hosted
// reader's latest report. Each instance records in memory and saves what it saw; a save keeps the later
// of two sightings, so instances never undo each other's.

import { randomBytes } from 'node:crypto';
import type { Database } from '../store/postgres/database.js';
import { type HostedReport, openSubscriberStats, type SubscriberSnapshot, SubscriberStats } from './subscribers.js';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export async function openPgSubscriberStats(db: Database): Promise<{ stats: SubscriberStats; save: (now: number) => Promise<void> }> {
  await db.query('INSERT INTO subscriber_salt (salt) VALUES ($1) ON CONFLICT DO NOTHING', [randomBytes(16).toString('hex')]);
  const salt = (await db.query<{ salt: string }>('SELECT salt FROM subscriber_salt')).rows[0]!.salt;
  const since = new Date(Date.now() - WEEK_MS);
  const clients = await db.query<{ channel_id: string; format: string; client_hash: string; last_seen: Date }>(
    'SELECT channel_id, format, client_hash, last_seen FROM subscriber_clients WHERE last_seen > $1',
    [since],
  );
  const hosted = await db.query<{ channel_id: string; format: string; reader: string; report: HostedReport }>(
    'SELECT channel_id, format, reader, report FROM subscriber_hosted',
  );
  const snapshot: SubscriberSnapshot = { salt, hosted: {}, clients: {} };
  for (const r of clients.rows) (snapshot.clients[`${r.channel_id}\t${r.format}`] ??= {})[r.client_hash] = r.last_seen.getTime();
  for (const r of hosted.rows) (snapshot.hosted[`${r.channel_id}\t${r.format}`] ??= {})[r.reader] = r.report;
  const stats = new SubscriberStats(snapshot);
  return {
    stats,
    save: async (now) => {
      if (!stats.dirty) return;
      const snap = stats.snapshot(now);
      const clientRows = Object.entries(snap.clients).flatMap(([key, seen]) => {
        const [channel_id, format] = key.split('\t');
        return Object.entries(seen).map(([client_hash, at]) => ({ channel_id, format, client_hash, last_seen: new Date(at).toISOString() }));
      });
      const hostedRows = Object.entries(snap.hosted).flatMap(([key, reports]) => {
        const [channel_id, format] = key.split('\t');
        return Object.entries(reports).map(([reader, report]) => ({ channel_id, format, reader, report }));
      });
      await db.transaction(async (c) => {
        await c.query(
          `INSERT INTO subscriber_clients (channel_id, format, client_hash, last_seen)
           SELECT x.channel_id, x.format, x.client_hash, x.last_seen FROM jsonb_to_recordset($1::jsonb) AS x(channel_id text, format text, client_hash text, last_seen timestamptz)
           ON CONFLICT (channel_id, format, client_hash) DO UPDATE SET last_seen = GREATEST(subscriber_clients.last_seen, excluded.last_seen)`,
          [JSON.stringify(clientRows)],
        );
        await c.query(
          `INSERT INTO subscriber_hosted (channel_id, format, reader, report)
           SELECT x.channel_id, x.format, x.reader, x.report FROM jsonb_to_recordset($1::jsonb) AS x(channel_id text, format text, reader text, report jsonb)
           ON CONFLICT (channel_id, format, reader) DO UPDATE SET report = excluded.report
           WHERE (subscriber_hosted.report->>'seenAt') < (excluded.report->>'seenAt')`,
          [JSON.stringify(hostedRows)],
        );
        await c.query('DELETE FROM subscriber_clients WHERE last_seen < $1', [new Date(now - WEEK_MS)]);
      });
    },
  };
}

/** Subscriber statistics of the backend: the database's when given, else the file under dataDir. */
export function openSubscribers(dataDir: string, db?: Database): Promise<{ stats: SubscriberStats; save: (now: number) => Promise<void> }> {
  return db === undefined ? openSubscriberStats(dataDir) : openPgSubscriberStats(db);
}
