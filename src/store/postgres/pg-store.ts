import { mapWithConcurrency } from '../concurrency.js';
import { archiveMonthOf, compareItems, type Item, type SourceState } from '../../model.js';
import { sortInSlices, TimeSlice } from '../../slices.js';
import { checkItems, MONTH_PATTERN } from '../files/archive.js';
import { MAX_TOMBSTONES } from '../files/file-store.js';
import { mergeBatch, sourceStatesAfter } from '../merge.js';
import { StoreError } from '../store.js';
import type { ApplyResult, IngestBatch, Store } from '../store.js';
import { Database, notifyOnCommit, type Queryable } from './database.js';

interface Slot {
  /** Live items, newest first, frozen. */
  items: readonly Item[];
  /** channels.revision as last read or written here. */
  revision: number;
  statesVersion: number;
  states: Map<string, SourceState>;
  months: readonly string[];
  /** The tail of this process's writes to the channel: they run one after the other. */
  tail: Promise<unknown>;
}

export interface PostgresStoreOptions {
  /** Close the Database with the store (true when the store opened it from a URL). */
  ownsDatabase?: boolean;
  /** Listen for other instances' commits and sync at once (default true); polling sync() works regardless. */
  listen?: boolean;
}

/**
 * PostgreSQL behind the Store contract (docs/scaling.md §3). Live items of the opened channels are kept
 * in memory, so reads stay synchronous; every write is one transaction serialized per channel by a row
 * lock on the channel's `channels` row, and resolves after COMMIT. The revision is the database's, so
 * every instance on the database sees the same number for the same state. Commits announce themselves
 * with NOTIFY; each instance's sync() (on notification, or polled) reloads only channels whose revision
 * or source states moved.
 */
export class PostgresStore implements Store {
  readonly #slots = new Map<string, Slot>();
  #unlisten: (() => void) | undefined;
  #syncing: Promise<void> | undefined;
  #syncAgain = false;

  private constructor(
    readonly db: Database,
    private readonly options: PostgresStoreOptions,
  ) {}

