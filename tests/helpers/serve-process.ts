// `syndicator serve` as an operator starts it — its own process, from source — over a feeds directory
// holding one channel whose feed source is a local upstream: what the process-level tests share.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyLicense, ROOT } from './temp.js';

/** Writes channel `id` (one feed source at `url`, no scheduled run but the one at start) and its license into feedsDir. */
export async function writeFeedChannel(feedsDir: string, id: string, url: string, description = 'a local upstream'): Promise<void> {
  await copyLicense(feedsDir);
  await writeFile(
    path.join(feedsDir, `${id}.json`),
    JSON.stringify({
      id,
      title: '钢铁企业',
      description,
      language: 'zh-CN',
      link: 'http://www.csteelnews.com/',
      schedule: '0 0 1 1 *',
      license: 'csteelnews-own',
      sources: [{ id: `${id}-rss`, type: 'feed', url }],
    }),
  );
}

export interface ServeProcess {
  child: ChildProcess;
  /** Everything the process wrote to stderr (its log) so far. */
  log: () => string;
  /** Resolves with the origin the service logged it listens on; rejects if it exits first. */
  url: () => Promise<string>;
}

/** Spawns `syndicator serve` on 127.0.0.1 (PORT 0) with the given directories, logging at info. */
export function spawnServe(feedsDir: string, dataDir: string): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FEEDS_DIR: feedsDir, DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const url = async () => {
    // The child's stderr may arrive after other signs of life: wait for the line that names the address.
    for (;;) {
      const served = log.split('\n').find((l) => l.includes('"msg":"serving"'));
      if (served !== undefined) return (JSON.parse(served) as { url: string }).url;
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode} before listening:\n${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, log: () => log, url };
}
