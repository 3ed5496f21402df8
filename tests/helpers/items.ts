import { createHash } from 'node:crypto';
import type { Item } from '../../src/model.js';

/** A fresh, valid Item for store tests; fields derive from `n` so items differ and sort predictably. */
export function makeItem(n: number, overrides: Partial<Item> = {}): Item {
  const id = createHash('sha256').update(`test\n${n}`).digest('hex').slice(0, 32);
  const publishedAt = new Date(Date.UTC(2019, 5, 1, 0, 0, 0) + n * 3_600_000).toISOString();
  const item: Item = {
    id,
    guid: `urn:uuid:${id.slice(0, 8)}-${id.slice(8, 12)}-5${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20, 32)}`,
    channelIds: ['c'],
    sourceId: 's',
    title: `第${n}条新闻`,
    link: `http://news.example.cn/${n}.html`,
    summary: `摘要 ${n}`,
    publishedAt,
    updatedAt: publishedAt,
    categories: [],
    attribution: { authors: ['李明'], source: { name: '河北日报', original: false } },
    licenseId: 'own',
    contentHash: `hash-${n}`,
    ingestedAt: '2019-07-01T00:00:00.000Z',
    ...overrides,
  };
  return item;
}
