// `syndicator preview` shows only what the upstream said: no ingest time passed off as a date, and a
// line on stderr for every entry it leaves out and every charset it overrules.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PreviewItem } from '../../src/cli/preview.js';
import { runSyndicator } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

describe('syndicator preview tells no more than the upstream', () => {
  let dir: { dir: string; dispose: () => Promise<void> };
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.dispose());

  test('an undated entry has no publishedAt and no updatedAt; a dated one has both from the document', async () => {
    const file = path.join(dir.dir, 'atom03.xml');
    await writeFile(
      file,
      `<?xml version="1.0" encoding="ISO-8859-1"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title>
<entry><title>Undated</title><id>urn:1</id></entry>
<entry><title>Dated Café</title><id>urn:2</id><issued>2004-01-02T03:04:05Z</issued><modified>2004-02-03T04:05:06Z</modified></entry>
<entry><title>Dated again</title><id>urn:2</id></entry></feed>`,
    );
    const r = await runSyndicator(['preview', file]);
    assert.equal(r.code, 0, r.stderr);
    const [undated, dated] = JSON.parse(r.stdout) as PreviewItem[];
    assert.equal(undated!.title, 'Undated');
    assert.equal(undated!.publishedAt, undefined);
    assert.equal(undated!.updatedAt, undefined);
    assert.equal(dated!.title, 'Dated Café');
    assert.equal(dated!.publishedAt, '2004-01-02T03:04:05.000Z');
    assert.equal(dated!.updatedAt, '2004-02-03T04:05:06.000Z');
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      'syndicator: preview: charset: the document declares ISO-8859-1, but the bytes are UTF-8 with multi-byte characters: read as UTF-8',
      'syndicator: preview: entry 3 dropped: it repeats entry 2 (same guid "urn:2")',
    ]);
  });
});
