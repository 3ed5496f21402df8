// `syndicator preview`: one upstream document → the Items an ingest would make of it, stored nowhere.
//
// What the document is: `--type feed|page|list`, else sniffed. A document whose root element is
// <rss>, <feed> or <rdf:RDF> is a feed; any other is an HTML page, and an HTML page without an article
// body that links to at least two article pages is a list. The document named on the command line is
// fetched directly (a one-off request the user asked for); the articles a list links to are fetched
// as an ingest fetches them: robots.txt honoured, one request at a time per host, 1 s apart.

import { readFile } from 'node:fs/promises';
import { load } from 'cheerio';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LIST_DEFAULTS } from '../config/channels.js';
import type { Config } from '../config/env.js';
import { hostPolicy } from '../ingest/deps.js';
import { ExtractError } from '../ingest/errors.js';
import type { Explanation } from '../ingest/page/extract-page.js';
import { feedKind } from '../ingest/feed/parse-feed.js';
import { decodeDocument } from '../ingest/fetch/decode.js';
import { canonicalLink } from '../ingest/ids.js';
import { optional } from '../ingest/optional.js';
import { readListPage } from '../ingest/page/crawl-list.js';
import { collectArticles, fetchFeed, HTML_ACCEPT, type LoadedDocument, readFeed } from '../ingest/pipeline.js';
import type { Channel, Item, ListSource, PageSource } from '../model.js';
import { UsageError } from './support.js';

export type PreviewType = 'feed' | 'page' | 'list';

export class PreviewError extends Error {
  constructor(message: string) {
    super(`preview: ${message}`);
    this.name = 'PreviewError';
  }
}


/**
 * The normalized items of the document at `location` (an http(s) URL, or a file path relative to the
 * current directory), read as `channel` would read it (without one: as previewChannel(), which lends
 * no link). `baseUrl` is the public http(s) address of a local document: its relative links resolve
 * against it as they would against the URL it was fetched from. Without it, a local feed's relative
 * links resolve only against what the feed itself says (its channel link) or, with `channel`, the
 * channel's link; else they are left as written. Rejects with a one-line message when the
 * document cannot be fetched or read, and with a PreviewError when some articles of a list failed
 * (`items` then holds the others).
 */
