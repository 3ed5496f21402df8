import path from 'node:path';
import { z } from 'zod';

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
}

export const USER_AGENT = 'Syndicator/0.1 (+https://github.com/syndicator/syndicator; feed syndication for enterprise news)';

const intFrom = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `expected at least ${min}` }).max(max, { error: `expected at most ${max}` }));

const schema = z.object({
  PORT: intFrom(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  BASE_URL: z
    .url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL such as https://feeds.example.com' })
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  FEEDS_DIR: z.string().min(1).default('./feeds'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FETCH_TIMEOUT_MS: intFrom(100, 600_000).default(20_000),
  MAX_BODY_BYTES: intFrom(1024, 1024 * 1024 * 1024).default(15 * 1024 * 1024),
  USER_AGENT: z.string().min(1).default(USER_AGENT),
  SHUTDOWN_TIMEOUT_MS: intFrom(0, 600_000).default(30_000),
  PARTNER_RATE_PER_MINUTE: intFrom(1, 1_000_000).default(60),
  WEBSUB_HUB_URL: z.url({ protocol: /^https?$/, error: 'expected the absolute http(s) URL of a WebSub hub' }).optional(),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`config: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

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
    ...(e.WEBSUB_HUB_URL !== undefined && { websubHubUrl: e.WEBSUB_HUB_URL }),
  });
}