  /** Opens the database at `url` (migrating it) and loads the channels; the store closes the database. */
  static async connect(url: string, channelIds: readonly string[], options: Omit<PostgresStoreOptions, 'ownsDatabase'> = {}): Promise<PostgresStore> {
    const db = await Database.open(url);
    try {
      return await PostgresStore.open(db, channelIds, { ...options, ownsDatabase: true });
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  /**
   * Registers the channels (a new one starts empty) and loads their live items, source states and
   * archive months. A row that is not an item stops the open with a StoreError naming the channel.
   */
  static async open(db: Database, channelIds: readonly string[], options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const store = new PostgresStore(db, options);
    await db.query('INSERT INTO channels (channel_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [channelIds]);
    // Fifty channels per round of queries, two rounds at a time: few round trips, bounded result sets.
    const chunks: string[][] = [];
    for (let at = 0; at < channelIds.length; at += 50) chunks.push(channelIds.slice(at, at + 50));
    for (const loaded of await mapWithConcurrency(chunks, 2, (ids) => loadChannels(db, ids))) {
      for (const [id, slot] of loaded) store.#slots.set(id, slot);
    }
    if (options.listen !== false) {
      store.#unlisten = await db.listen((payload) => {
        if (payload.startsWith('items:') && store.#slots.has(payload.slice('items:'.length))) store.#syncSoon();
      });
    }
    return store;
  }

  items(channelId: string): readonly Item[] {
    return this.#slot(channelId).items;
  }

  revision(channelId: string): number {
    return this.#slot(channelId).revision;
  }

  sourceStates(channelId: string): readonly SourceState[] {
    return [...this.#slot(channelId).states.values()];
  }

  archiveMonths(channelId: string): readonly string[] {
    return this.#slot(channelId).months;
  }

  apply(channelId: string, batch: IngestBatch): Promise<ApplyResult> {
    const slot = this.#slot(channelId);
    return this.#serial(slot, async () => {
      let fresh: Slot | undefined;
      const outcome = await this.db.transaction(async (c) => {
        const head = await lockChannel(c, channelId);
        // Another instance wrote since this one last looked: work from the database's live set.
        if (head.revision !== slot.revision || head.statesVersion !== slot.statesVersion) fresh = await this.#load(c, channelId);
        const base = fresh ?? slot;
        const before = new Set(base.items);
        const dead = await rowsByIds<{ item_id: string }>(c, 'SELECT item_id FROM tombstones WHERE channel_id = $1 AND item_id = ANY($2::text[])', channelId, batch.items);
        const merged = await mergeBatch({ items: base.items, tombstones: Object.fromEntries(dead.map((r) => [r.item_id, ''])) }, batch);

        // Live rows to write: what merge added or replaced (it never edits a stored item in place).
        const liveWrites = merged.items.filter((i) => !before.has(i));
        await upsertItems(c, channelId, liveWrites, null);

        let archived = 0;
        let removed = 0;
        const months = new Set<string>();
        if (merged.evicted.length > 0) {
          const inArchive = await rowsByIds<{ id: string; archived_hash: string | null }>(
            c,
            'SELECT id, archived_hash FROM items WHERE channel_id = $1 AND id = ANY($2::text[])',
            channelId,
            merged.evicted,
          );
          const archivedHash = new Map(inArchive.map((r) => [r.id, r.archived_hash]));
          const toArchive: Item[] = [];
          removed = merged.evicted.length;
          const slice = new TimeSlice();
          for (const item of merged.evicted) {
            if (slice.due) await slice.pause();
            const unchanged = archivedHash.get(item.id) === item.contentHash;
            if (!unchanged) archived += 1;
            // An upstream still listing an item that retention already archived: not news, not a change.
            if (merged.added.has(item.id) && unchanged) {
              removed -= 1;
              const counts = merged.bySource.get(item.sourceId);
              if (counts) {
                counts.added -= 1;
                counts.unchanged += 1;
              }
              continue;
            }
            toArchive.push(item);
            months.add(archiveMonthOf(item));
          }
          await upsertItems(c, channelId, toArchive, 'archive');
        }

        const states = Object.values(sourceStatesAfter({}, batch, merged.bySource));
        if (states.length > 0) {
          await c.query(
            `INSERT INTO source_states (channel_id, source_id, doc)
             SELECT $1, x.source_id, x.doc FROM jsonb_to_recordset($2::jsonb) AS x(source_id text, doc jsonb)
             ON CONFLICT (channel_id, source_id) DO UPDATE SET doc = excluded.doc`,
            [channelId, JSON.stringify(states.map((s) => ({ source_id: s.sourceId, doc: s })))],
          );
        }
        const changed = merged.liveChanged || archived > 0;
        const bumped = await c.query<{ revision: string; states_version: string }>(
          `UPDATE channels SET revision = revision + $2, states_version = states_version + $3 WHERE channel_id = $1
           RETURNING revision, states_version`,
          [channelId, changed ? 1 : 0, states.length > 0 ? 1 : 0],
        );
        if (changed || states.length > 0) await notifyOnCommit(c, `items:${channelId}`);
        return { merged, states, months, archived, removed, changed, head: bumped.rows[0]! };
      });
      // Committed: show it here.
      const base = fresh ?? slot;
      slot.items = Object.freeze(await sortInSlices(outcome.merged.items, compareItems));
      slot.revision = Number(outcome.head.revision);
      slot.statesVersion = Number(outcome.head.states_version);
      slot.states = new Map(base.states);
      for (const s of outcome.states) slot.states.set(s.sourceId, s);
      slot.months = [...new Set([...base.months, ...outcome.months])].sort();
      return { bySource: outcome.merged.bySource, removed: outcome.removed, archived: outcome.archived, changed: outcome.changed };
    });
  }

  async archivedItems(channelId: string, month: string): Promise<readonly Item[]> {
    this.#slot(channelId);
    if (!MONTH_PATTERN.test(month)) return [];
    // Page by page (one snapshot for all of them): a month of tens of thousands of rows read in one
    // result is parsed in one long stretch of the serving thread.
    const items = await this.db.transaction(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const all: Item[] = [];
      for (let after = ''; ; ) {
        const { rows } = await c.query<{ id: string; doc: Item }>(
          'SELECT id, doc FROM items WHERE channel_id = $1 AND archived_month = $2 AND id > $3 ORDER BY id LIMIT $4',
          [channelId, month, after, READ_ROWS],
        );
        for (const row of rows) all.push(row.doc);
        if (rows.length < READ_ROWS) return all;
        after = rows.at(-1)!.id;
      }
    });
    return Object.freeze(await sortInSlices(items, compareItems));
  }

  deleteItem(channelId: string, itemId: string, now: Date): Promise<boolean> {
    const slot = this.#slot(channelId);
    return this.#serial(slot, async () => {
      const known = await this.db.transaction(async (c) => {
        await lockChannel(c, channelId);
        const gone = await c.query('DELETE FROM items WHERE channel_id = $1 AND id = $2', [channelId, itemId]);
        const existed = (gone.rowCount ?? 0) > 0;
        const tomb = await c.query('SELECT 1 FROM tombstones WHERE channel_id = $1 AND item_id = $2', [channelId, itemId]);
        if (!existed && tomb.rowCount === 0) return false;
        await c.query('INSERT INTO tombstones (channel_id, item_id, deleted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [channelId, itemId, now]);
        await c.query(
          `DELETE FROM tombstones WHERE channel_id = $1 AND item_id IN (
             SELECT item_id FROM tombstones WHERE channel_id = $1 ORDER BY deleted_at DESC, item_id OFFSET $2)`,
          [channelId, MAX_TOMBSTONES],
        );
        if (existed) {
          await c.query('UPDATE channels SET revision = revision + 1 WHERE channel_id = $1', [channelId]);
          await notifyOnCommit(c, `items:${channelId}`);
        }
        return true;
      });
      if (known) Object.assign(slot, await this.#load(this.db, channelId), { tail: slot.tail });
      return known;
    });
  }

