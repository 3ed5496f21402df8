// The fuzz suite's settings and hostile building blocks (tests/fuzz/). Every property runs from one
// seed, FUZZ_SEED (a fixed default, so `npm test` is reproducible); FUZZ_RUNS multiplies every
// property's number of runs. A failure names the seed and the command that replays it.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AnyNode, Element } from 'domhandler';
import { load } from 'cheerio';
import { FIELD_LIMITS } from '../../src/ingest/limits.js';
import type { Item } from '../../src/model.js';

const DEFAULT_SEED = 20_241_113;

function envNumber(name: string, fallback: number, valid: (n: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!valid(n)) throw new Error(`${name} must be ${name === 'FUZZ_SEED' ? 'a whole number (32-bit)' : 'a positive number'}, got "${raw}"`);
  return n;
}

/** The seed of every property in this run: FUZZ_SEED, else the fixed default. */
export const FUZZ_SEED = envNumber('FUZZ_SEED', DEFAULT_SEED, (n) => Number.isInteger(n) && Math.abs(n) <= 0x7fffffff);
/** FUZZ_RUNS: every property's run count is multiplied by it (default 1). */
export const FUZZ_RUNS = envNumber('FUZZ_RUNS', 1, (n) => Number.isFinite(n) && n > 0);

/** The number of runs of a property whose default is `base`. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * FUZZ_RUNS));
}

/**
 * Checks `property` for `base` × FUZZ_RUNS runs from FUZZ_SEED. On failure the error carries
 * fast-check's report (the counterexample, shrunk, with its seed and path) and the command replaying it.
 */
export async function check<T>(property: fc.IAsyncProperty<T> | fc.IProperty<T>, base: number): Promise<void> {
  try {
    await fc.assert(property as fc.IAsyncProperty<T>, { seed: FUZZ_SEED, numRuns: runs(base) });
  } catch (err) {
    const file = process.argv.find((a) => a.includes('tests/fuzz/')) ?? 'tests/fuzz/<file>.test.ts';
    const hint = `\n\nFuzz seed ${FUZZ_SEED} (FUZZ_RUNS=${FUZZ_RUNS}). Replay: FUZZ_SEED=${FUZZ_SEED}${FUZZ_RUNS === 1 ? '' : ` FUZZ_RUNS=${FUZZ_RUNS}`} node --import tsx --test ${file}`;
    if (err instanceof Error) {
      // fast-check keeps the failing assertion as the cause: show its message too.
      const cause = err.cause instanceof Error ? `\n\nThe failing check: ${err.cause.message}` : '';
      err.message += cause + hint;
      throw err;
    }
    throw new Error(`${String(err)}${hint}`);
  }
}

// ---- hostile pieces ---------------------------------------------------------------------------------

