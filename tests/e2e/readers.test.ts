// Feed readers people use, against the running service over 127.0.0.1: Debian's newsboat (run
// non-interactively: `-x reload` into a temporary cache, read back with sqlite3) and python3-feedparser.
// What they must show: every author of a multi-author article, and no author at all (never the source
// outlet) for the seed article whose page has an empty 作者.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../helpers/log.js';
import { startService } from '../../src/main.js';
import type { Service } from '../../src/main.js';
import { readWithFeedparser } from '../helpers/feed-clients.js';
import { tempDir } from '../helpers/temp.js';

const run = promisify(execFile);

const SEED = '中国宝武部署下半年扶贫工作助力对口地区打赢脱贫攻坚战';
const TWO_AUTHORS = '河钢集团与国际矿业公司签署战略合作协议';

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('feed readers', () => {
  let service: Service;
  let dir: string;
  let dispose: () => Promise<void>;

  before(async () => {
    const data = await tempDir('syndicator-readers-');
    ({ dir, dispose } = data);
    const port = await freePort();
    service = await startService(
      loadConfig({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'data'), BASE_URL: `http://127.0.0.1:${port}` }),
      silentLogger(),
    );
    for (const channel of service.channels) await service.scheduler.runNow(channel);
  });

  after(async () => {
    await service?.stop();
    await dispose?.();
  });

  test('newsboat shows both authors of a two-author article and no author for the seed article, in RSS and Atom', async () => {
    for (const format of ['rss', 'atom']) {
      // One cache per feed: newsboat keys items by guid across feeds, and both documents use the same guids.
      const url = `${service.url}/feeds/enterprise.${format}`;
      const urls = path.join(dir, `urls-${format}`);
      const cache = path.join(dir, `cache-${format}.db`);
      await writeFile(urls, `${url}\n`);
      await writeFile(path.join(dir, 'config'), '');
      await run('newsboat', ['-u', urls, '-C', path.join(dir, 'config'), '-c', cache, '-x', 'reload'], {
        env: { ...process.env, HOME: dir },
        timeout: 60_000,
      });
      const { stdout } = await run('sqlite3', ['-json', cache, 'SELECT feedurl, title, author FROM rss_item']);
      const rows = JSON.parse(stdout) as { feedurl: string; title: string; author: string }[];
      assert.equal(rows.length, 8, `${format}: newsboat read every item`);
      const author = (title: string): string | undefined => rows.find((r) => r.title === title)?.author;
      assert.equal(author(TWO_AUTHORS), '李明、王芳', `${format}: every author`);
      assert.equal(author(SEED), '', `${format}: no author, not the outlet`);
      assert.ok(!rows.some((r) => r.author.includes('中国冶金报')), `${format}: no entry credits the outlet as author`);
    }
  });

  test('feedparser: the same authors; the seed article\'s line to print names the source and the editor only', async () => {
    for (const format of ['rss', 'atom']) {
      const body = await (await fetch(`${service.url}/feeds/enterprise.${format}`)).text();
      const parsed = await readWithFeedparser(body);
      assert.equal(parsed.bozo, false, parsed.bozoException ?? '');
      const entry = (title: string) => parsed.entries.find((e) => e.title === title);
      assert.deepEqual(entry(TWO_AUTHORS)?.authors, ['李明、王芳'], format);
      assert.deepEqual(entry(SEED)?.authors, [], format);
      assert.equal(entry(SEED)?.source?.title, '中国冶金报—中国钢铁新闻网', format);
      assert.deepEqual(entry(SEED)?.contributors, ['实习生2'], format);
      assert.match(body, /<reprint:attribution>来源:《中国冶金报—中国钢铁新闻网》 编辑:实习生2<\/reprint:attribution>/, format);
    }
    const json = (await (await fetch(`${service.url}/feeds/enterprise.json`)).json()) as { items: Record<string, any>[] };
    const seed = json.items.find((i) => i.title === SEED)!;
    assert.equal(seed.authors, undefined, 'JSON Feed: no authors rather than the outlet');
    assert.equal(seed._attribution.line, '来源:《中国冶金报—中国钢铁新闻网》 编辑:实习生2');
    const two = json.items.find((i) => i.title === TWO_AUTHORS)!;
    assert.deepEqual(two.authors, [{ name: '李明' }, { name: '王芳' }]);
  });
});
