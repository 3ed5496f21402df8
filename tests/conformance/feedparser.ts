// `npm run conformance:feedparser`: runs every document of the conformance suite through Universal
// Feed Parser (Debian's python3-feedparser) and through our ingest, and reports agreement per field.
// A field where feedparser differs from the expected value is either a documented choice (the case's
// `choices` says why we read it differently) or unexplained (to investigate: our expectation or
// feedparser's quirk); a field where we differ from the expected value is our bug.
//
// Values are compared after the reductions a reader's eye makes: titles as plain text (feedparser's
// HTML titles stripped of tags and entities) with whitespace collapsed; dates to the second.
// `--markdown` prints the summary as a Markdown table (as in docs/conformance.md); `--choices` lists
// every documented choice that applied.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Expected } from './generate.js';
import { readCase } from './read-case.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cases');
const FIELDS = ['count', 'title', 'link', 'date', 'authors'] as const;
type Field = (typeof FIELDS)[number];

const PYTHON = `
import calendar, html, json, re, sys, time
from html.parser import HTMLParser
import feedparser

class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
    def handle_data(self, data):
        self.parts.append(data)

def plain(detail, value):
    if value is None:
        return None
    if detail and 'html' in (detail.get('type') or ''):
        p = Text()
        p.feed(value)
        p.close()
        value = ''.join(p.parts)
    return value

def iso(t):
    return None if not t else time.strftime('%Y-%m-%dT%H:%M:%S', t) + 'Z'

out = []
for case in json.load(sys.stdin):
    with open(case['path'], 'rb') as f:
        data = f.read()
    headers = {'content-location': case['url'], 'content-type': case['contentType']}
    try:
        d = feedparser.parse(data, response_headers=headers)
    except Exception as e:
        out.append({'error': repr(e)})
        continue
    out.append({'bozo': str(d.get('bozo_exception')) if d.bozo else None, 'entries': [{
        'title': plain(e.get('title_detail'), e.get('title')),
        'link': e.get('link'),
        'date': iso(e.get('published_parsed') or e.get('updated_parsed')),
        'authors': [a.get('name') for a in e.get('authors', []) if a.get('name')],
    } for e in d.entries]})
print(json.dumps(out, ensure_ascii=False))
`;

interface FpEntry {
  title: string | null;
  link: string | null;
  date: string | null;
  authors: string[];
}

function runFeedparser(cases: { path: string; url: string; contentType: string }[]): Promise<({ error: string } | { bozo: string | null; entries: FpEntry[] })[]> {
  return new Promise((resolve, reject) => {
    // Debian's interpreter: python3-feedparser is installed for it, not for other pythons on PATH.
    const child = spawn('/usr/bin/python3', ['-c', PYTHON], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`python3-feedparser failed (${code}): ${err.trim()}`))));
    child.stdin.end(JSON.stringify(cases));
  });
}

const collapse = (s: unknown) => (typeof s === 'string' ? s.replace(/\s+/g, ' ').trim() : s ?? null);
const toSecond = (s: unknown) => (typeof s === 'string' ? s.replace(/\.\d+Z$/, 'Z') : s ?? null);

