// The scaffolding of a contract suite run against every storage backend (the Store contract and the
// ReprintStore contract): the files backend in a temp dir, and PostgreSQL on a throw-away cluster when
// the machine has one (else one skipped test says why). A suite only says how to open, damage and
// dispose of its store in a fresh place.
import pg from 'pg';
import { after, before, describe, test } from 'node:test';
import { postgresAvailable, type PostgresServer, startPostgres } from './postgres.js';
import { tempDir } from './temp.js';

/** One backend's data in a fresh place. */
export interface Place {
  dispose(): Promise<void>;
}

export interface StoreBackend<P extends Place> {
  name: string;
  place(): Promise<P>;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

/** The files backend: `make` gets a fresh temp dir (removed after `dispose` of the place it returns). */
export function filesBackend<P extends Place>(name: string, make: (dir: string) => P): StoreBackend<P> {
  return {
    name,
    async place() {
      const { dir, dispose } = await tempDir();
      const p = make(dir);
      return {
        ...p,
        dispose: async () => {
          await p.dispose();
          await dispose();
        },
      };
    },
  };
}

/** The PostgreSQL backend: `make` gets a fresh database's URL and `sql`, one statement on its own connection. */
export function postgresBackend<P extends Place>(name: string, make: (url: string, sql: (text: string) => Promise<void>) => P): StoreBackend<P> {
  let server: PostgresServer | undefined;
  return {
    name,
    setup: async () => {
      server = await startPostgres();
    },
    teardown: async () => {
      await server?.dispose();
    },
    async place() {
      const url = await server!.database();
      const sql = async (text: string) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(text);
        } finally {
          await c.end();
        }
      };
      return make(url, sql);
    },
  };
}

/**
 * Runs `suite` once per backend, in a describe named `${title}: ${backend}`; `place(t)` gives the test a
 * fresh place, disposed of when the test ends.
 */
export function forEachBackend<P extends Place>(
  title: string,
  files: StoreBackend<P>,
  postgres: StoreBackend<P>,
  suite: (place: (t: { after: (fn: () => Promise<void>) => void }) => Promise<P>) => void,
): void {
  if (!postgresAvailable()) test('postgres backend', { skip: 'no PostgreSQL: install Debian postgresql-15 or set DATABASE_URL' }, () => undefined);
  for (const backend of [files, ...(postgresAvailable() ? [postgres] : [])]) {
    describe(`${title}: ${backend.name}`, () => {
      before(async () => backend.setup?.());
      after(async () => backend.teardown?.());
      suite(async (t) => {
        const p = await backend.place();
        t.after(() => p.dispose());
        return p;
      });
    });
  }
}
