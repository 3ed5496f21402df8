// Reads one conformance case as an ingest does (ingest/pipeline.ts readFeed: decode → parse → normalize) and reduces each item to
// the fields the expected files name. Shared by the suite and by the feedparser comparison script.

import { readFileSync } from 'node:fs';
import { previewChannel } from '../../src/cli/preview.js';
import { readFeed } from '../../src/ingest/pipeline.js';
import type { Expected, ExpectedEntry } from './generate.js';

/** The clock of every read: after every date in the suite, so none is "in the future". */
const NOW = new Date('2030-01-01T00:00:00.000Z');

export interface CaseResult {
  count: number;
  entries: Required<ExpectedEntry>[];
  /** What the pipeline noted: charset overruled, XML errors read around, entries dropped. */
  notes: string[];
}

export async function readCase(documentPath: string, expected: Pick<Expected, 'url' | 'contentType'>): Promise<CaseResult> {
  const { items, notes } = await readFeed(
    { body: readFileSync(documentPath), url: expected.url, ...(expected.contentType !== undefined && { contentType: expected.contentType }) },
    { channel: previewChannel(), source: { id: 'conformance', type: 'feed', url: expected.url }, now: NOW },
  );
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