/** Bidirectional formatting characters (UAX #9): never allowed in a title or a name we serve. */
export const BIDI = ['\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
export const BIDI_RE = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** Words with no markup-significant character: what a title's visible text is built from. */
export const word = fc.oneof(
  fc.constantFrom('宝钢', '湛江钢铁', '三号高炉', '点火', '发布', '半年报', '预告', '鞍钢', '集团', '中国钢铁新闻网', 'AT', 'steel', 'Q3', '1-5月', '粗钢产量', '增长'),
  fc.string({ unit: fc.constantFrom(...'abcxyz019钢铁企业新闻', '\u{1F600}', 'é', '\u3000'), minLength: 1, maxLength: 12 }),
);

/** Whitespace of every kind upstreams write, bidi controls and XML-forbidden controls among them. */
export const junk = fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00A0', '\u3000', ...BIDI, '\u0000', '\u0001', '\u000B', '\uFFFE', '\uD800', '\uDC00');

/** A run of one character, long enough to expose super-linear scans (up to `max`). */
export const longRun = (max: number) =>
  fc.tuple(fc.constantFrom('@', '<', '&', '-', '1', 'a', '(', ' ', '钢', ']', '<b>', '&amp;', '<!--', ']]>', '&#', '"'), fc.integer({ min: 1, max })).map(([c, n]) => c.repeat(Math.ceil(n / c.length)));

/** Entity and character references, good and bad. `&lt;`/`&gt;` forms are in `markupEntity`. */
export const entity = fc.constantFrom('&amp;', '&quot;', '&apos;', '&#39;', '&nbsp;', '&eacute;', '&#x4E2D;', '&#20013;', '&copy;', '&', '&#0;', '&#xD800;', '&#99999999;', '&#x110000;', '&bogus;', '&amp', '&#;', '&AMP;', '&nbsp');
/** References that decode to markup: `&lt;script&gt;` is a tag once decoded. */
export const markupEntity = fc.constantFrom('&lt;', '&gt;', '&#60;', '&#x3C;', '&lt;script&gt;alert(1)&lt;/script&gt;', '&lt;img src=x onerror=alert(1)&gt;', '&amp;lt;b&amp;gt;');

const TAGS = ['p', 'div', 'span', 'a', 'b', 'i', 'img', 'br', 'script', 'style', 'iframe', 'svg', 'math', 'table', 'td', 'tr', 'li', 'ul', 'h1', 'h2', 'font', 'object', 'embed', 'form', 'input', 'textarea', 'title', 'noscript', 'template', 'base', 'meta', 'link', 'xmp', 'plaintext', 'select', 'option'];
export const tagName = fc.oneof({ arbitrary: fc.constantFrom(...TAGS), weight: 5 }, { arbitrary: fc.constantFrom('SCRIPT', 'ScRiPt', 'x-foo', 'a:b', 'dc:creator', 'foo.bar', '_x'), weight: 1 });

/** Hostile attribute values: script URLs in every disguise, quotes, long runs, entities. */
export const attrValue = fc.oneof(
  fc.constantFrom(
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'java&#x09;script:alert(1)', '&#106;avascript:alert(1)',
    'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>', 'http://a.example/x.png', '//evil.example/x', '/rel/1.html', '../up.html', '?q=1&b=2',
    'mailto:a@b.cn', 'file:///etc/passwd', '"><script>alert(1)</script>', "'onmouseover='alert(1)", 'x" onerror="alert(1)', '', 'http://[::1', 'http://a.example/\u202E',
  ),
  word,
  longRun(200),
);
export const attrName = fc.constantFrom('href', 'src', 'onerror', 'onclick', 'OnLoad', 'style', 'class', 'id', 'data-src', 'data-original', 'alt', 'title', 'xmlns', 'xmlns:x', 'xml:base', 'srcdoc', 'formaction', 'colspan', 'type', 'rel', 'lang', 'background');

/** An attribute list, sometimes big (hundreds of attributes). */
export const attrs = fc
  .oneof({ arbitrary: fc.array(fc.tuple(attrName, attrValue, fc.constantFrom('"', "'", '')), { maxLength: 4 }), weight: 6 }, { arbitrary: fc.array(fc.tuple(attrName, word, fc.constant('"')), { minLength: 100, maxLength: 400 }), weight: 1 })
  .map((list) => list.map(([n, v, q]) => (q === '' ? ` ${n}=${v.replace(/[\s>]/g, '')}` : ` ${n}=${q}${v.replaceAll(q, '')}${q}`)).join(''));

/** HTML pieces: text, references, tags (some unclosed, some stray), comments, CDATA, doctype junk. */
export const htmlPiece: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: word, weight: 6 },
  { arbitrary: junk, weight: 2 },
  { arbitrary: entity, weight: 2 },
  { arbitrary: markupEntity, weight: 1 },
  { arbitrary: fc.tuple(tagName, attrs).map(([t, a]) => `<${t}${a}>`), weight: 3 },
  { arbitrary: tagName.map((t) => `</${t}>`), weight: 2 },
  { arbitrary: fc.tuple(tagName, attrs).map(([t, a]) => `<${t}${a}/>`), weight: 1 },
  { arbitrary: fc.constantFrom('<!-- c -->', '<!--', '-->', '<![CDATA[x]]>', '<![CDATA[', ']]>', '<?php echo 1 ?>', '<!DOCTYPE html>', '<', '>', '</', '<a', '<img src=x onerror=alert(1)', '<script>alert(1)</script>', '<svg onload=alert(1)>', '<a href="javascript:alert(1)">x</a>', '<img src="javascript:alert(1)">', '<iframe src="http://evil.example/"></iframe>', '<style>*{x:expression(alert(1))}</style>', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '<plaintext>'), weight: 2 },
  { arbitrary: longRun(500), weight: 1 },
);

/** An HTML fragment: pieces in a row, sometimes wrapped in elements nested up to `depth` deep. */
export function htmlFragment(depth = 600): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(htmlPiece, { maxLength: 30 }), fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: depth }), weight: 1 }), fc.constantFrom('div', 'b', 'span', 'p', 'td', 'li', 'font'), fc.boolean())
    .map(([pieces, nest, tag, closed]) => `${`<${tag}>`.repeat(nest)}${pieces.join('')}${closed ? `</${tag}>`.repeat(nest) : ''}`);
}

