// The repository stands on its own: a user's clone has nothing beside it, so no source, test, benchmark
// or script may read a path outside the repository. This scans every file that runs and fails on a
// reference to a sibling folder or to a machine-specific absolute path.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { ROOT } from '../helpers/temp.js';

const SCANNED = ['src', 'tests', 'bench', 'bin', '.ci', 'assets', 'deploy', 'package.json', 'Dockerfile'];
const SKIPPED_DIRS = new Set(['node_modules', 'fixtures', 'artifacts', 'schemas']);
const CODE = /\.(?:[cm]?[jt]s|json|sh|conf|xsl|py)$|^(?:run|Dockerfile)$/;

function filesUnder(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return [rel];
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries.flatMap((e) => {
    const child = path.join(rel, e.name);
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : filesUnder(child);
    return CODE.test(e.name) ? [child] : [];
  });
}

// Built from pieces so that this file does not match itself.
const SIBLING = ['..', 'shared'].join('/');
const FORBIDDEN: { what: string; test: (line: string) => boolean }[] = [
  { what: `a sibling folder (${SIBLING})`, test: (l) => l.includes(SIBLING) },
  { what: 'a path above the repository root', test: (l) => /resolve\(ROOT, ['"]\.\.['"/]/.test(l) },
  { what: 'a machine-specific absolute path', test: (l) => /['"`](?:\/work|\/home|\/root|\/Users)\//.test(l) },
];

/** Every offending line in the repository, as `file:line: what`. */
function offences(): string[] {
  const found: string[] = [];
  for (const file of SCANNED.flatMap(filesUnder)) {
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const rule of FORBIDDEN) if (rule.test(line)) found.push(`${file}:${i + 1}: ${rule.what}`);
    });
  }
  return found;
}

describe('the repository stands on its own', () => {
  it('scans the sources, tests, benchmarks and scripts (and would see an offence)', () => {
    const files = SCANNED.flatMap(filesUnder);
    assert.ok(files.some((f) => f.startsWith('src/')) && files.some((f) => f.startsWith('tests/')), 'scan found no files');
    assert.ok(files.includes(path.join('tests', 'architecture', 'self-contained.test.ts')));
    // The rules catch what they are for.
    assert.ok(FORBIDDEN[0]!.test(`readFileSync('${SIBLING}/fixtures/x.html')`));
    assert.ok(FORBIDDEN[1]!.test(['path.resolve(ROOT, ', "'..", "/fixtures')"].join('')));
    assert.ok(FORBIDDEN[2]!.test(`const dir = '${'/wo' + 'rk'}/main/tests'`));
  });

  it('no file reads a path outside the repository', () => {
    assert.deepEqual(offences(), []);
  });
});
