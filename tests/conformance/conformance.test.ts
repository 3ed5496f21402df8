// The conformance suite: every document under cases/ read as an ingest reads it, each named field
// compared with the expected values beside it (written by generate.ts from the formats' rules).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Expected } from './generate.js';
import { readCase } from './read-case.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cases');
const documents = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json')).sort();

describe('conformance suite', () => {
  it('holds at least 300 documents, each with its expected values', () => {
    assert.ok(documents.length >= 300, `${documents.length} documents`);
    for (const doc of documents) assert.ok(readdirSync(DIR).includes(`${doc.replace(/\.[a-z]+$/, '')}.expected.json`), doc);
  });

  for (const doc of documents) {
    const expected = JSON.parse(readFileSync(path.join(DIR, `${doc.replace(/\.[a-z]+$/, '')}.expected.json`), 'utf8')) as Expected;
    it(`${doc}: ${expected.description}`, async () => {
      const got = await readCase(path.join(DIR, doc), expected);
      assert.equal(got.count, expected.count, `entries (${got.notes.join('; ')})`);
      expected.entries.forEach((want, i) => {
        const entry = got.entries[i]!;
        for (const field of Object.keys(want) as (keyof typeof want)[]) {
          assert.deepEqual(entry[field], want[field], `entry ${i + 1}: ${field}`);
        }
      });
    });
  }
});