/** Tags an HTML parser would read as markup: `<` then a letter, `/`, `!` or `?`. None may be in plain text we serve. */
export const TAG_LIKE = /<[A-Za-z/!?]/;
/** The tags and attributes sanitizeHtml promises to keep at most (src/ingest/sanitize.ts). */
const SAFE_TAGS = new Set(['p', 'br', 'div', 'span', 'a', 'img', 'strong', 'b', 'em', 'i', 'u', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'h5', 'h6', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'pre', 'code']);
const SAFE_ATTRS: Record<string, string[]> = { a: ['href'], img: ['src', 'alt', 'title'], th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'] };

/**
 * What makes `html` unsafe to republish, read back as a browser parses it (parse5, through
 * cheerio; not the sanitizer's own code): an element outside the allowlist (script, iframe, svg, …), an attribute outside
 * it (event handlers, style), or an href/src that is not an absolute http(s) URL (mailto: on links).
 * Undefined when there is none.
 */
export function activeContent(html: string): string | undefined {
  const stack: AnyNode[] = [...load(html, null, false).root().contents().toArray()];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'script' || node.type === 'style' || node.type === 'tag') {
      const el = node as Element;
      const name = el.name.toLowerCase();
      if (!SAFE_TAGS.has(name)) return `element <${el.name}>`;
      for (const [attr, value] of Object.entries(el.attribs)) {
        if (!(SAFE_ATTRS[name] ?? []).includes(attr)) return `attribute ${attr} on <${name}>`;
        if ((attr === 'href' || attr === 'src') && !(attr === 'href' ? /^(?:https?|mailto):/i : /^https?:\/\//i).test(value)) return `${attr}="${value}" on <${name}>`;
      }
    } else if (node.type === 'directive' || node.type === 'cdata') {
      return `a ${node.type} node`;
    }
    if ('children' in node) stack.push(...(node.children as AnyNode[]));
  }
  return undefined;
}

// ---- what every stored item must be -------------------------------------------------------------------

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemeCount = (s: string) => [...graphemes.segment(s)].length;
// Characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Plain text a reader is shown as a name or title: no markup, no bidi controls, collapsed, bounded. */
export function assertPlainName(value: string, what: string, maxGraphemes: number): void {
  assert.doesNotMatch(value, BIDI_RE, `${what} has a bidi control: ${JSON.stringify(value.slice(0, 200))}`);
  assert.doesNotMatch(value, TAG_LIKE, `${what} has markup: ${JSON.stringify(value.slice(0, 200))}`);
  assert.doesNotMatch(value, XML_FORBIDDEN, `${what} has a character XML forbids: ${JSON.stringify(value.slice(0, 200))}`);
  assert.equal(value, value.replace(/\s+/g, ' ').trim(), `${what} is not whitespace-collapsed: ${JSON.stringify(value.slice(0, 200))}`);
  assert.ok(graphemeCount(value) <= maxGraphemes, `${what} has ${graphemeCount(value)} characters, over ${maxGraphemes}`);
}

/**
 * The promises of an Item (src/model.ts, README "What is read from a feed"), whatever the upstream sent:
 * plain bounded titles and names, an absolute http(s) link or none, sanitized content, a date that was
 * read (none when the document gave none) and not in the future.
 */
export function assertServable(item: Item, opts: { holds: { dates: boolean; links: boolean; people: boolean }; now: Date }): void {
  assertPlainName(item.title, 'title', FIELD_LIMITS.title);
  for (const a of item.attribution.authors) assertPlainName(a, 'author', FIELD_LIMITS.author);
  for (const editor of item.attribution.editor === undefined ? [] : [item.attribution.editor]) assertPlainName(editor, 'editor', FIELD_LIMITS.author);
  assertPlainName(item.attribution.source.name, 'source name', FIELD_LIMITS.sourceName);
  assert.ok(item.categories.length <= FIELD_LIMITS.listLength);
  for (const c of item.categories) assertPlainName(c, 'category', FIELD_LIMITS.category);
  assert.equal(new Set(item.categories).size, item.categories.length, 'categories repeat');
  if (item.link !== undefined) {
    assert.ok(URL.canParse(item.link) && /^https?:$/.test(new URL(item.link).protocol), `link ${item.link} is not an absolute http(s) URL`);
    // The raw link is at most FIELD_LIMITS.link long; resolved and percent-encoded (9 characters for a
    // CJK one) it stays within this.
    assert.ok(item.link.length <= FIELD_LIMITS.link * 9 + 200, `link of ${item.link.length} characters`);
  }
  const bad = activeContent(item.contentHtml ?? '');
  assert.equal(bad, undefined, `content holds ${bad}`);
  assert.ok(graphemeCount(item.summary ?? '') <= 200, 'summary over 200 characters');
  const published = item.publishedAt ?? item.updatedAt;
  assert.equal(new Date(published).toISOString(), published, `publishedAt ${published} is not ISO 8601 UTC`);
  assert.ok(item.publishedAt === undefined || Date.parse(item.publishedAt) <= opts.now.getTime() + 86_400_000, `publishedAt ${item.publishedAt} is in the future`);
  assert.equal(new Date(item.updatedAt).toISOString(), item.updatedAt);
  // Never invented: a document without any date, link or person gives none.
  assert.ok(opts.holds.dates || item.publishedAt === undefined, 'a date was invented');
  assert.ok(opts.holds.links || item.link === undefined, 'a link was invented');
  assert.ok(opts.holds.people || item.attribution.authors.length === 0, 'an author was invented');
  assert.match(item.id, /^[0-9a-f]{32}$/);
  // Storable anywhere: PostgreSQL's jsonb refuses \u0000 and lone surrogates (JSON.stringify escapes them so).
  const stored = JSON.stringify(item).match(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
  assert.equal(stored, null, `the item holds ${stored?.[0]}, which PostgreSQL cannot store`);
}
