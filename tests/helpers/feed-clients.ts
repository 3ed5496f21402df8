// Real feed clients reading rendered documents back, as subscribers would: Debian's python3-feedparser
// (Universal Feed Parser) and rss-parser.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Parser from 'rss-parser';

export interface FeedparserEntry {
  title: string | null;
  link: string | null;
  id: string | null;
  /** ISO 8601 UTC, from feedparser's parsed dates. */
  published: string | null;
  updated: string | null;
  authors: string[];
  contributors: string[];
  rights: string | null;
  /** entry.license: feedparser's view of creativeCommons:license and of link rel="license". */
  license: string | null;
  source: { title: string | null; href: string | null } | null;
  tags: string[];
}

export interface FeedparserResult {
  bozo: boolean;
  bozoException: string | null;
  version: string;
  feed: { title: string | null; author: string | null; rights: string | null; license: string | null; updated: string | null };
  entries: FeedparserEntry[];
}

// feedparser's `license` key looks through entry.links for rel="license", which is where both the RSS
// creativeCommons:license element and the Atom license link end up.
const SCRIPT = String.raw`
import json, sys, time, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', t) if t else None
def source(e):
    s = e.get('source')
    if not s: return None
    return {'title': s.get('title'), 'href': s.get('href') or s.get('link')}
print(json.dumps({
    'bozo': bool(d.bozo),
    'bozoException': str(d.get('bozo_exception')) if d.bozo else None,
    'version': d.version,
    'feed': {'title': d.feed.get('title'), 'author': d.feed.get('author'), 'rights': d.feed.get('rights'), 'license': d.feed.get('license'),
             'updated': iso(d.feed.get('updated_parsed'))},
    'entries': [{
        'title': e.get('title'), 'link': e.get('link'), 'id': e.get('id'),
        'published': iso(e.get('published_parsed')), 'updated': iso(e.get('updated_parsed')),
        'authors': [a.get('name') for a in e.get('authors', []) if a.get('name')],
        'contributors': [c.get('name') for c in e.get('contributors', []) if c.get('name')],
        'rights': e.get('rights'), 'license': e.get('license'), 'source': source(e),
        'tags': [t.get('term') for t in e.get('tags', [])],
    } for e in d.entries],
}, ensure_ascii=False))
`;

/** Parses a document with /usr/bin/python3 -m feedparser semantics; rejects if python fails. */
export function readWithFeedparser(document: string | Buffer): Promise<FeedparserResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`feedparser exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as FeedparserResult);
    });
    child.stdin.end(document);
  });
}

export interface RssParserItem {
  title?: string;
  link?: string;
  guid?: string;
  id?: string;
  isoDate?: string;
  creator?: string;
  creators?: string[];
  content?: string;
  'content:encoded'?: string;
  categories?: unknown[];
  rights?: string;
  author?: string;
  'dc:rights'?: string;
  'dc:contributor'?: string;
}

/** Parses a document with rss-parser (RSS and Atom), keeping every dc:creator, dc:rights and dc:contributor. */
export async function readWithRssParser(document: string): Promise<{ title?: string; items: RssParserItem[] }> {
  const parser = new Parser<Record<string, unknown>, { creators: string[]; 'dc:rights': string; 'dc:contributor': string }>({
    customFields: { item: [['dc:creator', 'creators', { keepArray: true }], 'dc:rights', 'dc:contributor'] },
  });
  const out = await parser.parseString(document);
  return { ...(out.title !== undefined && { title: out.title }), items: out.items as RssParserItem[] };
}

/**
 * What every entry of our RSS and Atom feeds must give a feed reader: a title, an absolute http(s)
 * link, a date, rights, a license (under `licensePrefix` when given) and a source; and authors, when it
 * has any, that are people rather than its source outlet (an item that names no author has none).
 */
export function assertEntriesAttributed(entries: readonly FeedparserEntry[], licensePrefix?: string): void {
  for (const e of entries) {
    assert.ok(e.title, `title: ${JSON.stringify(e)}`);
    assert.match(e.link ?? '', /^https?:\/\//, `link for ${e.title}`);
    assert.ok(e.published ?? e.updated, `a date for ${e.title}`);
    assert.ok(e.rights, `rights for ${e.title}`);
    assert.ok(e.license, `license for ${e.title}`);
    assert.ok(licensePrefix === undefined || e.license.startsWith(licensePrefix), `license ${e.license} for ${e.title}`);
    assert.ok(e.source?.title, `source for ${e.title}`);
    assert.ok(!e.authors.includes(e.source!.title!), `the outlet given as the author of ${e.title}: ${e.authors.join(", ")}`);
  }
}
