// The renderers alone: one channel of 50 items (the items bench/serve.ts stores), rendered in every
// format many times in one process; prints the median and 95th percentile per format. The render
// cost after a change, without the store and HTTP around it. Run: npm run bench:render
import type { Channel, Item, License } from '../src/model.js';
import { formats } from '../src/render/index.js';

const PARAGRAPH = '河钢集团推进产能置换与超低排放改造，氢冶金示范项目进入调试阶段，海外市场订单同比增长。';
const LICENSE: License = {
  id: 'bench-license',
  title: '基准许可',
  holder: '基准网',
  statement: '转载须注明出处及作者。',
  reprint: { permission: 'attribution', attributionTemplate: '来源:{source} 作者:{authors}' },
  publicContent: 'full',
};
const channel: Channel = {
  id: 'bench',
  title: '基准频道',
  description: '50 items',
  language: 'zh-CN',
  link: 'http://bench.example.cn/',
  timezone: 'Asia/Shanghai',
  schedule: '0 0 1 1 *',
  license: LICENSE.id,
  licenseRules: [],
  maxItems: 500,
  sources: [{ id: 'bench-rss', type: 'feed', url: 'samples/bench.rss.xml' }],
};
const items: Item[] = Array.from({ length: 50 }, (_, n) => ({
  id: `bench-${String(n).padStart(4, '0')}`,
  guid: `urn:uuid:00000000-0000-5000-8000-${String(n).padStart(12, '0')}`,
  channelIds: ['bench'],
  sourceId: 'bench-rss',
  title: `基准新闻 ${n}`,
  link: `http://bench.example.cn/${n}.html`,
  summary: PARAGRAPH,
  contentHtml: `<p>${PARAGRAPH.repeat(4)}</p>`.repeat(4),
  publishedAt: new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toISOString(),
  updatedAt: new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toISOString(),
  categories: ['企业'],
  attribution: { authors: ['李明'], source: { name: '基准网', url: 'http://bench.example.cn/', original: true } },
  licenseId: LICENSE.id,
  contentHash: `h${n}`,
  ingestedAt: '2026-10-01T00:00:00.000Z',
})).reverse();
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
