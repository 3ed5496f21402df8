import path from 'node:path';
// zod's v3 API, as in channels.ts (it loads in a tenth of the time of v4's; every command reads this).
import { z } from 'zod/v3';
import { ConfigError } from './config-error.js';

/** Everything the process reads from its environment, validated once at start and frozen. */
export interface Config {
  port: number;
  host: string;
  /** Public origin used in self links and license URLs; no trailing slash. */
  baseUrl: string;
  dataDir: string;
  feedsDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  fetchTimeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
  /** How long SIGTERM waits for a running ingest before exiting anyway. */
  shutdownTimeoutMs: number;
  /** Partner feed requests each partner may make per minute (a token bucket; bursts up to this many). */
  partnerRatePerMinute: number;
  /** WebSub hub to announce in public feeds and to ping after an ingest changes a channel. */
  websubHubUrl?: string;
  /** Bytes of rendered feed documents the output cache keeps (each counted with room for its compressed forms). */
  outputCacheBytes: number;
  /** Most items in one RFC 5005 archive document; a month with more is split into parts. */
  archivePageItems: number;
  /** PostgreSQL to keep everything in (several instances may share it); absent: the files under dataDir. */
  databaseUrl?: string;
  /** With a database: how long an ingest lease lasts without renewal (a killed holder loses it after this). */
  ingestLeaseMs: number;
  /** How long a client's kept-alive connection may stay idle before the server closes it. */
  keepAliveTimeoutMs: number;
}

export const USER_AGENT = 'Syndicator/0.1 (+https://github.com/syndicator/syndicator; feed syndication for enterprise news)';

/** Whether `value` is an absolute URL whose scheme (without its colon) `scheme` matches. */
export function isUrlWithScheme(value: string, scheme: RegExp): boolean {
  try {
    return scheme.test(new URL(value).protocol.slice(0, -1));
  } catch {
    return false;
  }
}

const urlOf = (scheme: RegExp, message: string) => z.string().refine((v) => isUrlWithScheme(v, scheme), { message });

/** A whole number in [min, max] written as a string; `fallback` when the variable is unset. */
const intFrom = (min: number, max: number) => ({
  default: (fallback: number) =>
    z
      .string()
      .regex(/^\d+$/, { message: 'expected a whole number' })
      .transform(Number)
      .pipe(z.number().int().min(min, { message: `expected at least ${min}` }).max(max, { message: `expected at most ${max}` }))
      .optional()
      .transform((n) => n ?? fallback),
});

const schema = z.object({
  PORT: intFrom(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  BASE_URL: urlOf(/^https?$/, 'expected an absolute http(s) URL such as https://feeds.example.com').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  FEEDS_DIR: z.string().min(1).default('./feeds'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FETCH_TIMEOUT_MS: intFrom(100, 600_000).default(20_000),
  MAX_BODY_BYTES: intFrom(1024, 1024 * 1024 * 1024).default(15 * 1024 * 1024),
  USER_AGENT: z.string().min(1).default(USER_AGENT),
  SHUTDOWN_TIMEOUT_MS: intFrom(0, 600_000).default(30_000),
  PARTNER_RATE_PER_MINUTE: intFrom(1, 1_000_000).default(60),
  OUTPUT_CACHE_BYTES: intFrom(1024 * 1024, 64 * 1024 * 1024 * 1024).default(128 * 1024 * 1024),
  ARCHIVE_PAGE_ITEMS: intFrom(10, 10_000).default(300),
  WEBSUB_HUB_URL: urlOf(/^https?$/, 'expected the absolute http(s) URL of a WebSub hub').optional(),
  DATABASE_URL: urlOf(/^postgres(ql)?$/, 'expected a PostgreSQL URL such as postgres://user:password@host:5432/syndicator').optional(),
  INGEST_LEASE_MS: intFrom(1000, 3_600_000).default(60_000),
  KEEP_ALIVE_TIMEOUT_MS: intFrom(1000, 3_600_000).default(5000),
});

export { ConfigError };

/** Reads the environment; throws ConfigError naming every bad variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== '')),
  );
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const hostForUrl = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  const baseUrl = (e.BASE_URL ?? `http://${hostForUrl}:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    dataDir: path.resolve(e.DATA_DIR),
    feedsDir: path.resolve(e.FEEDS_DIR),
    logLevel: e.LOG_LEVEL,
    fetchTimeoutMs: e.FETCH_TIMEOUT_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    userAgent: e.USER_AGENT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    partnerRatePerMinute: e.PARTNER_RATE_PER_MINUTE,
    outputCacheBytes: e.OUTPUT_CACHE_BYTES,
    archivePageItems: e.ARCHIVE_PAGE_ITEMS,
    ...(e.WEBSUB_HUB_URL !== undefined && { websubHubUrl: e.WEBSUB_HUB_URL }),
    ...(e.DATABASE_URL !== undefined && { databaseUrl: e.DATABASE_URL }),
    ingestLeaseMs: e.INGEST_LEASE_MS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
  });
}
