// `syndicator preview` as a smoke test over every feed fixture here and every hostile route: it
// never crashes (exit 0, or 1 with one line naming the stage) and never hangs (bounded by the fetch
// timeout), and the feeds it reads give titles, links and dates.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/env.js';
import type { Item } from '../../src/model.js';
import { previewChannel, previewItems } from '../../src/cli/preview.js';
import { FAULTS, startHostileServer, type HostileServer } from '../helpers/hostile-server.js';
import { runSyndicator } from '../helpers/spawn.js';
import { FEEDS_DIR, FIXTURES } from '../helpers/temp.js';

const ENV = { FETCH_TIMEOUT_MS: '1000', MAX_BODY_BYTES: String(256 * 1024), DATA_DIR: '/nonexistent/never-written' };

const feedFiles = [path.join(FEEDS_DIR, 'samples'), path.join(FIXTURES, 'feeds'), path.join(FIXTURES, 'upstream')].flatMap((dir) => {
  try {
    return readdirSync(dir).filter((f) => /\.(xml|rss|atom)$/.test(f)).map((f) => path.join(dir, f));
  } catch {
    return [];
  }
});

describe('syndicator preview: no crash, no hang', () => {
  let server: HostileServer;
  before(async () => {
    server = await startHostileServer({ bodyCap: 256 * 1024, retryAt: new Date(Date.now() + 3600_000) });
  });
  after(() => server.close());

  test('every feed fixture in the repository gives items with a title, the upstream link or null (never localhost) and a valid date', async () => {
    assert.ok(feedFiles.length >= 3);
    // One at a time: three CLI starts at once on a loaded 2-core machine can take longer than the limit.
    const runs = [];
    for (const file of feedFiles) runs.push({ file, r: await runSyndicator(['preview', file], ENV, 60_000) });
    for (const { file, r } of runs) {
      assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /\/\/localhost\b/, file);
      const items = JSON.parse(r.stdout) as Item[];
      assert.ok(items.length > 0, file);
      for (const item of items) {
        assert.ok(item.title.trim(), file);
        // A link is the upstream's (absolute, or relative as written when nothing gives a base), or
        // null when the entry has none; never one we made up.
        const { link } = item as unknown as { link: string | null };
        assert.ok(link === null || link.trim() !== '', file);
        assert.ok(item.publishedAt === undefined || !Number.isNaN(Date.parse(item.publishedAt)), `${file}: a date that is not one`);
      }
    }
  });

  test('every hostile route, in process: items or a readable stage error, within the timeout', async () => {
    const cfg = loadConfig(ENV);
    await Promise.all(
      FAULTS.map(async (fault) => {
        const started = performance.now();
        try {
          const { items } = await previewItems(server.url(`/${fault}`), { channel: previewChannel(), type: 'feed' }, cfg);
          assert.ok(Array.isArray(items), fault);
        } catch (err) {
          assert.match((err as Error).message, /^(fetcher|parse-feed): /, fault);
        }
        assert.ok(performance.now() - started < 10_000, fault);
      }),
    );
  });

  test('the CLI on the worst of them: one error line and exit 1, no stack, no hang', async () => {
    await Promise.all(
      (['hang', 'gzip-bomb', 'billion-laughs'] as const).map(async (fault) => {
        const r = await runSyndicator(['preview', server.url(`/${fault}`), '--type', 'feed'], ENV, 30_000);
        assert.equal(r.code, 1, `${fault}: exit ${r.code} ${r.stderr}`);
        assert.match(r.stderr, /^syndicator: (fetcher|parse-feed): [^\n]+\n$/, fault);
      }),
    );
  });
});
