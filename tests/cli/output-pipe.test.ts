// A command's whole output reaches a pipe whose reader is slow: the process must not exit while its
// output still waits in Node's buffers (a pipe takes 64 KiB at a time).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Item } from '../../src/model.js';
import { ROOT, tempDir } from '../helpers/temp.js';

const ITEMS = 500;

describe('CLI output through a pipe', () => {
  let dir: { dir: string; dispose: () => Promise<void> };
  let feed: string;
  before(async () => {
    dir = await tempDir();
    feed = path.join(dir.dir, 'big.xml');
    const body = `<p>${'syndication '.repeat(1750)}</p>`;
    const items = Array.from({ length: ITEMS }, (_, i) => `<item><title>Item ${i}</title><link>https://up.example/${i}</link><content:encoded><![CDATA[${body}]]></content:encoded></item>`);
    await writeFile(feed, `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>big</title>${items.join('')}</channel></rss>`);
  });
  after(() => dir.dispose());

  test('preview writes 10 MB of JSON to a pipe read only after a pause, and all of it parses', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/cli.ts'), 'preview', feed], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Nobody reads stdout until the process has had every chance to exit with output pending.
    const code = await Promise.race([exited, sleep(20_000).then(() => 'still running' as const)]);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    await new Promise((resolve) => child.stdout.on('end', resolve));
    const finalCode = code === 'still running' ? await exited : code;
    assert.equal(finalCode, 0, stderr);
    const out = Buffer.concat(chunks);
    assert.ok(out.length > 10_000_000, `only ${out.length} bytes arrived`);
    const items = JSON.parse(out.toString('utf8')) as Item[];
    assert.equal(items.length, ITEMS);
    assert.equal(items[ITEMS - 1]!.title, `Item ${ITEMS - 1}`);
  });
});
