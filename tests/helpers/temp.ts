import { copyFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FEEDS_DIR = path.join(ROOT, 'feeds');
/** The tests' own input documents (model-site pages, upstream feeds, layouts of our own). */
export const FIXTURES = path.join(ROOT, 'tests/fixtures');

/** A fresh temporary directory, removed when the returned dispose() runs. */
export async function tempDir(prefix = 'syndicator-'): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** A copy of the project's feeds/ directory that a test may edit freely. */
export async function copyOfFeeds(): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const t = await tempDir('syndicator-feeds-');
  await cp(FEEDS_DIR, t.dir, { recursive: true });
  return t;
}

/** Copies the demo license (feeds/licenses/csteelnews-own.json) into feedsDir/licenses, for a test's own channels. */
export async function copyLicense(feedsDir: string): Promise<void> {
  await mkdir(path.join(feedsDir, 'licenses'), { recursive: true });
  await copyFile(path.join(FEEDS_DIR, 'licenses', 'csteelnews-own.json'), path.join(feedsDir, 'licenses', 'csteelnews-own.json'));
}
