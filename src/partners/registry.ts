// Partners and their grants, in one JsonDocument at <DATA_DIR>/partners.json: the CLI changes it under
// the document's lock, the server reads it and picks a change up with sync(). Nothing is ever deleted:
// a revoked partner or grant keeps its record, because the reprint ledger names them.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Grant, GrantContent, Partner } from '../model.js';
import { JsonDocument } from '../store/files/json-document.js';
import { generateKey, hashKey, keyMatches } from './keys.js';

const PARTNERS_SCHEMA_VERSION = 1;

export interface PartnerDocument {
  schemaVersion: number;
  partners: Partner[];
  grants: Grant[];
}

/** A change the registry refuses (unknown partner, a name or id already taken, …); the message says why. */
export class PartnerError extends Error {
  constructor(message: string) {
    super(`partners: ${message}`);
    this.name = 'PartnerError';
  }
}

export interface NewGrant {
  channelId: string;
  content: GrantContent;
  /** The instant from which the grant no longer applies. */
  until?: Date;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

export class PartnerStore {
  /** Partners by key hash, rebuilt when the document changes. */
  #byHash = new Map<string, Partner>();
  #indexedRevision = -1;

  private constructor(private readonly doc: JsonDocument<PartnerDocument>) {}

  /** Opens <dataDir>/partners.json without writing; a missing file is an empty registry, a damaged one an error. */
  static async open(dataDir: string): Promise<PartnerStore> {
    const file = path.join(dataDir, 'partners.json');
    const doc = await JsonDocument.open<PartnerDocument>(file, { empty: emptyDocument, check: (parsed) => checkDocument(parsed, file) });
    return new PartnerStore(doc);
  }

  /** Every partner, in the order they were added. */
  partners(): readonly Partner[] {
    return this.doc.data.partners;
  }

  /** Every grant of the partner, oldest first (revoked and expired ones included). */
  grantsOf(partnerId: string): readonly Grant[] {
    return this.doc.data.grants.filter((g) => g.partnerId === partnerId);
  }

  /** Picks up what another process (the CLI) wrote; costs one stat when nothing changed. */
  async sync(): Promise<void> {
    await this.doc.sync();
  }

  /** The partner, revoked or not, whose key this is; undefined for any other string. */
  partnerForKey(key: string): Partner | undefined {
    if (this.#indexedRevision !== this.doc.revision) {
      this.#byHash = new Map(this.doc.data.partners.map((p) => [p.keyHash, p]));
      this.#indexedRevision = this.doc.revision;
    }
    const candidate = this.#byHash.get(hashKey(key));
    return candidate !== undefined && keyMatches(key, candidate.keyHash) ? candidate : undefined;
  }

  /** The partner with this id, else the one with this name (an active one before a revoked one). */
  find(ref: string): Partner | undefined {
    const { partners } = this.doc.data;
    return partners.find((p) => p.id === ref) ?? findByName(partners, ref);
  }

  /**
   * Adds a partner and returns it with its key, which exists only in this return value. The id is
   * `id` when given, else a slug of the name (with -2, -3… when taken), else a random one.
   */
  async add(name: string, now: Date, id?: string): Promise<{ partner: Partner; key: string }> {
    const trimmed = name.trim();
    if (trimmed === '') throw new PartnerError('a partner needs a name');
    if (id !== undefined && !ID_PATTERN.test(id)) {
      throw new PartnerError(`id "${id}" is not a slug (lowercase letters, digits and -, at most 40 characters)`);
    }
    // Made outside the update, which may run more than once (see JsonDocument.update).
    const key = generateKey();
    return this.doc.update((data) => {
      const active = data.partners.find((p) => p.name === trimmed && p.revokedAt === undefined);
      if (active !== undefined) throw new PartnerError(`a partner named "${trimmed}" already exists (id "${active.id}")`);
      if (id !== undefined && data.partners.some((p) => p.id === id)) throw new PartnerError(`partner id "${id}" is taken`);
      const partner: Partner = { id: id ?? freeId(data.partners, trimmed), name: trimmed, keyHash: hashKey(key), createdAt: now.toISOString() };
      data.partners.push(partner);
      return { partner: { ...partner }, key };
    });
  }

  /** Revokes the partner: its key is refused from the next request on. */
  revoke(ref: string, now: Date): Promise<Partner> {
    return this.doc.update((data) => {
      const partner = activePartner(data, ref);
      partner.revokedAt = now.toISOString();
      return { ...partner };
    });
  }

