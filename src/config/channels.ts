import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import cron from 'node-cron';
// zod's v3 API (shipped inside the zod package): it loads in a tenth of the time of the v4 one, and the
// configuration is read by every command (`check`, `status` start within 0.3 s: docs/benchmarks.md).
import { z } from 'zod/v3';
import { type Channel, type License, PROHIBITABLE_ACTIONS } from '../model.js';
import { parseMaxAge } from '../store/retention.js';
import { isUrlWithScheme } from './env.js';

/** One problem in feeds/: the file, the field (dotted path, '' for the whole file) and what is wrong. */
export interface FeedsProblem {
  file: string;
  field: string;
  message: string;
}

export interface FeedsConfig {
  channels: Channel[];
  licenses: Map<string, License>;
  /** Channel files that failed validation are left out of `channels`; their problems are here. */
  problems: FeedsProblem[];
}

/** How many list pages and new articles a list source follows when its file does not say. */
export const LIST_DEFAULTS = { maxPages: 3, maxNewArticles: 20 } as const;

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, {
  message: 'expected a lowercase slug (a-z, 0-9, -), at most 64 characters',
});
const absoluteUrl = z.string().refine((v) => isUrlWithScheme(v, /^https?$/), { message: 'expected an absolute http(s) URL' });
const text = z.string().trim().min(1, { message: 'must not be empty' });

const timeZone = z.string().refine(isTimeZone, { message: 'expected an IANA time zone such as Asia/Shanghai' });

const licenseSchema = z.strictObject({
  id: slug,
  title: text,
  holder: text,
  holderIsSource: z.boolean().optional(),
  statement: text,
  url: absoluteUrl.optional(),
  reprint: z.strictObject({
    permission: z.enum(['free', 'attribution', 'written-authorization', 'prohibited']),
    attributionTemplate: text.optional(),
    contact: text.optional(),
    prohibited: z.array(z.enum(PROHIBITABLE_ACTIONS)).optional(),
  }),
  publicContent: z.enum(['full', 'excerpt']),
});

const location = z.string().refine(isFeedLocation, {
  message: 'expected an http(s) URL or a path relative to the feeds directory',
});
const outlet = z.strictObject({ name: text, url: absoluteUrl.optional() });

const feedSourceSchema = z.strictObject({
  id: slug,
  type: z.literal('feed'),
  url: location,
  outlet: outlet.optional(),
  timezone: timeZone.optional(),
});

// A selector must parse: a typo would otherwise silently match nothing on every run.
const selector = text.refine(isSelector, { message: 'expected a valid CSS selector' });

const pageSelectorsSchema = z.strictObject({
  title: selector.optional(),
  date: selector.optional(),
  authors: selector.optional(),
  editor: selector.optional(),
  source: selector.optional(),
  body: selector.optional(),
  remove: z.array(selector).min(1).optional(),
});

const articleSourceFields = {
  id: slug,
  url: location,
  baseUrl: absoluteUrl.optional(),
  selectors: pageSelectorsSchema.optional(),
  siteNames: z.array(text).min(1).optional(),
  outlet: outlet.optional(),
  timezone: timeZone.optional(),
  refetch: z.boolean().optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
};

const listSourceSchema = z.strictObject({
  ...articleSourceFields,
  type: z.literal('list'),
  linkSelector: selector.optional(),
  nextSelector: selector.optional(),
  maxPages: z.number().int().min(1).max(100).default(LIST_DEFAULTS.maxPages),
  maxNewArticles: z.number().int().min(1).max(1000).default(LIST_DEFAULTS.maxNewArticles),
});

const pageSourceSchema = z.strictObject({ ...articleSourceFields, type: z.literal('page') });

const sourceSchema = z.discriminatedUnion('type', [feedSourceSchema, listSourceSchema, pageSourceSchema], {
  errorMap: (issue, ctx) => (issue.code === 'invalid_union_discriminator' ? { message: 'expected "type" to be "feed", "list" or "page"' } : { message: ctx.defaultError }),
});

const channelSchema = z.strictObject({
  id: slug,
  title: text,
  description: text,
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'expected a language tag such as zh-CN' }),
  link: absoluteUrl,
  timezone: timeZone.default('Asia/Shanghai'),
  schedule: z.string().refine((s) => cron.validate(s), {
    message: 'expected a cron expression such as "*/30 * * * *"',
  }),
  license: slug,
  licenseRules: z
    .array(
      z.strictObject({
        when: z.strictObject({
          original: z.boolean().optional(),
          sourceNames: z.array(text).min(1).optional(),
          sourceIds: z.array(slug).min(1).optional(),
        }),
        license: slug,
      }),
    )
    .default([]),
  maxItems: z.number().int().min(1).max(100_000).default(500),
  maxAge: z
    .string()
    .refine((v) => parseMaxAge(v) !== undefined, { message: 'expected a duration such as "90d": a whole number and h, d or w' })
    .optional(),
  sources: z.array(sourceSchema).min(1, { message: 'a channel needs at least one source' }),
});

