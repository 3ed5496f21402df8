// The partner registry in PostgreSQL: the partners, partner_keys and grants tables seen as the same
// PartnerDocument that partners.json holds, so PartnerStore's rules (names, ids, one active grant per
// channel) are the same on both backends. Every instance keeps the document (and PartnerStore its
// key-hash index) in memory; sync() costs one small query and reloads only when registry_revision
// moved, so a revoked or rotated key stops working on every instance at its next sync.

import type { Grant, Partner } from '../model.js';
import { type Database, notifyOnCommit, type Queryable } from '../store/postgres/database.js';
import { type PartnerDocument, type PartnerDocumentHandle, PartnerStore } from './registry.js';

interface PartnerRow {
  id: string;
  name: string;
  key_hash: string;
  created_at: Date;
  revoked_at: Date | null;
  rotated_at: Date | null;
}

interface GrantRow {
  id: string;
  partner_id: string;
  channel_id: string;
  content: 'full' | 'excerpt';
  until: Date | null;
  created_at: Date;
  revoked_at: Date | null;
}

export class PgPartnerDocument implements PartnerDocumentHandle {
  #data: PartnerDocument = { schemaVersion: 1, partners: [], grants: [] };
  #dbRevision = -1;
  #revision = 0;

  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<PgPartnerDocument> {
    const doc = new PgPartnerDocument(db);
    await doc.sync();
    return doc;
  }

  get data(): PartnerDocument {
    return this.#data;
  }

  get revision(): number {
    return this.#revision;
  }

  /** Reloads when another instance (or the CLI) changed the registry; resolves true when it did. */
  async sync(): Promise<boolean> {
    const { rows } = await this.db.query<{ revision: string }>('SELECT revision FROM registry_revision');
    const revision = Number(rows[0]?.revision ?? 0);
    if (revision === this.#dbRevision) return false;
    const loaded = await load(this.db);
    // A concurrent update may have installed something newer meanwhile: never go back.
    if (revision <= this.#dbRevision) return false;
    this.#data = loaded;
    this.#dbRevision = revision;
    this.#revision += 1;
    return true;
  }

  /** Runs fn on the registry as committed, under the registry's row lock, and writes what it changed, in one transaction. */
  async update<R>(fn: (data: PartnerDocument) => R | Promise<R>): Promise<R> {
    const { result, data, revision } = await this.db.transaction(async (c) => {
      const locked = await c.query<{ revision: string }>('SELECT revision FROM registry_revision FOR UPDATE');
      const data = await load(c);
      const result = await fn(data);
      await write(c, data);
      const bumped = await c.query<{ revision: string }>('UPDATE registry_revision SET revision = revision + 1 RETURNING revision');
      await notifyOnCommit(c, 'registry');
      void locked;
      return { result, data, revision: Number(bumped.rows[0]!.revision) };
    });
    this.#data = data;
    this.#dbRevision = revision;
    this.#revision += 1;
    return result;
  }
}

/** The registry of the database: a PartnerStore over its tables. */
export async function openPgPartners(db: Database): Promise<PartnerStore> {
  return PartnerStore.over(await PgPartnerDocument.open(db));
}

const iso = (d: Date | null): string | undefined => (d === null ? undefined : d.toISOString());

async function load(q: Queryable): Promise<PartnerDocument> {
  const partners = await q.query<PartnerRow>('SELECT id, name, key_hash, created_at, revoked_at, rotated_at FROM partners ORDER BY seq');
  const grants = await q.query<GrantRow>('SELECT id, partner_id, channel_id, content, until, created_at, revoked_at FROM grants ORDER BY seq');
  return {
    schemaVersion: 1,
    partners: partners.rows.map((r): Partner => {
      const revokedAt = iso(r.revoked_at);
      const rotatedAt = iso(r.rotated_at);
      return { id: r.id, name: r.name, keyHash: r.key_hash, createdAt: r.created_at.toISOString(), ...(revokedAt && { revokedAt }), ...(rotatedAt && { rotatedAt }) };
    }),
    grants: grants.rows.map((r): Grant => {
      const until = iso(r.until);
      const revokedAt = iso(r.revoked_at);
      return {
        id: r.id,
        partnerId: r.partner_id,
        channelId: r.channel_id,
        content: r.content,
        ...(until && { until }),
        createdAt: r.created_at.toISOString(),
        ...(revokedAt && { revokedAt }),
      };
    }),
  };
}

/** Writes every partner and grant of the document (a registry holds tens of rows, not thousands). */
async function write(c: Queryable, data: PartnerDocument): Promise<void> {
  for (const p of data.partners) {
    // A rotated key: the old hash is retired before the new one takes the partner's unique key_hash.
    await c.query('UPDATE partner_keys SET retired_at = now() WHERE partner_id = $1 AND key_hash <> $2 AND retired_at IS NULL', [p.id, p.keyHash]);
    await c.query(
      `INSERT INTO partners (id, name, key_hash, created_at, revoked_at, rotated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_hash = excluded.key_hash, revoked_at = excluded.revoked_at, rotated_at = excluded.rotated_at`,
      [p.id, p.name, p.keyHash, p.createdAt, p.revokedAt ?? null, p.rotatedAt ?? null],
    );
    await c.query(
      `INSERT INTO partner_keys (key_hash, partner_id, created_at, retired_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key_hash) DO UPDATE SET retired_at = excluded.retired_at`,
      [p.keyHash, p.id, p.rotatedAt ?? p.createdAt, p.revokedAt ?? null],
    );
  }
  for (const g of data.grants) {
    await c.query(
      `INSERT INTO grants (id, partner_id, channel_id, content, until, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET until = excluded.until, revoked_at = excluded.revoked_at`,
      [g.id, g.partnerId, g.channelId, g.content, g.until ?? null, g.createdAt, g.revokedAt ?? null],
    );
  }
}
