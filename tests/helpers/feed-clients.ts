import { spawn } from 'node:child_process';
import Parser from 'rss-parser';
import { SaxesParser } from 'saxes';

/** What Universal Feed Parser (Debian's python3-feedparser) reports for one entry. */
export interface FeedparserEntry {
  title?: string;
  link?: string;
  id?: string;
  published?: string;
  updated?: string;
  authors: string[];
  rights?: string;
  license?: string;
  source?: { title?: string; href?: string };
  contributors: string[];
  summary?: string;
}

export interface FeedparserResult {
  bozo: boolean;
  bozoException?: string;
  version: string;
  feed: { title?: string; rights?: string; links: { rel?: string; href?: string }[] };
  entries: FeedparserEntry[];
}

const FEEDPARSER_SCRIPT = String.raw`
import json, sys, time, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', t) if t else None
def lic(e):
    if e.get('license'): return e.get('license')
    for l in e.get('links', []):
        if l.get('rel') == 'license': return l.get('href')
    return None
out = {
  'bozo': bool(d.bozo), 'bozoException': str(d.get('bozo_exception')) if d.bozo else None, 'version': d.version,
  'feed': {'title': d.feed.get('title'), 'rights': d.feed.get('rights'), 'links': [{'rel': l.get('rel'), 'href': l.get('href')} for l in d.feed.get('links', [])]},
  'entries': [{
    'title': e.get('title'), 'link': e.get('link'), 'id': e.get('id'),
    'published': iso(e.get('published_parsed')), 'updated': iso(e.get('updated_parsed')),
    'authors': [a.get('name') for a in e.get('authors', []) if a.get('name')],
    'rights': e.get('rights'), 'license': lic(e),
    'source': ({'title': e.source.get('title'), 'href': e.source.get('href') or e.source.get('link')} if e.get('source') else None),
    'contributors': [c.get('name') for c in e.get('contributors', []) if c.get('name')],
    'summary': e.get('summary'),
  } for e in d.entries],
}
print(json.dumps(out, ensure_ascii=False))
`;

/** Parses a document with Debian's python3-feedparser, as a real feed reader would. */
export function readWithFeedparser(document: string | Buffer): Promise<FeedparserResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', FEEDPARSER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`feedparser exited ${code}: ${err}`));
      const parsed = JSON.parse(out) as FeedparserResult;
      parsed.entries = parsed.entries.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== null))) as FeedparserEntry[];
      resolve(parsed);
    });
    child.stdin.end(document);
  });
}

/** Parses a document with rss-parser, the Node client most services use. */
export function readWithRssParser(document: string): Promise<{ title?: string; items: Record<string, any>[] }> {
  return new Parser({ customFields: { item: [['dc:creator', 'creators', { keepArray: true }], 'dc:rights', 'dc:contributor'] } }).parseString(document);
}

/** Throws unless the document is well-formed, namespace-well-formed XML 1.0 (saxes, strict). */
export function assertWellFormedXml(document: string): void {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: Error | undefined;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.write(document).close();
  if (failure) throw new Error(`not well-formed XML: ${failure.message}`);
}
