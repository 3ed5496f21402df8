// `syndicator store copy --to <postgres://… | DIR>`: copies everything the configured backend holds
// (DATA_DIR, or DATABASE_URL's database) to the other kind — live items, source states, tombstones,
// archives, partners and grants, the reprint ledger, reprint reports and their checks — then opens the
// copy and compares the counts.
// Only into an empty target: a copy never merges into, or overwrites, data that is already there.

import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, UsageError, table } from './support.js';
import type { Config } from '../config/env.js';
import { archiveMonthOf, type Grant, type Item, type Partner, type SourceState } from '../model.js';
import { Ledger, type LedgerEntry, ledgerDir } from '../partners/ledger.js';
import { type PartnerDocument, PartnerStore } from '../partners/registry.js';
import { archiveItems, listArchiveMonths, readArchive } from '../store/files/archive.js';
import { JsonDocument } from '../store/files/json-document.js';
import { ReprintFileStore } from '../store/files/reprint-file-store.js';
import type { ReprintReport } from '../store/reprints.js';
import { type ChannelDocument, channelFile, channelReader, SCHEMA_VERSION } from '../store/files/file-store.js';

/** One channel as both backends hold it. Archived items exclude those that are live again. */
interface ChannelData {
  channelId: string;
  items: Item[];
  sources: SourceState[];
  tombstones: Record<string, string>;
  archived: Item[];
}

interface Side {
  where: string;
  channelIds(): Promise<string[]>;
  channel(id: string): Promise<ChannelData>;
  partners(): Promise<{ partners: Partner[]; grants: Grant[] }>;
  ledger(): AsyncGenerator<LedgerEntry>;
  /** Every reprint report, with its checks, oldest first. */
  reprints(): Promise<ReprintReport[]>;
  /** Why this side may not receive a copy (it holds data), or undefined. */
  notEmpty(): Promise<string | undefined>;
  writeChannel(data: ChannelData): Promise<void>;
  writePartners(data: { partners: Partner[]; grants: Grant[] }): Promise<void>;
  writeLedger(entries: AsyncIterable<LedgerEntry>): Promise<number>;
  writeReprints(reports: readonly ReprintReport[]): Promise<void>;
  close(): Promise<void>;
}

export interface CopyCounts {
  channels: number;
  items: number;
  archived: number;
  tombstones: number;
  sourceStates: number;
  partners: number;
  grants: number;
  ledger: number;
  reprints: number;
  reprintChecks: number;
}

/** `store copy --to <target>` (registered in store.ts; loaded only when it runs). */
export async function runCopy(cfg: Readonly<Config>, destination: string): Promise<void> {
  const toDatabase = /^postgres(ql)?:\/\//i.test(destination);
  if (toDatabase === (cfg.databaseUrl !== undefined)) {
    throw new UsageError(
      toDatabase
        ? 'store copy: DATABASE_URL is set, so the data already is in PostgreSQL; to copy into a directory, give --to DIR'
        : 'store copy: DATABASE_URL is not set, so the data is in DATA_DIR; give --to postgres://…',
    );
  }
  const from = cfg.databaseUrl !== undefined ? await databaseSide(cfg.databaseUrl) : filesSide(cfg.dataDir);
  const to = toDatabase ? await databaseSide(destination) : filesSide(path.resolve(destination));
  try {
    const { source, target } = await copyAll(from, to);
    const rows = [['WHAT', 'SOURCE', 'COPY', '']];
    let mismatches = 0;
    for (const key of Object.keys(source) as (keyof CopyCounts)[]) {
      const same = source[key] === target[key];
      if (!same) mismatches += 1;
      rows.push([key, String(source[key]), String(target[key]), same ? 'ok' : 'MISMATCH']);
    }
    process.stdout.write(`copied ${from.where} → ${to.where}\n${table(rows)}`);
    process.exitCode = mismatches > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await from.close();
    await to.close();
  }
}

/** Copies everything from `from` into the empty `to`, then counts both. */
export async function copyAll(from: Side, to: Side): Promise<{ source: CopyCounts; target: CopyCounts }> {
  const busy = await to.notEmpty();
  if (busy !== undefined) throw new UsageError(`store copy: ${to.where} is not empty (${busy}); copy only into an empty target`);
  for (const id of await from.channelIds()) await to.writeChannel(await from.channel(id));
  await to.writePartners(await from.partners());
  await to.writeLedger(from.ledger());
  await to.writeReprints(await from.reprints());
  return { source: await count(from), target: await count(to) };
}

