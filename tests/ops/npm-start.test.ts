// `npm start` as a user runs it: npm → sh → node. SIGTERM sent to the npm process (what a supervisor or
// `kill <pid of npm>` does) must stop the service: the port closes and no process of the run is left
// serving. A copy of the project in a temp directory builds itself from a fresh state, as a clone would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, readdir, readFile, symlink } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, tempDir } from '../helpers/temp.js';

const PROJECT_FILES = ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'feeds', 'assets', 'docs'];

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Live processes (pid and command line) whose process group is `pgid` (Linux /proc). */
async function processGroup(pgid: number): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
      found.push(`${entry} ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

test('SIGTERM to the `npm start` process stops the service: the port closes and nothing is left running', async (t) => {
  const project = await tempDir('syndicator-npm-start-');
  for (const name of PROJECT_FILES) await cp(path.join(ROOT, name), path.join(project.dir, name), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(project.dir, 'node_modules'));
  const port = await freePort();
  // Its own process group, so the test can tell whether any process of this run survives.
  const npm = spawn('npm', ['start'], {
    cwd: project.dir,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(project.dir, 'data'), LOG_LEVEL: 'info' },
  });
  let log = '';
  npm.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = once(npm, 'exit');
  const pgid = npm.pid!;
  t.after(async () => {
    // Only if the test failed: end what this run left behind (its own process group), then clean up.
    if ((await processGroup(pgid)).length > 0) process.kill(-pgid, 'SIGKILL');
    await project.dispose();
  });

  // The first start compiles src/ (a fresh copy has no dist/), which takes a while on a busy machine.
  await waitFor('the service to listen', 240_000, () => listening(port));
  assert.ok((await processGroup(pgid)).some((p) => /\bnode\b.*bin\/start\.js/.test(p)), 'node runs under npm');

  process.kill(npm.pid!, 'SIGTERM');
  await exited;
  await waitFor('the port to close', 20_000, async () => !(await listening(port)));
  await waitFor('every process of the run to end', 20_000, async () => (await processGroup(pgid)).length === 0);
  assert.match(log, /"msg":"shutting down"/, 'the service shut down on the signal rather than being cut off');
  assert.match(log, /"msg":"stopped"/);
});
