// DATABASE_URL and INGEST_LEASE_MS: a PostgreSQL URL chooses the database backend; anything else is a
// configuration error naming the variable, and leaving it unset keeps the files under DATA_DIR.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/env.js';

test('DATABASE_URL accepts postgres:// and postgresql:// URLs; unset (or empty) means the files', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://syn:pw@db.internal:5432/syndicator' }).databaseUrl, 'postgres://syn:pw@db.internal:5432/syndicator');
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://db.internal/syndicator' }).databaseUrl, 'postgresql://db.internal/syndicator');
  assert.equal(loadConfig({}).databaseUrl, undefined);
  assert.equal(loadConfig({ DATABASE_URL: '' }).databaseUrl, undefined);
  assert.equal(loadConfig({}).ingestLeaseMs, 60_000);
});

test('a DATABASE_URL that is not a PostgreSQL URL, or a bad INGEST_LEASE_MS, stops the start naming the variable', () => {
  for (const [env, expected] of [
    [{ DATABASE_URL: 'mysql://db/syndicator' }, /DATABASE_URL: expected a PostgreSQL URL/],
    [{ DATABASE_URL: 'db.internal:5432' }, /DATABASE_URL: expected a PostgreSQL URL/],
    [{ INGEST_LEASE_MS: '10' }, /INGEST_LEASE_MS: expected at least 1000/],
  ] as const) {
    assert.throws(() => loadConfig(env), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, expected);
      return true;
    });
  }
});
