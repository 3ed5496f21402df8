// The renderers alone: one channel of 50 items (the items bench/serve.ts stores), rendered in every
// format many times in one process; prints the median and 95th percentile per format. The render
// cost after a change, without the store and HTTP around it. Run: npm run bench:render
import type { Item } from '../src/model.js';
import { formats } from '../src/render/index.js';
import { benchChannel, benchItems, LICENSE } from './documents.js';

const channel = benchChannel();
const items: Item[] = benchItems(50).reverse();
const ctx = {
  baseUrl: 'http://127.0.0.1:8080',
  now: new Date('2026-11-01T00:00:00Z'),
  licenses: new Map([[LICENSE.id, LICENSE]]),
  links: { hub: 'http://127.0.0.1:8080/websub', stylesheet: '/assets/feed.xsl' },
};

const RUNS = 300;
const WARMUP = 30;
const lines: string[] = [];
for (const format of Object.values(formats)) {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    const started = performance.now();
    format.render(channel, items, ctx);
    if (i >= WARMUP) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  lines.push(`${format.id}: median ${at(0.5)} ms, p95 ${at(0.95)} ms (50 items, ${RUNS} renders)`);
}
console.log(lines.join('\n'));