/**
 * Reads and validates every `<channel>.json` and `licenses/<id>.json` under feedsDir.
 * A bad channel file is reported and left out; the other channels still load.
 */
export async function loadFeeds(feedsDir: string): Promise<FeedsConfig> {
  const problems: FeedsProblem[] = [];
  const licenses = new Map<string, License>();

  for (const file of await jsonFiles(path.join(feedsDir, 'licenses'))) {
    const license = await readValidated(file, licenseSchema, problems);
    if (!license) continue;
    if (license.id !== path.basename(file, '.json')) {
      problems.push({ file, field: 'id', message: `must match the file name ("${path.basename(file, '.json')}")` });
      continue;
    }
    licenses.set(license.id, license);
  }

  const channels: Channel[] = [];
  const channelFiles = await jsonFiles(feedsDir);
  if (channelFiles.length === 0) {
    problems.push({ file: feedsDir, field: '', message: 'no channel files (*.json) found' });
  }
  for (const file of channelFiles) {
    const channel = await readValidated(file, channelSchema, problems);
    if (!channel) continue;
    const found = crossCheck(channel, path.basename(file, '.json'), licenses).map((p) => ({ file, ...p }));
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    const maxAgeMs = channel.maxAge === undefined ? undefined : parseMaxAge(channel.maxAge);
    channels.push(maxAgeMs === undefined ? channel : { ...channel, maxAgeMs });
  }
  return { channels, licenses, problems };
}

/** Formats problems as one line each: `feeds/x.json: sources.0.url: expected …`. */
export function formatProblems(problems: readonly FeedsProblem[], relativeTo = process.cwd()): string[] {
  return problems.map((p) => {
    const file = path.relative(relativeTo, p.file) || p.file;
    return p.field ? `${file}: ${p.field}: ${p.message}` : `${file}: ${p.message}`;
  });
}

async function readValidated<T>(file: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, problems: FeedsProblem[]): Promise<T | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    problems.push({ file, field: '', message: `not valid JSON (${(err as Error).message})` });
    return undefined;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ file, field: issue.path.join('.'), message: issue.message });
    }
    return undefined;
  }
  return result.data;
}

function crossCheck(channel: Channel, basename: string, licenses: Map<string, License>): Omit<FeedsProblem, 'file'>[] {
  const found: Omit<FeedsProblem, 'file'>[] = [];
  if (channel.id !== basename) found.push({ field: 'id', message: `must match the file name ("${basename}")` });
  if (!licenses.has(channel.license)) {
    found.push({ field: 'license', message: `no license "${channel.license}" in licenses/` });
  }
  channel.licenseRules.forEach((rule, i) => {
    if (!licenses.has(rule.license)) {
      found.push({ field: `licenseRules.${i}.license`, message: `no license "${rule.license}" in licenses/` });
    }
  });
  const seen = new Set<string>();
  channel.sources.forEach((source, i) => {
    if (seen.has(source.id)) found.push({ field: `sources.${i}.id`, message: `duplicate source id "${source.id}"` });
    seen.add(source.id);
  });
  return found;
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

// The zones ICU lists, checked first: building an Intl.DateTimeFormat costs ~25 ms the first time (its
// locale data), a tenth of `syndicator check`. Aliases it does not list (UTC, Etc/GMT+8) are tried so.
let listedZones: ReadonlySet<string> | undefined;

function isTimeZone(zone: string): boolean {
  listedZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (listedZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// cheerio is loaded only when a channel has a selector to check: `syndicator check` of channels
// without page sources stays fast.
let cheerio: typeof import('cheerio') | undefined;

function isSelector(selector: string): boolean {
  try {
    cheerio ??= createRequire(import.meta.url)('cheerio') as typeof import('cheerio');
    cheerio.load('')(selector);
    return true;
  } catch {
    return false;
  }
}

function isFeedLocation(location: string): boolean {
  if (/^https?:\/\//i.test(location)) return URL.canParse(location);
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return false;
  return location.length > 0 && !path.isAbsolute(location) && !location.split(/[\\/]/).includes('..');
}
