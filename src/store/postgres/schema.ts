// The PostgreSQL schema as versioned SQL migrations. Each entry is applied once, in order, inside the one
// transaction that database.ts runs under an advisory lock; schema_migrations records what was applied.
// Never edit an entry that has shipped: add the next version. A new feature that keeps data of its own
// (its tables, and their names in TABLES below so that a missing one counts as damage) is the next entry.

export interface SqlMigration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
-- One row per channel: the revision moves whenever the channel's items (live or archived) change;
-- states_version whenever a source state does. Both are what every instance's sync() compares.
CREATE TABLE channels (
  channel_id     text PRIMARY KEY,
  revision       bigint NOT NULL DEFAULT 0,
  states_version bigint NOT NULL DEFAULT 0
);

-- Live and archived items in one table: archived_month is NULL for a live item, so retention is an
-- UPDATE that sets it, never a DELETE. archived_hash is the contentHash of the copy in the archive
-- (kept while an archived item is live again, so archiving it again unchanged writes nothing new).
CREATE TABLE items (
  channel_id     text NOT NULL REFERENCES channels (channel_id),
  id             text NOT NULL,
  content_hash   text NOT NULL,
  archived_month text CHECK (archived_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  archived_hash  text,
  doc            jsonb NOT NULL,
  PRIMARY KEY (channel_id, id)
);
CREATE INDEX items_archive ON items (channel_id, archived_month) WHERE archived_month IS NOT NULL;

CREATE TABLE source_states (
  channel_id text NOT NULL REFERENCES channels (channel_id),
  source_id  text NOT NULL,
  doc        jsonb NOT NULL,
  PRIMARY KEY (channel_id, source_id)
);

-- Items an operator deleted: apply() never adds them again.
CREATE TABLE tombstones (
  channel_id text NOT NULL REFERENCES channels (channel_id),
  item_id    text NOT NULL,
  deleted_at timestamptz NOT NULL,
  PRIMARY KEY (channel_id, item_id)
);

-- Partners and their keys: only the sha256 of a key is kept. Nothing is deleted: the ledger names them.
CREATE TABLE partners (
  seq        bigserial UNIQUE,
  id         text PRIMARY KEY,
  name       text NOT NULL,
  key_hash   text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  rotated_at timestamptz
);
-- Every key a partner was given, by hash (the current one is partners.key_hash): shows when a key was retired.
CREATE TABLE partner_keys (
  key_hash   text PRIMARY KEY CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  partner_id text NOT NULL REFERENCES partners (id),
  created_at timestamptz NOT NULL,
  retired_at timestamptz
);
CREATE TABLE grants (
  seq        bigserial UNIQUE,
  id         text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partners (id),
  channel_id text NOT NULL,
  content    text NOT NULL CHECK (content IN ('full', 'excerpt')),
  until      timestamptz,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
-- Moves on every change of partners or grants, so sync() reloads them only then.
CREATE TABLE registry_revision (
  one      boolean PRIMARY KEY DEFAULT true CHECK (one),
  revision bigint NOT NULL
);
INSERT INTO registry_revision VALUES (true, 0);

-- The reprint ledger: one row per partner delivery, insert-only. UPDATE, DELETE and TRUNCATE are
-- revoked from every role but the owner's grants, and refused by triggers even for the owner.
CREATE TABLE ledger (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL,
  partner_id    text NOT NULL,
  channel_id    text NOT NULL,
  format        text NOT NULL,
  grant_id      text NOT NULL,
  item_ids      text[] NOT NULL,
  content_level text NOT NULL CHECK (content_level IN ('full', 'excerpt'))
);
CREATE INDEX ledger_partner_at ON ledger (partner_id, at);
CREATE FUNCTION ledger_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the reprint ledger is insert-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_insert_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger FOR EACH STATEMENT EXECUTE FUNCTION ledger_insert_only();
REVOKE UPDATE, DELETE, TRUNCATE ON ledger FROM PUBLIC;

-- Partner rate limits shared by every instance: one token bucket per partner.
CREATE TABLE partner_rate (
  partner_id text PRIMARY KEY,
  tokens     double precision NOT NULL,
  at         timestamptz NOT NULL
);

-- Subscriber statistics (see http/subscribers.ts): clients by salted hash, hosted readers' reports.
CREATE TABLE subscriber_clients (
  channel_id  text NOT NULL,
  format      text NOT NULL,
  client_hash text NOT NULL,
  last_seen   timestamptz NOT NULL,
  PRIMARY KEY (channel_id, format, client_hash)
);
CREATE TABLE subscriber_hosted (
  channel_id  text NOT NULL,
  format      text NOT NULL,
  reader      text NOT NULL,
  report      jsonb NOT NULL,
  PRIMARY KEY (channel_id, format, reader)
);
CREATE TABLE subscriber_salt (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  salt text NOT NULL
);

-- Per-channel ingest leases: a scheduled run is claimed once across instances; a holder that dies
-- stops renewing and loses the lease when it expires.
CREATE TABLE ingest_leases (
  channel_id      text PRIMARY KEY,
  holder          text NOT NULL,
  expires_at      timestamptz NOT NULL,
  last_tick       text,
  last_started_at timestamptz NOT NULL
);

-- Per-host politeness across instances: when the last request to a host ended.
CREATE TABLE host_politeness (
  host     text PRIMARY KEY,
  last_end timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'reprint reports',
    sql: `
-- Reprint reports (store/reprints.ts): the whole report, its newest checks included, as one document;
-- the columns beside it are what the filters and the order use. recordCheck locks the row.
CREATE TABLE reprint_reports (
  seq           bigserial UNIQUE,
  id            text PRIMARY KEY,
  partner_id    text NOT NULL,
  item_id       text NOT NULL,
  reported_at   timestamptz NOT NULL,
  next_check_at timestamptz NOT NULL,
  doc           jsonb NOT NULL
);
CREATE INDEX reprint_reports_partner ON reprint_reports (partner_id);
CREATE INDEX reprint_reports_item ON reprint_reports (item_id);
CREATE INDEX reprint_reports_due ON reprint_reports (next_check_at);
`,
  },
];

/** The schema version this build writes and reads. */
export const PG_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The tables this build needs; a database missing one is damaged. */
export const TABLES = [
  'channels',
  'items',
  'source_states',
  'tombstones',
  'partners',
  'partner_keys',
  'grants',
  'registry_revision',
  'ledger',
  'partner_rate',
  'subscriber_clients',
  'subscriber_hosted',
  'subscriber_salt',
  'ingest_leases',
  'host_politeness',
  'reprint_reports',
] as const;
