// Reads one conformance case as an ingest would (decode → parse → normalize) and reduces each item to
// the fields the expected files name. Shared by the suite and by the feedparser comparison script.

import { readFileSync } from 'node:fs';
import { decodeDocument } from '../../src/ingest/decode.js';
import { normalizeFeed } from '../../src/ingest/normalize.js';
import { parseFeed } from '../../src/ingest/parse-feed.js';
import { previewChannel } from '../../src/preview.js';
import type { Expected, ExpectedEntry } from './generate.js';

/** The clock of every read: after every date in the suite, so none is "in the future". */
const NOW = new Date('2030-01-01T00:00:00.000Z');

export interface CaseResult {
  count: number;
  entries: Required<ExpectedEntry>[];
  /** Lines about entries that gave no item. */
  notes: string[];
}

export async function readCase(documentPath: string, expected: Pick<Expected, 'url' | 'contentType'>): Promise<CaseResult> {
  const { text } = decodeDocument(readFileSync(documentPath), expected.contentType);
  const notes: string[] = [];
  const items = normalizeFeed(await parseFeed(text), {
    channel: previewChannel(),
    source: { id: 'conformance', type: 'feed', url: expected.url },
    documentUrl: expected.url,
    now: NOW,
    report: (line) => notes.push(line),
  });
  const entries = items.map((item) => {
    // An ingest stamps an undated entry with the time it saw it; that is no date of the upstream's.
    const updatedAt = item.updatedAt === item.ingestedAt ? null : item.updatedAt;
    return {
      title: item.title,
      link: item.link ?? null,
      date: item.publishedAt ?? updatedAt,
      publishedAt: item.publishedAt ?? null,
      updatedAt,
      authors: item.attribution.authors,
    };
  });
  return { count: items.length, entries, notes };
}
