// Operations from the command line, as a new operator meets it: --help everywhere, a bad variable and a
// bad channel file each reported in one line with exit code 2, progress over many channels on stderr
// with stdout left to the results, and SIGINT (Ctrl-C) stopping a server cleanly with exit code 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/index.js';
import { runSyndicator } from '../helpers/spawn.js';
import { ROOT, copyOfFeeds, tempDir } from '../helpers/temp.js';

function allCommands(command: Command, prefix: string[] = []): { path: string[]; command: Command }[] {
  return command.commands.flatMap((c) => [{ path: [...prefix, c.name()], command: c }, ...allCommands(c, [...prefix, c.name()])]);
}

test('every command and subcommand has a description and help; `--help` exits 0; exit codes are in the help', async () => {
  const commands = allCommands(buildProgram({}));
  const names = commands.map((c) => c.path.join(' '));
  for (const expected of ['serve', 'ingest', 'preview', 'check', 'status', 'partner add', 'partner grant', 'ledger', 'store backups', 'store restore']) {
    assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
  }
  for (const { path: p, command } of commands) {
    assert.ok(command.description().length > 10, `${p.join(' ')} has a description`);
    assert.match(command.helpInformation(), new RegExp(`^Usage: syndicator ${p.join(' ')}`), p.join(' '));
  }
  const top = await runSyndicator(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Exit codes: 0 success; 1 .*; 2 bad usage or configuration/);
  const nested = await runSyndicator(['partner', 'grant', '--help']);
  assert.equal(nested.code, 0);
  assert.match(nested.stdout, /--channel/);
  const unknown = await runSyndicator(['frobnicate']);
  assert.equal(unknown.code, 2);
});

test('a bad variable: one line naming each variable and what it expects, exit 2, no stack', async () => {
  const r = await runSyndicator(['serve'], { PORT: 'eighty', LOG_LEVEL: 'loud' });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^syndicator: config: /);
  assert.match(lines[0]!, /PORT: expected a whole number/);
  assert.match(lines[0]!, /LOG_LEVEL: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);

  const empty = await tempDir('syndicator-cli-empty-');
  try {
    const none = await runSyndicator(['serve'], { FEEDS_DIR: empty.dir, DATA_DIR: empty.dir, PORT: '0', HOST: '127.0.0.1' });
    assert.equal(none.code, 2, 'no valid channel is a configuration error');
    assert.match(none.stderr, /^syndicator: config: FEEDS_DIR: no valid channel in .*; run "syndicator check" for details\n$/m);
  } finally {
    await empty.dispose();
  }
});

test('ingest over several channels: progress on stderr, one result line per source on stdout; a broken channel file is named', async () => {
  const feeds = await copyOfFeeds();
  const data = await tempDir('syndicator-cli-data-');
  try {
    await writeFile(path.join(feeds.dir, 'broken.json'), '{ "id": "broken", ');
    const check = await runSyndicator(['check'], { FEEDS_DIR: feeds.dir, DATA_DIR: data.dir });
    assert.equal(check.code, 2);
    assert.match(check.stderr, /broken\.json: not valid JSON/);

    const r = await runSyndicator(['ingest'], { FEEDS_DIR: feeds.dir, DATA_DIR: data.dir });
    assert.equal(r.code, 0, r.stderr);
    const results = r.stdout.trim().split('\n');
    assert.equal(results.length, 5, r.stdout);
    for (const line of results) assert.match(line, /^(enterprise|metals)\/[a-z0-9-]+: \d+ fetched, \d+ new, \d+ updated, \d+ unchanged \(\d+ ms\)$/);
    assert.match(r.stderr, /broken\.json/);
    assert.match(r.stderr, /^ingest: 5 source\(s\) in 2 channel\(s\)$/m);
    assert.match(r.stderr, /^ingest: \[1\/2 channels, \d\/5 sources, 0 failed\] /m);
    assert.match(r.stderr, /^ingest: \[2\/2 channels, 5\/5 sources, 0 failed\] /m);

    const quiet = await runSyndicator(['ingest', '--no-progress'], { FEEDS_DIR: feeds.dir, DATA_DIR: data.dir });
    assert.equal(quiet.code, 0);
    assert.doesNotMatch(quiet.stderr, /^ingest: \[/m);
  } finally {
    await feeds.dispose();
    await data.dispose();
  }
});

test('SIGINT stops `serve` cleanly: the store closed, "stopped" logged, exit 0', async (t) => {
  const data = await tempDir('syndicator-cli-sigint-');
  t.after(data.dispose);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  while (!log.includes('"msg":"serving"') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  const { url } = JSON.parse(log.split('\n').find((l) => l.includes('"msg":"serving"'))!) as { url: string };
  const metrics = await fetch(`${url}/metrics`);
  assert.equal(metrics.status, 200);
  await metrics.text();
  child.kill('SIGINT');
  const [code, signal] = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0, log);
  assert.match(log, /"signal":"SIGINT","msg":"shutting down"/);
  assert.match(log, /"msg":"stopped"/);
});
