// Fuzzing the sanitizer (src/ingest/sanitize.ts) with hostile HTML: script in every disguise, event
// handlers, javascript: and data: URLs, unclosed and stray tags, comments, CDATA, entities, big
// attribute lists, runs of one character and nesting past the depth limit. What comes out is read back
// the way a browser reads it (parse5) and must hold nothing active. Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { htmlToText, sanitizeHtml } from '../../src/ingest/sanitize.js';
import { collapseWhitespace, truncate } from '../../src/text.js';
import { activeContent, check, entity, htmlFragment, word } from '../helpers/fuzz.js';

const base = fc.constantFrom('http://news.example.cn/a/1.html', 'https://news.example.cn/', '', 'not a url', 'file:///etc/passwd', 'javascript:alert(1)//');

describe('fuzz: sanitizeHtml', () => {
  test('the checker itself flags what is active (so the properties below can fail)', () => {
    for (const bad of ['<script>alert(1)</script>', '<img src="http://a.cn/x.png" onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>', '<p style="x">y</p>', '<svg></svg>', '<img src="/relative.png">', '<a href="//evil.example/">x</a>', '<iframe src="http://a.cn/"></iframe>']) {
      assert.notEqual(activeContent(bad), undefined, bad);
    }
    assert.equal(activeContent('<p>ok <a href="https://a.cn/1">x</a> <img src="http://a.cn/x.png" alt="&quot;onerror=alert(1)"> &lt;script&gt;</p>'), undefined);
  });

  test('hostile HTML comes out with nothing active: allowlisted elements and attributes, http(s) URLs only', async () => {
    await check(
      fc.property(htmlFragment(), base, (html, at) => {
        const out = sanitizeHtml(html, at);
        const bad = activeContent(out);
        assert.equal(bad, undefined, `${bad} in ${JSON.stringify(out.slice(0, 400))}`);
      }),
      400,
    );
  });

  test('sanitizing its own output changes nothing active (no markup is revived by a second pass)', async () => {
    await check(
      fc.property(htmlFragment(), (html) => {
        const once = sanitizeHtml(html, 'http://news.example.cn/a/1.html');
        assert.equal(activeContent(sanitizeHtml(once, 'http://news.example.cn/a/1.html')), undefined);
      }),
      200,
    );
  });

  test('nested past the depth limit (up to 12,000 deep): one paragraph of its text, nothing active', async () => {
    const deep = fc.tuple(fc.integer({ min: 513, max: 12_000 }), fc.constantFrom('div', 'b', 'span', 'font', 'td', 'a href="javascript:alert(1)"', 'p onclick="x()"'), fc.array(word, { minLength: 1, maxLength: 5 }), fc.boolean());
    await check(
      fc.property(deep, ([depth, open, words, closed]) => {
        const name = open.split(' ')[0]!;
        const html = `${`<${open}>`.repeat(depth)}<script>alert(1)</script>${words.join(' ')}${closed ? `</${name}>`.repeat(depth) : ''}`;
        const out = sanitizeHtml(html, 'http://news.example.cn/');
        assert.equal(activeContent(out), undefined);
        assert.ok(out.startsWith('<p>') && out.endsWith('</p>'), out.slice(0, 80));
        for (const w of words) assert.ok(collapseWhitespace(out).includes(collapseWhitespace(w)), `word ${JSON.stringify(w)} lost`);
      }),
      30,
    );
  });
});

// Inline markup adds no space, block boundaries and <br> one; references decode. Only elements a
// fragment parser accepts anywhere are used (a <td> outside a table is dropped by design of HTML).
const INLINE = ['<b>', '</b>', '<i>', '</i>', '<span class="x">', '</span>', '<a href="/x">', '</a>', '<em>', '</em>', '<font color=red>', '</font>', '</nope>'];
const BLOCK = ['p', 'div', 'li', 'h2', 'blockquote', 'pre'];
const DECODED: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&apos;': "'", '&#39;': "'", '&nbsp;': ' ', '&eacute;': 'é', '&#x4E2D;': '中', '&#20013;': '中', '&copy;': '©', '&lt;': '<', '&gt;': '>' };
type Piece = { html: string; text: string };
const inline: fc.Arbitrary<Piece> = fc.oneof(
  { arbitrary: word.map((w) => ({ html: w, text: w })), weight: 6 },
  { arbitrary: fc.constantFrom(...INLINE).map((t) => ({ html: t, text: '' })), weight: 2 },
  { arbitrary: fc.constantFrom(...Object.keys(DECODED)).map((e) => ({ html: e, text: DECODED[e]! })), weight: 1 },
  { arbitrary: fc.constantFrom('<script>var a = "<b>x</b>";</script>', '<style>p{}</style>', '<!-- comment -->', '<noscript>n</noscript>').map((html) => ({ html, text: '' })), weight: 1 },
  { arbitrary: fc.constantFrom('<br>', '<br/>', '<br />').map((html) => ({ html, text: ' ' })), weight: 1 },
);
const join = (pieces: Piece[]): Piece => ({ html: pieces.map((p) => p.html).join(''), text: pieces.map((p) => p.text).join('') });
const piece: fc.Arbitrary<Piece> = fc.oneof(
  { arbitrary: inline, weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom(...BLOCK), fc.array(inline, { maxLength: 8 })).map(([tag, inner]) => ({ html: `<${tag}>${join(inner).html}</${tag}>`, text: ` ${join(inner).text} ` })), weight: 1 },
);

describe('fuzz: htmlToText', () => {
  test('keeps every word in order: inline markup adds no space, blocks and <br> one, references decoded, script dropped', async () => {
    await check(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const html = pieces.map((p) => p.html).join('');
        assert.equal(htmlToText(html), collapseWhitespace(pieces.map((p) => p.text).join('')), JSON.stringify(html));
      }),
      400,
    );
  });

  test('hostile HTML gives collapsed text, never a throw', async () => {
    await check(
      fc.property(fc.oneof(htmlFragment(), fc.array(entity).map((e) => e.join(''))), (html) => {
        const text = htmlToText(html);
        assert.equal(text, collapseWhitespace(text));
      }),
      300,
    );
  });
});

describe('fuzz: truncate', () => {
  // truncate segments only a prefix of the text; it must cut where segmenting the whole text cuts.
  const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const whole = (text: string, max: number) => {
    const parts: string[] = [];
    for (const { segment } of graphemes.segment(text)) {
      parts.push(segment);
      if (parts.length > max) return `${parts.slice(0, max - 1).join('').trimEnd()}…`;
    }
    return text;
  };
  test('cuts where segmenting the whole text cuts: combining marks, ZWJ emoji, flags, CJK, surrogates', async () => {
    const unit = fc.constantFrom('a', ' ', '钢', '\u0301', '\u0308', '\u200d', '\u{1F468}', '\u{1F469}', '\u{1F1E8}', '\u{1F1F3}', 'é', '\r', '\n', '\uD800', '\u3000');
    await check(
      fc.property(fc.oneof(fc.string({ unit, maxLength: 3_000 }), fc.tuple(fc.constantFrom('a', '钢'), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 4_000 })).map(([c, n, marks]) => c.repeat(n) + 'x' + '\u0301'.repeat(marks))), fc.integer({ min: 1, max: 1_000 }), (text, max) => {
        assert.equal(truncate(text, max), whole(text, max));
      }),
      400,
    );
  });
});