export async function previewItems(
  location: string,
  opts: { type?: PreviewType; channel?: Channel; baseUrl?: string },
  cfg: Readonly<Config>,
): Promise<{ items: Item[]; failures: string[]; explanations: Map<string, Explanation> }> {
  const result = await readForPreview(location, opts, cfg);
  // A local page read with neither --base-url nor --channel has no public address: its items get no
  // link and its relative links stay relative (root-relative, as the placeholder origin resolved them).
  if (opts.channel !== undefined || opts.baseUrl !== undefined || /^https?:\/\//i.test(location)) return result;
  return { ...result, items: result.items.map(withoutPlaceholder) };
}

/** The origin a local page without an address is read at (RFC 2606 reserves .invalid): never shown. */
const PLACEHOLDER_ORIGIN = 'http://preview.invalid';

function withoutPlaceholder(item: Item): Item {
  const placed = (url: string | undefined) => url !== undefined && url.startsWith(`${PLACEHOLDER_ORIGIN}/`);
  const unplaced = (html: string) => html.replaceAll(`"${PLACEHOLDER_ORIGIN}/`, '"/');
  const { link, ...rest } = item;
  const { url: outletUrl, ...outlet } = rest.attribution.source;
  return {
    ...rest,
    ...(link !== undefined && !placed(link) && { link }),
    ...(rest.contentHtml !== undefined && { contentHtml: unplaced(rest.contentHtml) }),
    attribution: { ...rest.attribution, source: { ...outlet, ...(outletUrl !== undefined && !placed(outletUrl) && { url: outletUrl }) } },
  };
}

async function readForPreview(
  location: string,
  opts: { type?: PreviewType; channel?: Channel; baseUrl?: string },
  cfg: Readonly<Config>,
): Promise<{ items: Item[]; failures: string[]; explanations: Map<string, Explanation> }> {
  const baseUrl = opts.baseUrl === undefined ? undefined : httpBase(opts.baseUrl);
  const channel = opts.channel ?? previewChannel();
  const fetched = await fetchForPreview(location, cfg);
  const { text } = decodeDocument(fetched.body, fetched.contentType);
  const now = new Date();
  const type = opts.type ?? (feedKind(text) ? 'feed' : 'page');
  if (type === 'feed') {
    const local = !/^https?:/i.test(fetched.url);
    const { items } = await readFeed(fetched, {
      channel,
      source: { id: 'preview', type: 'feed', url: location },
      documentUrl: local && baseUrl !== undefined ? baseUrl : fetched.url,
      ...optional('fallbackBase', opts.channel?.link),
      now,
    });
    return { items, failures: [], explanations: new Map(items.map((i) => [i.id, FEED_ENTRY])) };
  }

  // A local document's links are followed inside its own directory.
  const local = fetched.url.startsWith('file:');
  const feedsDir = local ? path.dirname(fileURLToPath(fetched.url)) : cfg.feedsDir;
  const url = local ? path.basename(fileURLToPath(fetched.url)) : location;
  const first: LoadedDocument = { url: fetched.url, text };
  const session = hostPolicy(cfg).session();
  const deps = {
    fetch: (where: string) => session.fetch(where, { feedsDir, delayMs: 1000, accept: HTML_ACCEPT }),
    feedsDir,
    isNew: () => true,
    now,
    first,
  };
  const page: PageSource = { id: 'preview', type: 'page', url, ...optional('baseUrl', baseUrl) };
  const list: ListSource = { id: 'preview', type: 'list', url, ...optional('baseUrl', baseUrl), ...LIST_DEFAULTS };

  const run = async (source: PageSource | ListSource) => {
    const result = await collectArticles(channel, source, deps);
    return { items: result.items, failures: result.failures, explanations: result.explanations };
  };
  if (type === 'list') return run(list);
  try {
    return await run(page);
  } catch (err) {
    if (opts.type === 'page' || !(err instanceof ExtractError)) throw err;
    const publicUrl = canonicalLink(fetched.url) ?? baseUrl ?? channel.link;
    const { links } = await readListPage({ fetchedUrl: fetched.url, publicUrl, html: text }, { feedsDir });
    if (links.length < 2) throw err;
    return run(list);
  }
}

/** `value` as an absolute http(s) URL; a UsageError naming it otherwise. */
function httpBase(value: string): string {
  const url = canonicalLink(value);
  if (url === undefined || !/^https?:\/\//i.test(value.trim())) {
    throw new UsageError(`preview: --base-url must be an absolute http(s) URL, got "${value}"`);
  }
  return url;
}

/** A local path is read relative to the current directory; a URL is fetched with the usual limits. */
async function fetchForPreview(location: string, cfg: Readonly<Config>): Promise<{ body: Buffer; contentType?: string; url: string }> {
  if (/^https?:\/\//i.test(location)) {
    const result = await fetchFeed(location, cfg);
    if (result.kind !== 'ok') throw new PreviewError(`${location} answered 304 Not Modified`);
    return result;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) throw new UsageError(`preview: unsupported location "${location}" (use http, https or a file path)`);
  const file = path.resolve(location);
  try {
    return { body: await readFile(file), url: pathToFileURL(file).href };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PreviewError(`cannot read ${location} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message})`);
  }
}

const FEED_ENTRY: Explanation = { title: 'feed entry', published: 'feed entry', authors: 'feed entry', source: 'feed entry', body: 'feed entry' };

/**
 * `preview --explain`: per item, each field's value and the rule that found it (a configured
 * selector, JSON-LD, meta, a label, a heuristic), so an operator sees which fields need `selectors`.
 */
export function formatExplanations(items: readonly Item[], explanations: ReadonlyMap<string, Explanation>): string {
  const lines: string[] = [];
  const cut = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);
  for (const item of items) {
    const why = explanations.get(item.id) ?? {};
    const $ = load(item.contentHtml ?? '', null, false);
    const paragraphs = $('p').toArray().filter((p) => $(p).text().trim() !== '').length;
    const source = item.attribution.source;
    const rows: [field: string, value: string | undefined, rule: string | undefined][] = [
      ['title', item.title, why.title],
      ['publishedAt', item.publishedAt, why.published],
      ['updatedAt', item.updatedAt, why.updated],
      ['authors', item.attribution.authors.join('、') || undefined, why.authors],
      ['editor', item.attribution.editor, why.editor],
      ['source', `${source.name} (${source.original ? 'original' : 'reprinted'})`, why.source ?? (source.original ? 'no 来源 naming another outlet: the site itself' : undefined)],
      ['categories', item.categories.join(' > ') || undefined, why.categories],
      ['rights', item.rights && cut(item.rights), why.rights],
      ['body', `${paragraphs} paragraph(s), ${$.root().text().replace(/\s/g, '').length} characters`, why.body],
      ['article', why.article ? 'yes' : undefined, why.article],
    ];
    lines.push(item.link ?? `${item.title} (no link)`);
    for (const [field, value, rule] of rows) {
      lines.push(`  ${field.padEnd(12)}${value === undefined ? '(not found)' : cut(value)}${rule ? `\n  ${''.padEnd(12)}← ${rule}` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The channel a preview without --channel reads as: Beijing time, no license rules. */
export function previewChannel(): Channel {
  return {
    id: 'preview',
    title: 'preview',
    description: 'preview',
    language: 'zh-CN',
    link: `${PLACEHOLDER_ORIGIN}/`,
    timezone: 'Asia/Shanghai',
    schedule: '0 * * * *',
    license: 'unspecified',
    licenseRules: [],
    maxItems: 100_000,
    sources: [],
  };
}
