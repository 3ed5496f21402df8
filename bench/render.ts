// The renderers alone: one channel of 50 items (the items bench/serve.ts stores), rendered in every
// format many times in one process; prints the median and 95th percentile per format, of the render
// to bytes (renderBytes, what the output cache stores and serves) and of the render to text. The
// render cost after a change, without the store and HTTP around it. Run: npm run bench:render
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
  const figures: string[] = [];
  for (const [what, render] of [
    ['bytes', () => format.renderBytes(channel, items, ctx)],
    ['text', () => format.render(channel, items, ctx)],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      const started = performance.now();
      render();
      if (i >= WARMUP) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
    figures.push(`${what} median ${at(0.5)} ms, p95 ${at(0.95)} ms`);
  }
  lines.push(`${format.id}: ${figures.join('; ')} (50 items, ${RUNS} renders each)`);
}
console.log(lines.join('\n'));
