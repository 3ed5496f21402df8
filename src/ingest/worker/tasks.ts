// What runs inside an ingest worker thread: decode → parse → normalize for a feed document, extract →
// normalize for an article page. Inputs and outputs are plain data (structured-cloneable); a typed
// ingest error crosses back as { stage, message } and is rebuilt by worker/pool.ts.

import type { Channel, FeedSource, Item, ListSource, PageSource } from '../../model.js';
import { IngestError, type IngestStage } from '../errors.js';
import { parseFeed, type ParsedFeed } from '../feed/parse-feed.js';
import { decodeDocument } from '../fetch/decode.js';
import { capEntry } from '../limits.js';
import { normalizeFeed, normalizePage } from '../normalize.js';
import { optional } from '../optional.js';
import { extractPage } from '../page/extract-page.js';

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

export interface ArticleTask {
  kind: 'article';
  text: string;
  /** The article's public address. */
  url: string;
  channel: Channel;
  source: ListSource | PageSource;
  now: string;
}

export type Task = FeedTask | ArticleTask;

export type TaskResult =
  | { ok: true; kind: 'feed'; parsed: ParsedFeed; items: Item[]; notes: string[] }
  | { ok: true; kind: 'article'; item: Item }
  | { ok: false; stage: IngestStage; message: string };

/** Runs one task; a typed ingest error is returned as data, anything else is thrown. */
export async function runTask(task: Task): Promise<TaskResult> {
  try {
    if (task.kind === 'feed') {
      const { text, note } = decodeDocument(Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength), task.contentType);
      const notes = note === undefined ? [] : [`charset: ${note}`];
      const parsed = await parseFeed(text);
      if (parsed.problems) notes.push(`not well-formed XML (${parsed.problems[0]}); ${parsed.entries.length} entries read around the errors`);
      const items = normalizeFeed(parsed, {
        channel: task.channel,
        source: task.source,
        documentUrl: task.documentUrl,
        ...optional('fallbackBase', task.fallbackBase),
        now: new Date(task.now),
        report: (line) => notes.push(line),
      });
      return { ok: true, kind: 'feed', parsed, items, notes };
    }
    const { source } = task;
    const page = extractPage(task.text, { url: task.url, ...(source.selectors && { selectors: source.selectors }), ...(source.siteNames && { siteNames: source.siteNames }) });
    const item = normalizePage({ ...page, entry: capEntry(page.entry) }, { channel: task.channel, source, now: new Date(task.now) });
    return { ok: true, kind: 'article', item };
  } catch (err) {
    if (err instanceof IngestError) return { ok: false, stage: err.stage, message: err.message.slice(err.stage.length + 2) };
    throw err;
  }
}
