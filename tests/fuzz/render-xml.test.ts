// Fuzzing the XML builder (src/render/xml.ts) through the RSS and Atom renderers: item fields made of
// markup characters, `]]>` and its pieces, characters XML 1.0 forbids (C0 controls, U+FFFE/U+FFFF,
// lone surrogates), bidi controls and any UTF-16 code unit. Every document must parse strictly, and a
// reader must get back exactly the text that was given, less the forbidden characters (CDATA sections
// are split at `]]>`, never cut). Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formats } from '../../src/render/index.js';
import { ATOM_NS, CONTENT_NS } from '../../src/render/namespaces.js';
import { stripInvalidXmlChars } from '../../src/text.js';
import { BIDI, check } from '../helpers/fuzz.js';
import * as fx from '../helpers/render-fixtures.js';
import { type XmlElement, attr, childrenNamed, only, parseXml, textOf } from '../helpers/xml.js';

const unit = fc.oneof(
  { arbitrary: fc.constantFrom('&', '<', '>', '"', "'", ']]>', ']]', ']', '>', '<![CDATA[', '&amp;', '\t', '\n', '\r', '\r\n', ' ', '钢', '😀'), weight: 4 },
  { arbitrary: fc.constantFrom('\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', ...BIDI), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), weight: 2 },
);
const text = fc.string({ unit, maxLength: 40 });
const fields = fc.record({ title: text, content: text, category: text, author: text });

/** What a reader gets for `value` written as element text or CDATA: the forbidden characters gone, and
 *  line ends normalized to LF by the parser (XML 1.0 §2.11). */
const readBack = (value: string): string => stripInvalidXmlChars(value).replace(/\r\n?/g, '\n');
const nonBlank = (value: string): boolean => stripInvalidXmlChars(value).trim() !== '';

function item(f: { title: string; content: string; category: string; author: string }) {
  return fx.fullItem({ title: f.title, contentHtml: f.content, categories: [f.category], attribution: { authors: [f.author], source: { name: f.author, original: true } } });
}

describe('fuzz: RSS and Atom documents stay well-formed and carry the text given', () => {
  test('RSS: title and content:encoded read back exactly (less forbidden characters)', async () => {
    await check(
      fc.property(fields, (f) => {
        const doc = formats.rss.render(fx.channel(), [item(f)], fx.ctx({ delivery: { partner: 'p', grantId: 'g', content: 'full' } }));
        const entry: XmlElement = only(only(parseXml(doc), '', 'channel'), '', 'item');
        assert.equal(textOf(entry, '', 'title'), readBack(f.title));
        const content = childrenNamed(entry, CONTENT_NS, 'encoded');
        assert.deepEqual(content.map((c) => c.text), nonBlank(f.content) ? [readBack(f.content)] : []);
      }),
      300,
    );
  });

  test('Atom: title, content and the category term attribute read back exactly (less forbidden characters)', async () => {
    await check(
      fc.property(fields, (f) => {
        const doc = formats.atom.render(fx.channel(), [item(f)], fx.ctx({ delivery: { partner: 'p', grantId: 'g', content: 'full' } }));
        const entry = only(parseXml(doc), ATOM_NS, 'entry');
        assert.equal(textOf(entry, ATOM_NS, 'title'), readBack(f.title));
        const content = childrenNamed(entry, ATOM_NS, 'content');
        assert.deepEqual(content.map((c) => c.text), nonBlank(f.content) ? [readBack(f.content)] : []);
        // Attribute values keep tab, LF and CR (written as character references), unlike element text.
        const terms = childrenNamed(entry, ATOM_NS, 'category').map((c) => attr(c, 'term'));
        const term = stripInvalidXmlChars(f.category).trim();
        assert.deepEqual(terms, term === '' ? [] : [term]);
      }),
      300,
    );
  });

  test('RSS and Atom: the bytes served are the UTF-8 of the text (lone surrogates, emoji, controls)', async () => {
    await check(
      fc.property(fields, (f) => {
        const ctx = fx.ctx({ delivery: { partner: 'p', grantId: 'g', content: 'full' } });
        for (const format of [formats.rss, formats.atom]) {
          const text = format.render(fx.channel(), [item(f)], ctx);
          assert.deepEqual(format.renderBytes(fx.channel(), [item(f)], ctx), Buffer.from(text, 'utf8'));
        }
      }),
      300,
    );
  });
});
