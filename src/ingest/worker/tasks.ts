// What runs inside an ingest worker thread: decode → parse → normalize for a feed document; decode →
// extract (and find its continuation pages) for an article page; normalize for an extracted article;
// decode → read the links for a list page. Inputs and outputs are plain data (structured-cloneable); a
// typed ingest error crosses back as { stage, message } and is rebuilt by worker/pool.ts.

import { compareItems, type Channel, type FeedSource, type Item, type ListSource, type PageSelectors, type PageSource } from '../../model.js';
import { IngestError, type IngestStage } from '../errors.js';
import { parseFeed, type ParsedFeed } from '../feed/parse-feed.js';
import { decodeDocument } from '../fetch/decode.js';
import { capEntry, MAX_FEED_ENTRIES } from '../limits.js';
import { normalizeFeed, normalizePage } from '../normalize.js';
import { optional } from '../optional.js';
import { continuationHrefs } from '../page/continuation-hrefs.js';
import { extractPage, type ExtractedPage } from '../page/extract-page.js';
import { readListAnchors, type ListAnchors } from '../page/list-anchors.js';
import { readPageText, type PageText } from '../page/page-text.js';

/** An HTML document as fetched (bytes, decoded in the worker) or as already decoded text. */
export type PageContent = { html: string } | { body: Uint8Array; contentType?: string };

export interface FeedTask {
  kind: 'feed';
  body: Uint8Array;
  contentType?: string;
  url: string;
  channel: Channel;
  source: FeedSource;
  /** ISO time of the run. */
  now: string;
  documentUrl: string;
  fallbackBase?: string;
}

/** One page of an article: extracted, and for the first page its continuation pages' hrefs found. */
export interface ArticleTask {
  kind: 'article';
  content: PageContent;
  /** The page's public address. */
  url: string;
  selectors?: PageSelectors;
  siteNames?: readonly string[];
  /** ISO time of the run (dates written without a year are placed before it). */
  now?: string;
  /** The first page of an article: its continuation hrefs are looked for. */
  first: boolean;
}

/** An extracted (and joined) article made an item: sanitized, attributed, capped. */
export interface PageItemTask {
  kind: 'page-item';
  page: ExtractedPage;
  channel: Channel;
  source: ListSource | PageSource;
  now: string;
}

/** A list page's article links and next page, as hrefs (see page/list-anchors.ts). */
export interface ListTask {
  kind: 'list';
  content: PageContent;
  /** The list page's public address. */
  publicUrl: string;
  linkSelector?: string;
  nextSelector?: string;
}

/** Any web page as a reader sees it (page/page-text.ts): a reprint page the attribution checker judges. */
export interface PageTextTask {
  kind: 'page-text';
  content: PageContent;
  /** Where it was fetched from (links resolve against it). */
  url: string;
}

export type Task = FeedTask | ArticleTask | PageItemTask | ListTask | PageTextTask;

/** What the caller needs of a parsed feed besides its items (its entries became the items). */
export type FeedHead = Omit<ParsedFeed, 'entries'>;

export type TaskResult =
  | { ok: true; kind: 'feed'; feed: FeedHead; items: Item[]; notes: string[] }
  | { ok: true; kind: 'article'; page: ExtractedPage; hrefs: string[]; decodeNote?: string }
  | { ok: true; kind: 'page-item'; item: Item }
  | ({ ok: true; kind: 'list'; decodeNote?: string } & ListAnchors)
  | { ok: true; kind: 'page-text'; page: PageText }
  | { ok: false; stage: IngestStage; message: string };

/** A feed's result as a worker sends it back: the items as JSON lines (item-lines.ts), rebuilt by pool.ts. */
export type FeedLines = Omit<Extract<TaskResult, { kind: 'feed' }>, 'items'> & { itemLines: Uint8Array; itemCount: number };

/** The text of `content` and, when its charset was guessed or a declaration overruled, why. */
function decoded(content: PageContent): { text: string; note?: string } {
  if ('html' in content) return { text: content.html };
  const { text, note } = decodeDocument(Buffer.from(content.body.buffer, content.body.byteOffset, content.body.byteLength), content.contentType);
  return { text, ...optional('note', note) };
}

/** Runs one task; a typed ingest error is returned as data, anything else is thrown. */
export async function runTask(task: Task): Promise<TaskResult> {
  try {
    switch (task.kind) {
      case 'feed': {
        const { text, note } = decodeDocument(Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength), task.contentType);
        const notes = note === undefined ? [] : [`charset: ${note}`];
        const parsed = await parseFeed(text);
        if (parsed.problems) notes.push(`not well-formed XML (${parsed.problems[0]}); ${parsed.entries.length} entries read around the errors`);
        const all = normalizeFeed(parsed, {
          channel: task.channel,
          source: task.source,
          documentUrl: task.documentUrl,
          ...optional('fallbackBase', task.fallbackBase),
          now: new Date(task.now),
          report: (line) => notes.push(line),
        });
        const items = all.length > MAX_FEED_ENTRIES ? all.sort(compareItems).slice(0, MAX_FEED_ENTRIES) : all;
        if (items.length < all.length) notes.push(`the feed lists ${all.length} entries; the newest ${MAX_FEED_ENTRIES} were read`);
        const { entries: _entries, ...feed } = parsed;
        return { ok: true, kind: 'feed', feed, items, notes };
      }
      case 'article': {
        const { text, note } = decoded(task.content);
        const page = extractPage(text, {
          url: task.url,
          ...(task.selectors !== undefined && { selectors: task.selectors }),
          ...(task.siteNames !== undefined && { siteNames: task.siteNames }),
          ...(task.now !== undefined && { now: new Date(task.now) }),
        });
        const hrefs = task.first ? continuationHrefs(text, task.url) : [];
        return { ok: true, kind: 'article', page, hrefs, ...optional('decodeNote', note) };
      }
      case 'page-item': {
        const { page } = task;
        const item = normalizePage({ ...page, entry: capEntry(page.entry) }, { channel: task.channel, source: task.source, now: new Date(task.now) });
        return { ok: true, kind: 'page-item', item };
      }
      case 'list': {
        const { text, note } = decoded(task.content);
        const anchors = readListAnchors(text, task.publicUrl, { ...optional('linkSelector', task.linkSelector), ...optional('nextSelector', task.nextSelector) });
        return { ok: true, kind: 'list', ...anchors, ...optional('decodeNote', note) };
      }
      case 'page-text': {
        const { text } = decoded(task.content);
        return { ok: true, kind: 'page-text', page: readPageText(text, task.url) };
      }
    }
  } catch (err) {
    if (err instanceof IngestError) return { ok: false, stage: err.stage, message: err.message.slice(err.stage.length + 2) };
    throw err;
  }
}