  /** Gives the partner a new key (returned, never stored); the old key is unknown from then on. */
  rotate(ref: string, now: Date): Promise<{ partner: Partner; key: string }> {
    const key = generateKey();
    return this.doc.update((data) => {
      const partner = activePartner(data, ref);
      partner.keyHash = hashKey(key);
      partner.rotatedAt = now.toISOString();
      return { partner: { ...partner }, key };
    });
  }

  /** Grants a channel; an active grant of the same channel is revoked in the same write and returned as `replaced`. */
  grant(ref: string, grant: NewGrant, now: Date): Promise<{ grant: Grant; replaced?: Grant }> {
    return this.doc.update((data) => {
      const partner = activePartner(data, ref);
      const nowIso = now.toISOString();
      const previous = data.grants.find((g) => g.partnerId === partner.id && g.channelId === grant.channelId && g.revokedAt === undefined);
      if (previous !== undefined) previous.revokedAt = nowIso;
      const created: Grant = {
        id: freeGrantId(data.grants),
        partnerId: partner.id,
        channelId: grant.channelId,
        content: grant.content,
        ...(grant.until !== undefined && { until: grant.until.toISOString() }),
        createdAt: nowIso,
      };
      data.grants.push(created);
      return { grant: { ...created }, ...(previous !== undefined && { replaced: { ...previous } }) };
    });
  }

  /** Revokes the partner's grant of the channel (expired or not); refuses when there is none. */
  ungrant(ref: string, channelId: string, now: Date): Promise<Grant> {
    return this.doc.update((data) => {
      const partner = requirePartner(data, ref);
      const grant = data.grants.find((g) => g.partnerId === partner.id && g.channelId === channelId && g.revokedAt === undefined);
      if (grant === undefined) throw new PartnerError(`partner "${partner.id}" has no grant for channel "${channelId}"`);
      grant.revokedAt = now.toISOString();
      return { ...grant };
    });
  }
}

function findByName(partners: readonly Partner[], name: string): Partner | undefined {
  const named = partners.filter((p) => p.name === name);
  return named.find((p) => p.revokedAt === undefined) ?? named[named.length - 1];
}

function requirePartner(data: PartnerDocument, ref: string): Partner {
  const partner = data.partners.find((p) => p.id === ref) ?? findByName(data.partners, ref);
  if (partner === undefined) throw new PartnerError(`no partner "${ref}"`);
  return partner;
}

function activePartner(data: PartnerDocument, ref: string): Partner {
  const partner = requirePartner(data, ref);
  if (partner.revokedAt !== undefined) throw new PartnerError(`partner "${partner.id}" was revoked on ${partner.revokedAt}`);
  return partner;
}

/** A slug of the name that no partner has; a random one when the name has no Latin letters or digits. */
function freeId(partners: readonly Partner[], name: string): string {
  const taken = new Set(partners.map((p) => p.id));
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  if (slug === '') {
    let id: string;
    do id = `partner-${randomBytes(3).toString('hex')}`;
    while (taken.has(id));
    return id;
  }
  let id = slug;
  for (let n = 2; taken.has(id); n += 1) id = `${slug}-${n}`;
  return id;
}

function freeGrantId(grants: readonly Grant[]): string {
  const taken = new Set(grants.map((g) => g.id));
  let id: string;
  do id = `g-${randomBytes(5).toString('hex')}`;
  while (taken.has(id));
  return id;
}

function emptyDocument(): PartnerDocument {
  return { schemaVersion: PARTNERS_SCHEMA_VERSION, partners: [], grants: [] };
}

function checkDocument(parsed: unknown, file: string): PartnerDocument {
  const doc = parsed as Partial<PartnerDocument> | null;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.partners) || !Array.isArray(doc.grants)) {
    throw new Error('not a partner document (expected an object with "partners" and "grants")');
  }
  if (doc.schemaVersion !== PARTNERS_SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${String(doc.schemaVersion)}; this build reads ${PARTNERS_SCHEMA_VERSION}`);
  }
  for (const p of doc.partners) {
    if (typeof p?.id !== 'string' || typeof p.name !== 'string' || typeof p.keyHash !== 'string' || !/^[0-9a-f]{64}$/.test(p.keyHash)) {
      throw new Error(`a partner entry lacks an id, a name or a sha256 keyHash: ${JSON.stringify(p)}`);
    }
  }
  for (const g of doc.grants) {
    if (typeof g?.id !== 'string' || typeof g.partnerId !== 'string' || typeof g.channelId !== 'string' || (g.content !== 'full' && g.content !== 'excerpt')) {
      throw new Error(`a grant entry lacks an id, a partnerId, a channelId or a content of full|excerpt: ${JSON.stringify(g)}`);
    }
  }
  return doc as PartnerDocument;
}