async function count(side: Side): Promise<CopyCounts> {
  const counts: CopyCounts = { channels: 0, items: 0, archived: 0, tombstones: 0, sourceStates: 0, partners: 0, grants: 0, ledger: 0, reprints: 0, reprintChecks: 0 };
  for (const id of await side.channelIds()) {
    const c = await side.channel(id);
    counts.channels += 1;
    counts.items += c.items.length;
    counts.archived += c.archived.length;
    counts.tombstones += Object.keys(c.tombstones).length;
    counts.sourceStates += c.sources.length;
  }
  const p = await side.partners();
  counts.partners = p.partners.length;
  counts.grants = p.grants.length;
  for await (const _ of side.ledger()) counts.ledger += 1;
  const reports = await side.reprints();
  counts.reprints = reports.length;
  counts.reprintChecks = reports.reduce((n, r) => n + r.checks.length, 0);
  return counts;
}

function filesSide(dataDir: string): Side {
  const channelIds = async () => {
    try {
      const names = await readdir(path.join(dataDir, 'channels'));
      return [...new Set(names.map((n) => /^([a-z0-9][a-z0-9-]*)\.json$/.exec(n)?.[1]).filter((id): id is string => id !== undefined))].sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  };
  const partnersFile = path.join(dataDir, 'partners.json');
  return {
    where: dataDir,
    channelIds,
    async channel(id) {
      const file = channelFile(dataDir, id);
      const doc = channelReader(file, id).parse(await readFile(file, 'utf8'));
      const live = new Set(doc.items.map((i) => i.id));
      const archived: Item[] = [];
      for (const month of await listArchiveMonths(dataDir, id)) {
        for (const item of (await readArchive(dataDir, id, month))?.items ?? []) if (!live.has(item.id)) archived.push(item);
      }
      return { channelId: id, items: doc.items, sources: Object.values(doc.sources), tombstones: doc.tombstones, archived };
    },
    async partners() {
      const registry = await PartnerStore.open(dataDir);
      const partners = [...registry.partners()];
      return { partners, grants: partners.flatMap((p) => registry.grantsOf(p.id)) };
    },
    ledger: () => new Ledger(ledgerDir(dataDir)).entries(),
    reprints: () => withFileReprints(dataDir, (store) => store.list()),
    async notEmpty() {
      if ((await channelIds()).length > 0) return 'it has channel files';
      if ((await PartnerStore.open(dataDir)).partners().length > 0) return 'it has partners';
      for await (const _ of new Ledger(ledgerDir(dataDir)).entries()) return 'it has a ledger';
      if ((await withFileReprints(dataDir, (store) => store.list())).length > 0) return 'it has reprint reports';
      return undefined;
    },
    async writeChannel(data) {
      // Into the archive first, as retention does: an item is never only in a file not yet written.
      if (data.archived.length > 0) await archiveItems(dataDir, data.channelId, data.archived);
      const file = channelFile(dataDir, data.channelId);
      const doc = await JsonDocument.open<ChannelDocument>(file, {
        empty: () => ({ schemaVersion: SCHEMA_VERSION, kind: 'channel', channelId: data.channelId, itemsVersion: '', items: [], sources: {}, tombstones: {} }),
        check: (parsed) => channelReader(file, data.channelId).parse(JSON.stringify(parsed)),
      });
      await doc.update((d) => {
        d.items = data.items;
        d.sources = Object.fromEntries(data.sources.map((s) => [s.sourceId, s]));
        d.tombstones = { ...data.tombstones };
        d.itemsVersion = randomUUID();
      });
    },
    async writePartners(data) {
      const doc = await JsonDocument.open<PartnerDocument>(partnersFile, {
        empty: () => ({ schemaVersion: 1, partners: [], grants: [] }),
        check: (parsed) => parsed as PartnerDocument,
      });
      await doc.update((d) => {
        d.partners = data.partners;
        d.grants = data.grants;
      });
    },
    async writeLedger(entries) {
      const ledger = new Ledger(ledgerDir(dataDir));
      let n = 0;
      for await (const e of entries) {
        await ledger.append(e);
        n += 1;
      }
      return n;
    },
    writeReprints: (reports) =>
      withFileReprints(dataDir, async (store) => {
        for (const r of reports) await store.add(r);
      }),
    close: async () => undefined,
  };
}

async function withFileReprints<T>(dataDir: string, fn: (store: ReprintFileStore) => Promise<T>): Promise<T> {
  const store = await ReprintFileStore.open(dataDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function databaseSide(url: string): Promise<Side> {
  // Loaded only when used: a process on the files never loads pg.
  const [{ Database, redactUrl }, { PgLedger }, { PgPartnerDocument }, { PgReprintStore }] = await Promise.all([
    import('../store/postgres/database.js'),
    import('../partners/pg-ledger.js'),
    import('../partners/pg-registry.js'),
    import('../store/postgres/pg-reprints.js'),
  ]);
  const db = await Database.open(url, { max: 4 });
  const registry = await PgPartnerDocument.open(db);
  const reprints = new PgReprintStore(db);
  return {
    where: redactUrl(url),
    async channelIds() {
      return (await db.query<{ channel_id: string }>('SELECT channel_id FROM channels ORDER BY channel_id')).rows.map((r) => r.channel_id);
    },
    async channel(id) {
      const items = await db.query<{ doc: Item; archived_month: string | null }>('SELECT doc, archived_month FROM items WHERE channel_id = $1', [id]);
      const sources = await db.query<{ doc: SourceState }>('SELECT doc FROM source_states WHERE channel_id = $1 ORDER BY source_id', [id]);
      const tombs = await db.query<{ item_id: string; deleted_at: Date }>('SELECT item_id, deleted_at FROM tombstones WHERE channel_id = $1', [id]);
      return {
        channelId: id,
        items: items.rows.filter((r) => r.archived_month === null).map((r) => r.doc),
        archived: items.rows.filter((r) => r.archived_month !== null).map((r) => r.doc),
        sources: sources.rows.map((r) => r.doc),
        tombstones: Object.fromEntries(tombs.rows.map((r) => [r.item_id, r.deleted_at.toISOString()])),
      };
    },
    async partners() {
      await registry.sync();
      return { partners: [...registry.data.partners], grants: [...registry.data.grants] };
    },
    ledger: () => new PgLedger(db).entries(),
    reprints: () => reprints.list(),
    async notEmpty() {
      const { rows } = await db.query<{ items: boolean; partners: boolean; ledger: boolean; reprints: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM items) AS items, EXISTS (SELECT 1 FROM partners) AS partners, EXISTS (SELECT 1 FROM ledger) AS ledger, EXISTS (SELECT 1 FROM reprint_reports) AS reprints',
      );
      const r = rows[0]!;
      return r.items ? 'it has items' : r.partners ? 'it has partners' : r.ledger ? 'it has a ledger' : r.reprints ? 'it has reprint reports' : undefined;
    },
    async writeChannel(data) {
      await db.transaction(async (c) => {
        await c.query('INSERT INTO channels (channel_id, revision, states_version) VALUES ($1, 1, 1) ON CONFLICT (channel_id) DO UPDATE SET revision = channels.revision + 1', [data.channelId]);
        const rows = [
          ...data.items.map((i) => ({ id: i.id, content_hash: i.contentHash, month: null, archived_hash: null, doc: i })),
          ...data.archived.map((i) => ({ id: i.id, content_hash: i.contentHash, month: archiveMonthOf(i), archived_hash: i.contentHash, doc: i })),
        ];
        for (let at = 0; at < rows.length; at += 1000) {
          await c.query(
            `INSERT INTO items (channel_id, id, content_hash, archived_month, archived_hash, doc)
             SELECT $1, x.id, x.content_hash, x.month, x.archived_hash, x.doc
             FROM jsonb_to_recordset($2::jsonb) AS x(id text, content_hash text, month text, archived_hash text, doc jsonb)`,
            [data.channelId, JSON.stringify(rows.slice(at, at + 1000))],
          );
        }
        await c.query(
          `INSERT INTO source_states (channel_id, source_id, doc) SELECT $1, x.source_id, x.doc FROM jsonb_to_recordset($2::jsonb) AS x(source_id text, doc jsonb)`,
          [data.channelId, JSON.stringify(data.sources.map((s) => ({ source_id: s.sourceId, doc: s })))],
        );
        await c.query(
          `INSERT INTO tombstones (channel_id, item_id, deleted_at) SELECT $1, x.item_id, x.deleted_at FROM jsonb_to_recordset($2::jsonb) AS x(item_id text, deleted_at timestamptz)`,
          [data.channelId, JSON.stringify(Object.entries(data.tombstones).map(([item_id, deleted_at]) => ({ item_id, deleted_at })))],
        );
      });
    },
    async writePartners(data) {
      await registry.update((d) => {
        d.partners = data.partners;
        d.grants = data.grants;
      });
    },
    async writeLedger(entries) {
      const ledger = new PgLedger(db);
      let n = 0;
      for await (const e of entries) {
        await ledger.append(e);
        n += 1;
      }
      return n;
    },
    async writeReprints(reports) {
      for (const r of reports) await reprints.add(r);
    },
    close: () => db.close(),
  };
}
