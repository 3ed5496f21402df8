import { Worker } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
const dir = process.argv[2]!;
const ids = Array.from({ length: 10 }, (_, i) => `ch${i}`);
const files = ids.map((id) => path.join(dir, 'channels', `${id}.json`));
const mode = process.argv[3];
const t0 = performance.now();
const keep: unknown[] = [];
if (mode === 'worker') {
  const w = new Worker(`const { parentPort } = require('node:worker_threads'); const { readFileSync } = require('node:fs');
parentPort.on('message', (file) => { parentPort.postMessage(readFileSync(file, 'utf8')); });`, { eval: true });
  w.unref();
  const pending: ((s: string) => void)[] = [];
  w.on('message', (s: string) => pending.shift()!(s));
  const read = (f: string) => new Promise<string>((r) => { pending.push(r); w.postMessage(f); });
  // all requests queued at once: worker decodes sequentially, main parses as they arrive
  const texts = files.map(read);
  for (const t of texts) keep.push(JSON.parse(await t));
} else {
  for (const f of files) keep.push(JSON.parse(await readFile(f, 'utf8')));
}
console.log(mode, Math.round(performance.now() - t0), 'ms', Math.round(process.resourceUsage().maxRSS / 1024), 'MiB peak');
