// `syndicator preview`: one upstream document → the Items an ingest would make of it, stored nowhere.
//
// What the document is: `--type feed|page|list`, else sniffed. A document whose root element is
// <rss>, <feed> or <rdf:RDF> is a feed; any other is an HTML page, and an HTML page without an article
// body that links to at least two article pages is a list. The document named on the command line is
// fetched directly (a one-off request the user asked for); the articles a list links to are fetched
// as an ingest fetches them: robots.txt honoured, one request at a time per host, 1 s apart.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LIST_DEFAULTS } from '../config/channels.js';
import type { Config } from '../config/env.js';
import { hostPolicy } from '../ingest/deps.js';
import { ExtractError } from '../ingest/errors.js';
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
): Promise<{ items: Item[]; failures: string[] }> {
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
    return { items, failures: [] };
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
    return { items: result.items, failures: result.failures };
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

/** The channel a preview without --channel reads as: Beijing time, no license rules. */
export function previewChannel(): Channel {
  return {
    id: 'preview',
    title: 'preview',
    description: 'preview',
    language: 'zh-CN',
    link: 'http://localhost/',
    timezone: 'Asia/Shanghai',
    schedule: '0 * * * *',
    license: 'unspecified',
    licenseRules: [],
    maxItems: 100_000,
    sources: [],
  };
}
