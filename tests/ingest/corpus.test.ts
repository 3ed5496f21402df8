// The layout corpus (tests/fixtures/corpus, see its README): 25 article pages in the shapes of the
// CMS families Chinese industry and government sites run, two pages that are not articles, and six
// list pages, each asserted fact by fact against its expected-facts file. `npm run corpus` prints
// the same comparison as a pass rate.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPage, corpusPages, expectedOf } from '../helpers/corpus.js';

const pages = corpusPages();

describe('the layout corpus', () => {
  it('holds at least 24 article pages and 6 list pages, and pages that are not articles', () => {
    const kinds = pages.map((p) => expectedOf(p).kind);
    assert.ok(kinds.filter((k) => k === 'article').length >= 24);
    assert.ok(kinds.filter((k) => k === 'list').length >= 6);
    assert.ok(kinds.filter((k) => k === 'not-article').length >= 2);
  });
  for (const name of pages) {
    it(`${name} (${expectedOf(name).family})`, async () => {
      const result = await checkPage(name);
      assert.ok(result.facts.length >= 2);
      for (const f of result.facts) assert.deepEqual(f.actual, f.expected, `${name}: ${f.name}`);
    });
  }
});