  updateSourceState(channelId: string, sourceId: string, change: (state: SourceState) => SourceState): Promise<boolean> {
    const slot = this.#slot(channelId);
    return this.#serial(slot, async () => {
      const next = await this.db.transaction(async (c) => {
        await lockChannel(c, channelId);
        const { rows } = await c.query<{ doc: SourceState }>('SELECT doc FROM source_states WHERE channel_id = $1 AND source_id = $2', [channelId, sourceId]);
        if (rows.length === 0) return undefined;
        const state = change(rows[0]!.doc);
        await c.query('UPDATE source_states SET doc = $3 WHERE channel_id = $1 AND source_id = $2', [channelId, sourceId, JSON.stringify(state)]);
        const v = await c.query<{ states_version: string }>('UPDATE channels SET states_version = states_version + 1 WHERE channel_id = $1 RETURNING states_version', [
          channelId,
        ]);
        await notifyOnCommit(c, `items:${channelId}`);
        return { state, version: Number(v.rows[0]!.states_version) };
      });
      if (!next) return false;
      slot.states = new Map(slot.states).set(sourceId, next.state);
      slot.statesVersion = next.version;
      return true;
    });
  }

  /**
   * One small query for the revisions of every channel; reloads the channels whose revision or source
   * states moved. Concurrent calls share one run (and a call during a run makes one more afterwards).
   * A failure leaves the last good data in place and rejects.
   */
  sync(): Promise<void> {
    if (this.#syncing) {
      this.#syncAgain = true;
      return this.#syncing;
    }
    const run = async () => {
      void this.db.ensureListening().catch(() => undefined);
      const { rows } = await this.db.query<{ channel_id: string; revision: string; states_version: string }>(
        'SELECT channel_id, revision, states_version FROM channels WHERE channel_id = ANY($1::text[])',
        [[...this.#slots.keys()]],
      );
      for (const row of rows) {
        const slot = this.#slots.get(row.channel_id)!;
        if (Number(row.revision) === slot.revision && Number(row.states_version) === slot.statesVersion) continue;
        // Under the channel's write queue, so a reload never lands between a commit and its bookkeeping.
        await this.#serial(slot, async () => Object.assign(slot, await this.#load(this.db, row.channel_id), { tail: slot.tail }));
      }
    };
    this.#syncing = run().finally(() => {
      this.#syncing = undefined;
      if (this.#syncAgain) {
        this.#syncAgain = false;
        this.#syncSoon();
      }
    });
    return this.#syncing;
  }

  async close(): Promise<void> {
    this.#unlisten?.();
    await Promise.all([...this.#slots.values()].map((s) => s.tail.catch(() => undefined)));
    await this.#syncing?.catch(() => undefined);
    if (this.options.ownsDatabase) await this.db.close();
  }

  #syncSoon(): void {
    this.sync().catch(() => undefined);
  }

  #slot(channelId: string): Slot {
    const slot = this.#slots.get(channelId);
    if (!slot) throw new StoreError(`unknown channel "${channelId}"`);
    return slot;
  }

  #serial<T>(slot: Slot, fn: () => Promise<T>): Promise<T> {
    const run = slot.tail.then(fn, fn);
    slot.tail = run.catch(() => undefined);
    return run;
  }

  /** Reads one channel as committed. */
  async #load(q: Queryable, channelId: string): Promise<Slot> {
    return (await loadChannels(q, [channelId])).get(channelId)!;
  }
}

/**
 * Reads channels as committed, a few queries for all of them: counters first, so that a concurrent
 * commit can only make a channel look older than it is (the next sync() catches up), never newer.
 */
