// A real PostgreSQL for the tests. With DATABASE_URL set, every database() is a fresh database created
// on that server (and dropped afterwards); otherwise a throw-away cluster is started: initdb in a
// temporary directory, its own port and unix-socket directory, listening on 127.0.0.1 only, run as the
// `postgres` user when the tests run as root (PostgreSQL refuses to run as root), removed on dispose().

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** A URL of the server's maintenance database (postgres). */
  adminUrl: string;
  /** A new, empty database on the server; its URL. Dropped by dispose(). */
  database(): Promise<string>;
  /** Drops the databases made here and, for a cluster of our own, stops it and removes its files. */
  dispose(): Promise<void>;
}

/** Whether a cluster can be started here (the Debian postgresql package is installed). */
export function postgresAvailable(): boolean {
  if (process.env.DATABASE_URL) return true;
  try {
    execFileSync(path.join(BIN, 'initdb'), ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface ClusterOptions {
  /** Keep fsync and full-page writes on, as a production server has them (benchmarks); default off. */
  durable?: boolean;
}

/** The server the tests use: DATABASE_URL's when given, else a cluster of our own. */
export async function startPostgres(options: ClusterOptions = {}): Promise<PostgresServer> {
  const given = process.env.DATABASE_URL;
  if (given) return databasesOn(given, async () => undefined);
  return startCluster(options);
}

async function startCluster(options: ClusterOptions): Promise<PostgresServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'syndicator-pg-'));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : userInfo().username;
  const as = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));
  if (asRoot) {
    const { uid, gid } = postgresIds();
    await chown(root, uid, gid);
  }
  await chmod(root, 0o700);
  const data = path.join(root, 'data');
  const port = await freePort();
  const stopCluster = async () => {
    await as(path.join(BIN, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  // Last resort when a test process ends without dispose(): no cluster is left running.
  const onExit = () => {
    try {
      const args = ['stop', '-D', data, '-m', 'immediate', '-w'];
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', path.join(BIN, 'pg_ctl'), ...args], { stdio: 'ignore' });
      else execFileSync(path.join(BIN, 'pg_ctl'), args, { stdio: 'ignore' });
    } catch {
      // already stopped
    }
  };
  process.once('exit', onExit);
  try {
    await as(path.join(BIN, 'initdb'), ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // fsync off for tests: a test cluster is thrown away, never recovered after a machine crash; COMMIT is still COMMIT.
    const durability = options.durable ? '' : ' -c fsync=off -c full_page_writes=off';
    const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=60${durability}`;
    await as(path.join(BIN, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '60', '-l', path.join(root, 'log'), '-o', serverOptions]);
  } catch (err) {
    process.removeListener('exit', onExit);
    await stopCluster();
    throw err;
  }
  const adminUrl = `postgres://${user}@127.0.0.1:${port}/postgres`;
  return databasesOn(adminUrl, async () => {
    process.removeListener('exit', onExit);
    await stopCluster();
  });
}

function databasesOn(url: string, stop: () => Promise<void>): PostgresServer {
  const made: string[] = [];
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    adminUrl: url,
    async database() {
      const name = `syndicator_test_${randomBytes(6).toString('hex')}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      made.push(name);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async dispose() {
      await admin(async (c) => {
        for (const name of made) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }).catch(() => undefined);
      await stop();
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
