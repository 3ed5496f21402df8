// Byte-for-byte output of every format, compared with documents committed in
// tests/fixtures/render-golden/. Readers, caches (ETags) and partners' diffing all see these bytes, so
// a change to how documents are written (e.g. a faster XML builder) must not move a single one unless
// it is meant to. When a change is meant to, regenerate the files and review their diff:
//   UPDATE_GOLDEN=1 node --import tsx --test tests/render/render-golden.test.ts

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Channel, Item } from '../../src/model.js';
import { type RenderContext, formats } from '../../src/render/index.js';
import { LICENSE, benchChannel, benchItems } from '../../bench/documents.js';
import * as fx from '../helpers/render-fixtures.js';

const GOLDEN_DIR = new URL('../fixtures/render-golden/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Items a careless writer gets wrong, besides fx.items() (hostile, bare, full). */
function trickyItems(): Item[] {
  return [
    // Markup, quotes, `]]>` at the very end of CDATA content, CR LF and tab inside values.
    fx.fullItem({
      id: 'markup-title',
      guid: 'urn:uuid:11111111-2222-4333-8444-555555555555',
      title: '<b>Bold</b> & "quoted" \'single\' ]]>',
      summary: 'Line one\r\nline\ttwo ]]> & <i>not</i>',
      contentHtml: '<p>ends with ]]>',
      categories: ['tab\there', 'line\nbreak', '  ', 'x"y\'z'],
      attribution: {
        authors: ['  ', 'A\r\nB', 'C\t"D"'],
        editor: 'E & F',
        source: { name: 'Src "quoted" \t', url: 'https://src.example/p?q="a b"&r=\'c\'', original: false },
      },
    }),
    // Bidirectional controls, emoji (a valid surrogate pair), a lone low surrogate, NUL and DEL.
    fx.fullItem({
      id: 'bidi',
      guid: 'urn:uuid:22222222-3333-4444-8555-666666666666',
      title: '\u202Eevil\u202C \u200Fمرحبا\u200E \u2066iso\u2069 😀 \uDC00x\u0000\u007F',
      summary: '\u061C\u202Aembed\u202C 😀',
      contentHtml: '<p dir="rtl">\u202Bمرحبا\u202C 😀\uD83D</p>',
      attribution: {
        authors: ['\u202E李明'],
        source: { name: '\u200F来源', original: true },
      },
      licenseId: 'csteelnews-own',
      rights: '\u202Erights\u202C',
    }),
    // Nothing optional: no link, summary, content, publication date, categories, authors, editor, rights.
    {
      id: 'minimal',
      guid: 'urn:uuid:33333333-4444-4555-8666-777777777777',
      channelIds: ['qiye-yaowen'],
      sourceId: 'ywjx',
      title: '仅有标题',
      updatedAt: '2019-07-09T00:00:00.000Z',
      categories: [],
      attribution: { authors: [], source: { name: '未知', original: true } },
      licenseId: 'csteelnews-own',
      contentHash: 'sha256-minimal',
      ingestedAt: '2019-07-09T00:00:00.000Z',
    },
    // Blank summary and content, a non-http source URL, a relative link in a non-UTC publish time.
    fx.bareItem({
      id: 'blanks',
      guid: 'https://www.csteelnews.example/guid?a=1&b=2',
      summary: '   ',
      contentHtml: ' \n ',
      publishedAt: '2019-07-08T23:59:59+08:00',
      attribution: { authors: ['王五'], source: { name: 'FTP 源', url: 'ftp://files.example/x', original: false } },
      licenseId: 'csteelnews-reprinted',
    }),
  ];
}

interface Case {
  name: string;
  channel: Channel;
  items: Item[];
  ctx: RenderContext;
}

const CASES: Case[] = [
  {
    // What `npm run bench:render` renders.
    name: 'bench',
    channel: benchChannel(),
    items: benchItems(50).reverse(),
    ctx: {
      baseUrl: 'http://127.0.0.1:8080',
      now: new Date('2026-11-01T00:00:00Z'),
      licenses: new Map([[LICENSE.id, LICENSE]]),
      links: { hub: 'http://127.0.0.1:8080/websub', stylesheet: '/assets/feed.xsl' },
    },
  },
  { name: 'tricky', channel: fx.channel(), items: [...fx.items(), ...trickyItems()], ctx: fx.ctx() },
  {
    // A partner feed (full text, a grant on every item) that is an archive document with navigation.
    name: 'delivery-archive',
    channel: fx.channel({ title: 'Chan & <nel> "x"', description: '', language: '' }),
    items: [...fx.items(), ...trickyItems()],
    ctx: fx.ctx({
      delivery: { partner: 'p&<1>', grantId: 'g"1\'', content: 'full', until: '2031-01-01T00:00:00.000Z' },
      links: {
        hub: 'https://hub.example/?a=1&b=2',
        stylesheet: 'https://cdn.example/feed.xsl?v=1&w=2',
        prevArchive: 'http://127.0.0.1:8080/feeds/qiye-yaowen.rss?page=2019-06',
        nextArchive: 'http://127.0.0.1:8080/feeds/qiye-yaowen.rss?page=2019-08',
        current: 'http://127.0.0.1:8080/feeds/qiye-yaowen.rss',
      },
      page: '2019-07',
      part: 2,
    }),
  },
  {
    // No items: the feed's date is ctx.now; a delivery without an end.
    name: 'empty',
    channel: fx.channel(),
    items: [],
    ctx: fx.ctx({ delivery: { partner: 'p1', grantId: 'g1', content: 'excerpt' }, page: '2019-07' }),
  },
];

describe('rendered documents are byte-for-byte the committed golden files', () => {
  if (UPDATE) mkdirSync(GOLDEN_DIR, { recursive: true });
  for (const c of CASES) {
    for (const format of Object.values(formats)) {
      const file = `${c.name}.${format.extension}`;
      it(`${c.name} as ${format.id} matches ${file}`, () => {
        const doc = format.render(c.channel, c.items, c.ctx);
        // Rendering twice gives the same bytes (nothing cached across documents leaks between them).
        assert.equal(format.render(c.channel, c.items, c.ctx), doc);
        const path = new URL(file, GOLDEN_DIR);
        if (UPDATE) writeFileSync(path, doc);
        const golden = readFileSync(path, 'utf8');
        if (doc !== golden) {
          // Name the first differing position; the documents are too long for a whole-text diff.
          let i = 0;
          while (i < doc.length && doc[i] === golden[i]) i += 1;
          assert.fail(
            `${file} differs at character ${i} (rendered ${doc.length}, golden ${golden.length}):\n` +
              `rendered: ${JSON.stringify(doc.slice(Math.max(0, i - 80), i + 80))}\n` +
              `golden:   ${JSON.stringify(golden.slice(Math.max(0, i - 80), i + 80))}`,
          );
        }
      });
      it(`${c.name} as ${format.id}: the bytes served (renderBytes) are ${file}'s`, () => {
        const golden = readFileSync(new URL(file, GOLDEN_DIR));
        const bytes = format.renderBytes(c.channel, c.items, c.ctx);
        assert.equal(bytes.length, golden.length, `${file}: ${bytes.length} bytes rendered, ${golden.length} in the file`);
        assert.equal(Buffer.compare(bytes, golden), 0, `${file}: same length, different bytes`);
      });
    }
  }
});
