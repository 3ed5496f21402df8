// The channel, license and items the serving and render benchmarks share: 50 items of about 2 KB of
// CJK text each (the RSS document is about 170 KB), so their figures describe the same document.
import type { Channel, Item, License } from '../src/model.js';

export const PARAGRAPH = '河钢集团推进产能置换与超低排放改造，氢冶金示范项目进入调试阶段，海外市场订单同比增长。';

export const LICENSE: License = {
  id: 'bench-license',
  title: '基准许可',
  holder: '基准网',
  statement: '转载须注明出处及作者。',
  reprint: { permission: 'attribution', attributionTemplate: '来源:{source} 作者:{authors}' },
  publicContent: 'full',
};

/** A channel of one feed source (a file under the benchmark's FEEDS_DIR/samples). */
export function benchChannel(id = 'bench', sourceFile = 'bench.rss.xml'): Channel {
  return {
    id,
    title: '基准频道',
    description: `${id} items`,
    language: 'zh-CN',
    link: 'http://bench.example.cn/',
    timezone: 'Asia/Shanghai',
    schedule: '0 0 1 1 *',
    license: LICENSE.id,
    licenseRules: [],
    maxItems: 500,
    sources: [{ id: 'bench-rss', type: 'feed', url: `samples/${sourceFile}` }],
  };
}

/** `count` stored items of channel `bench`, oldest first, an hour apart from 2026-10-01. */
export function benchItems(count: number): Item[] {
  return Array.from({ length: count }, (_, n) => ({
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
  }));
}

/** An upstream RSS document of `count` items of about 2 KB each (50 make the 169 KB large document). */
export function upstreamFeed(count: number): string {
  const items = Array.from({ length: count }, (_, n) => {
    const date = new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toUTCString();
    return `<item><title>基准新闻 ${n}</title><link>http://bench.example.cn/${n}.html</link><guid isPermaLink="false">bench-${n}</guid><pubDate>${date}</pubDate><dc:creator>李明</dc:creator><description>${PARAGRAPH}</description><content:encoded><![CDATA[${`<p>${PARAGRAPH.repeat(4)}</p>`.repeat(4)}]]></content:encoded></item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>基准</title><link>http://bench.example.cn/</link><description>bench</description>
${items.join('\n')}
</channel></rss>`;
}