async function loadChannels(q: Queryable, channelIds: readonly string[]): Promise<Map<string, Slot>> {
  const heads = await q.query<{ channel_id: string; revision: string; states_version: string }>(
    'SELECT channel_id, revision, states_version FROM channels WHERE channel_id = ANY($1::text[])',
    [channelIds],
  );
  const live = await q.query<{ channel_id: string; doc: Item }>('SELECT channel_id, doc FROM items WHERE channel_id = ANY($1::text[]) AND archived_month IS NULL', [
    channelIds,
  ]);
  const states = await q.query<{ channel_id: string; doc: SourceState }>(
    'SELECT channel_id, doc FROM source_states WHERE channel_id = ANY($1::text[]) ORDER BY source_id',
    [channelIds],
  );
  const months = await q.query<{ channel_id: string; m: string }>(
    'SELECT DISTINCT channel_id, archived_month AS m FROM items WHERE channel_id = ANY($1::text[]) AND archived_month IS NOT NULL ORDER BY 1, 2',
    [channelIds],
  );
  const slots = new Map<string, Slot>();
  const group = <R extends { channel_id: string }>(rows: R[]) => {
    const by = new Map<string, R[]>();
    for (const r of rows) {
      const list = by.get(r.channel_id);
      if (list) list.push(r);
      else by.set(r.channel_id, [r]);
    }
    return by;
  };
  const head = new Map(heads.rows.map((r) => [r.channel_id, r]));
  const liveBy = group(live.rows);
  const statesBy = group(states.rows);
  const monthsBy = group(months.rows);
  for (const channelId of channelIds) {
    const items = (liveBy.get(channelId) ?? []).map((r) => r.doc);
    try {
      checkItems(items);
    } catch (err) {
      throw new StoreError(
        `channel "${channelId}" in the database is damaged (${(err as Error).message}) and was not loaded; restore the database from a backup (see docs/deploy.md)`,
      );
    }
    const row = head.get(channelId);
    slots.set(channelId, {
      items: Object.freeze(items.sort(compareItems)),
      revision: Number(row?.revision ?? 0),
      statesVersion: Number(row?.states_version ?? 0),
      states: new Map((statesBy.get(channelId) ?? []).map((r) => [r.doc.sourceId, r.doc])),
      months: (monthsBy.get(channelId) ?? []).map((r) => r.m),
      tail: Promise.resolve(),
    });
  }
  return slots;
}

/** Takes the channel's row lock for the transaction (writers of one channel queue here) and reads its counters. */
async function lockChannel(c: Queryable, channelId: string): Promise<{ revision: number; statesVersion: number }> {
  const { rows } = await c.query<{ revision: string; states_version: string }>(
    'SELECT revision, states_version FROM channels WHERE channel_id = $1 FOR UPDATE',
    [channelId],
  );
  if (rows.length === 0) throw new StoreError(`channel "${channelId}" is not in the database`);
  return { revision: Number(rows[0]!.revision), statesVersion: Number(rows[0]!.states_version) };
}

/** Rows per INSERT of upsertItems, ids per lookup of rowsByIds, rows per page read: each statement's
 *  parameters or result stay a few hundred KB, encoded or parsed within a few milliseconds. */
const UPSERT_ROWS = 500;
const LOOKUP_IDS = 1000;
const READ_ROWS = 500;

/** The rows `sql` (with $1 the channel, $2 a text[] of ids) gives for the items' ids, LOOKUP_IDS ids per statement. */
async function rowsByIds<R extends { [column: string]: unknown }>(c: Queryable, sql: string, channelId: string, items: readonly Item[]): Promise<R[]> {
  const rows: R[] = [];
  for (let at = 0; at < items.length; at += LOOKUP_IDS) {
    const ids = items.slice(at, at + LOOKUP_IDS).map((i) => i.id);
    for (const row of (await c.query<R>(sql, [channelId, ids])).rows) rows.push(row);
  }
  return rows;
}

/**
 * Upserts items as live (archive null) or into the archive under each item's month, UPSERT_ROWS per
 * statement (in the caller's transaction), so that tens of thousands of items are never encoded as one
 * parameter in one synchronous stretch of the serving thread.
 */
async function upsertItems(c: Queryable, channelId: string, items: readonly Item[], to: 'archive' | null): Promise<void> {
  const archive = to === 'archive';
  const sql = `INSERT INTO items (channel_id, id, content_hash, archived_month, archived_hash, doc)
     SELECT $1, x.id, x.content_hash, x.month, ${archive ? 'x.content_hash' : 'NULL'}, x.doc
     FROM jsonb_to_recordset($2::jsonb) AS x(id text, content_hash text, month text, doc jsonb)
     ON CONFLICT (channel_id, id) DO UPDATE SET content_hash = excluded.content_hash, archived_month = excluded.archived_month,
       ${archive ? 'archived_hash = excluded.archived_hash,' : ''} doc = excluded.doc`;
  for (let at = 0; at < items.length; at += UPSERT_ROWS) {
    const rows = items.slice(at, at + UPSERT_ROWS).map((i) => ({ id: i.id, content_hash: i.contentHash, month: archive ? archiveMonthOf(i) : null, doc: i }));
    await c.query(sql, [channelId, JSON.stringify(rows)]);
  }
}
