// An article page read as the pipeline reads it since pages moved into the worker pool: the `article`
// task (decode and extract, within the document budget), then the `page-item` task (the item).
import type { Channel, Item, ListSource, PageSource } from '../../src/model.js';
import { runInWorker } from '../../src/ingest/worker/pool.js';

export async function articleItemInWorker(html: string, ctx: { url: string; channel: Channel; source: ListSource | PageSource; now: Date }): Promise<{ item: Item }> {
  const { page } = await runInWorker({ kind: 'article', content: { html }, url: ctx.url, now: ctx.now.toISOString(), first: true });
  return runInWorker({ kind: 'page-item', page, channel: ctx.channel, source: ctx.source, now: ctx.now.toISOString() });
}
