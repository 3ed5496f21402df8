// The layout corpus (tests/fixtures/corpus): every page with its expected facts, read the way an
// ingest reads it (decode with the served Content-Type, extract, join continuation pages, normalize),
// and each fact compared. Shared by tests/ingest/corpus.test.ts and the pass-rate report
// (`npm run corpus`).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'cheerio';
import { readListPage } from '../../src/ingest/page/crawl-list.js';
import { readArticle } from '../../src/ingest/pipeline.js';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';
import { extractPage } from '../../src/ingest/page/extract-page.js';
import { canonicalLink } from '../../src/ingest/ids.js';
import { normalizePage } from '../../src/ingest/normalize.js';
import type { Channel, Item, PageSource } from '../../src/model.js';
import { ROOT } from './temp.js';

export const CORPUS = path.join(ROOT, 'tests/fixtures/corpus');

interface Common {
  family: string;
  url: string;
  /** The Content-Type the page is served with. */
  contentType: string;
  /** The charset decodeDocument must settle on. */
  charset: string;
}
export interface ArticleFacts extends Common {
  kind: 'article';
  /** Continuation pages: public URL → file. */
  pages?: Record<string, string>;
  title: string;
  publishedAt: string | null;
  authors: string[];
  editor: string | null;
  source: { name?: string; original: boolean };
  paragraphs: number;
  images?: string[];
  includes: string[];
  excludes: string[];
}
export interface RefusedFacts extends Common {
  kind: 'not-article';
}
export interface ListFacts extends Common {
  kind: 'list';
  links: string[];
  next?: string;
}
export type Expected = ArticleFacts | RefusedFacts | ListFacts;

export interface Fact {
  name: string;
  ok: boolean;
  expected: unknown;
  actual: unknown;
}
export interface PageResult {
  file: string;
  expected: Expected;
  facts: Fact[];
}

const channel: Channel = {
  id: 'corpus',
  title: 'corpus',
  description: 'corpus',
  language: 'zh-CN',
  link: 'http://corpus.example/',
  timezone: 'Asia/Shanghai',
  schedule: '0 * * * *',
  license: 'own',
  licenseRules: [{ when: { original: false }, license: 'reprinted' }],
  maxItems: 1000,
  sources: [],
};
/** The crawl's clock: a year-less date (03-05 08:05) is read in the year before this. */
const NOW = new Date('2021-12-01T00:00:00.000Z');

/** Every page of the corpus with an expected-facts file, by name. */
export function corpusPages(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.slice(0, -'.expected.json'.length))
    .sort();
}

export function expectedOf(name: string): Expected {
  return JSON.parse(readFileSync(path.join(CORPUS, `${name}.expected.json`), 'utf8')) as Expected;
}

function decodeFile(file: string, contentType: string) {
  return decodeDocument(readFileSync(path.join(CORPUS, file)), contentType);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Reads one page and compares every expected fact. Never throws: a failure is a failed fact. */
export async function checkPage(name: string): Promise<PageResult> {
  const expected = expectedOf(name);
  const facts: Fact[] = [];
  const fact = (factName: string, exp: unknown, actual: unknown, ok = same(exp, actual)) => facts.push({ name: factName, ok, expected: exp, actual });
  const decoded = decodeFile(`${name}.html`, expected.contentType);
  fact('charset', expected.charset, decoded.charset);

  if (expected.kind === 'list') {
    let refused = false;
    try {
      extractPage(decoded.text, { url: expected.url });
    } catch {
      refused = true;
    }
    fact('refused as an article', true, refused);
    const { links, next } = await readListPage({ fetchedUrl: expected.url, publicUrl: expected.url, html: decoded.text }, { feedsDir: ROOT });
    fact('article links', expected.links, links.map((l) => l.url));
    fact('next page', expected.next && canonicalLink(expected.next), next?.url);
    return { file: name, expected, facts };
  }

  if (expected.kind === 'not-article') {
    let error = '';
    try {
      extractPage(decoded.text, { url: expected.url });
    } catch (err) {
      error = (err as Error).message;
    }
    fact('refused as an article', true, error.includes('no article body found'));
    return { file: name, expected, facts };
  }

  let item: Item;
  try {
    const source: PageSource = { id: 'corpus', type: 'page', url: expected.url };
    const { page } = await readArticle({ html: decoded.text }, { url: expected.url, now: NOW }, async (href) => {
      const url = canonicalLink(href, expected.url) ?? href;
      const file = expected.pages?.[url];
      if (!file) throw new Error(`no corpus file for ${url}`);
      return { html: decodeFile(file, expected.contentType).text };
    });
    item = normalizePage(page, { channel, source, now: NOW });
  } catch (err) {
    fact('extracted', 'an item', (err as Error).message, false);
    return { file: name, expected, facts };
  }
  const $ = load(item.contentHtml ?? '', null, false);
  const paragraphs = $('p').toArray().filter((p) => $(p).text().trim() !== '').length;
  const text = $.root().text();
  fact('title', expected.title, item.title);
  fact('publishedAt', expected.publishedAt, item.publishedAt ?? null);
  fact('authors', expected.authors, item.attribution.authors);
  fact('editor', expected.editor, item.attribution.editor ?? null);
  fact('original', expected.source.original, item.attribution.source.original);
  if (expected.source.name !== undefined) fact('source', expected.source.name, item.attribution.source.name);
  fact('paragraphs', expected.paragraphs, paragraphs);
  if (expected.images) fact('images', expected.images, $('img').toArray().map((i) => $(i).attr('src')));
  for (const want of expected.includes) fact(`has "${want}"`, true, text.includes(want));
  for (const junk of expected.excludes) fact(`lacks "${junk}"`, false, text.includes(junk));
  return { file: name, expected, facts };
}
