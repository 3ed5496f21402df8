import { displayPath } from './backups.js';
import { SchemaVersionError } from '../store.js';

/**
 * The schema version of every document this store writes (channel documents and archive months). Each
 * file carries it as `schemaVersion`; loading runs the migrations below, in order, from the file's
 * version up to this one, in memory — the file is rewritten at the new version by its next write (and the
 * channel store keeps the file as it was before, as `<file>.schema-v<N>`). A file from a newer build is
 * refused: it is never read as, or written back at, an older version.
 *
 * History:
 *   1  foundation: { schemaVersion, channelId, itemsVersion?, items, sources }
 *   2  `kind` ("channel" | "archive") names what a file holds, and `itemsVersion` is always there
 *      (channel files written before it existed lack it); archive files start at 2.
 *   3  channel documents carry `tombstones` ({ itemId: deletedAt }): items an operator deleted, which
 *      no ingest may add again.
 */
export const SCHEMA_VERSION = 3;

/** One step: turns a document of version `from` into one of version `to` (= from + 1), in place. */
export interface Migration {
  from: number;
  to: number;
  /** What the step changes, for the log and for readers of this file. */
  description: string;
  migrate: (doc: Record<string, unknown>) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    to: 2,
    description: 'name the document kind; itemsVersion becomes required',
    migrate: (doc) => {
      // Version 1 had only channel documents.
      if (doc.kind === undefined) doc.kind = 'channel';
      // An empty token: "never changed since this build first saw it" (the store re-sorts on first read).
      if (typeof doc.itemsVersion !== 'string') doc.itemsVersion = '';
    },
  },
  {
    from: 2,
    to: 3,
    description: 'channel documents gain tombstones (items deleted by an operator)',
    migrate: (doc) => {
      if (doc.kind === 'channel' && (typeof doc.tombstones !== 'object' || doc.tombstones === null)) doc.tombstones = {};
    },
  },
];

export interface Migrated {
  doc: Record<string, unknown>;
  /** The version the file had (equal to the current one when nothing ran). */
  from: number;
}

/**
 * Brings a parsed file up to `current` through `migrations`; throws SchemaVersionError for a newer file,
 * and a plain Error (the file is damaged) for one that has no usable version or no path of migrations.
 */
export function migrate(
  parsed: unknown,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
  current: number = SCHEMA_VERSION,
): Migrated {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('not a store document (expected a JSON object)');
  }
  const doc = parsed as Record<string, unknown>;
  const from = doc.schemaVersion;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    throw new Error(`not a store document (no valid "schemaVersion": ${JSON.stringify(from) ?? 'missing'})`);
  }
  if (from > current) {
    throw new SchemaVersionError(
      `${displayPath(file)} has schema version ${from}, newer than this build reads (${current}): it was written by a newer Syndicator; run that version (this one never downgrades a file)`,
    );
  }
  let version = from;
  while (version < current) {
    const step = migrations.find((m) => m.from === version);
    if (!step) throw new Error(`no migration from schema version ${version} to ${current}`);
    step.migrate(doc);
    version = step.to;
    doc.schemaVersion = version;
  }
  return { doc, from };
}