function reduce(field: Field, value: unknown): unknown {
  if (field === 'title') return collapse(value);
  if (field === 'date') return toSecond(value);
  if (field === 'link') return value ?? null;
  return value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface Tally {
  compared: number;
  feedparserAgrees: number;
  choice: number;
  unexplained: number;
  oursAgrees: number;
  weAgreeWithFeedparser: number;
}

async function main(): Promise<void> {
  const markdown = process.argv.includes('--markdown');
  const documents = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json')).sort();
  // python3-feedparser 6.0 reads no JSON Feed: those documents are checked by npm test only.
  const skipped = documents.filter((doc) => doc.endsWith('.json')).length;
  const cases = documents.filter((doc) => !doc.endsWith('.json')).map((doc) => {
    const expected = JSON.parse(readFileSync(path.join(DIR, `${doc.replace(/\.[a-z]+$/, '')}.expected.json`), 'utf8')) as Expected;
    const contentType = expected.contentType ?? 'application/xml';
    return { doc, expected, path: path.join(DIR, doc), url: expected.url, contentType };
  });
  const fp = await runFeedparser(cases.map(({ path: p, url, contentType }) => ({ path: p, url, contentType })));
  const tally = Object.fromEntries(FIELDS.map((f) => [f, { compared: 0, feedparserAgrees: 0, choice: 0, unexplained: 0, oursAgrees: 0, weAgreeWithFeedparser: 0 }])) as Record<Field, Tally>;
  const unexplained: string[] = [];
  const ourBugs: string[] = [];
  const choices: string[] = [];
  const staleChoices = new Set<string>();

  for (const [i, c] of cases.entries()) {
    const theirs = fp[i]!;
    const ours = await readCase(c.path, c.expected).catch((err: Error) => ({ count: -1, entries: [], notes: [err.message] }));
    const theirEntries = 'error' in theirs ? [] : theirs.entries;
    const check = (field: Field, want: unknown, fpValue: unknown, ourValue: unknown, where: string) => {
      const t = tally[field];
      t.compared += 1;
      const w = reduce(field, want);
      const f = reduce(field, fpValue);
      const o = reduce(field, ourValue);
      if (same(o, w)) t.oursAgrees += 1;
      else ourBugs.push(`${c.doc} ${where}${field}: expected ${JSON.stringify(w)}, we read ${JSON.stringify(o)}`);
      if (same(o, f)) t.weAgreeWithFeedparser += 1;
      if (same(f, w)) {
        t.feedparserAgrees += 1;
        if (c.expected.choices?.[field] !== undefined) staleChoices.add(`${c.doc} ${field}`);
      } else if (c.expected.choices?.[field] !== undefined) {
        t.choice += 1;
        choices.push(`${c.doc} ${where}${field}: expected ${JSON.stringify(w)}, feedparser ${JSON.stringify(f)} — ${c.expected.choices[field]}`);
      }
      else {
        t.unexplained += 1;
        unexplained.push(`${c.doc} ${where}${field}: expected ${JSON.stringify(w)}, feedparser ${JSON.stringify(f)}${'bozo' in theirs && theirs.bozo ? ` (bozo: ${theirs.bozo})` : ''}`);
      }
    };
    check('count', c.expected.count, 'error' in theirs ? -1 : theirEntries.length, ours.count, '');
    c.expected.entries.forEach((want, n) => {
      for (const field of ['title', 'link', 'date', 'authors'] as const) {
        if (!(field in want)) continue;
        check(field, want[field], theirEntries[n]?.[field] ?? (field === 'authors' ? [] : null), ours.entries[n]?.[field] ?? (field === 'authors' ? [] : null), `entry ${n + 1} `);
      }
    });
  }

  const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)} %`);
  const rows = FIELDS.map((f) => {
    const t = tally[f];
    return [f, String(t.compared), pct(t.weAgreeWithFeedparser, t.compared), pct(t.oursAgrees, t.compared), pct(t.feedparserAgrees, t.compared), String(t.choice), String(t.unexplained)];
  });
  const header = ['field', 'compared', 'we = feedparser', 'we = expected', 'feedparser = expected', 'feedparser differs: documented choice', 'feedparser differs: unexplained'];
  if (markdown) {
    process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
  } else {
    process.stdout.write(`conformance: ${cases.length} XML documents read by us and by Universal Feed Parser (python3-feedparser); ${skipped} JSON Feed documents left out (feedparser 6.0 reads no JSON Feed)\n`);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [header, ...rows]) process.stdout.write(`${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
  }
  if (process.argv.includes('--choices')) process.stdout.write(`\ndocumented choices:\n${choices.map((l) => `  ${l}`).join('\n')}\n`);
  if (staleChoices.size > 0) process.stdout.write(`\nchoices documented where feedparser agrees after all (remove them from generate.ts):\n${[...staleChoices].map((l) => `  ${l}`).join('\n')}\n`);
  if (ourBugs.length > 0) process.stdout.write(`\nwhere we differ from the expected value (our bugs):\n${ourBugs.map((l) => `  ${l}`).join('\n')}\n`);
  if (unexplained.length > 0) process.stdout.write(`\nwhere feedparser differs with no documented choice:\n${unexplained.map((l) => `  ${l}`).join('\n')}\n`);
  process.exitCode = ourBugs.length > 0 ? 1 : 0;
}

await main();
