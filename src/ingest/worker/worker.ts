// The entry file piscina loads in each ingest worker thread (see worker/pool.ts). 'ping' answers once
// the modules are loaded, so a cold start is not counted in a document's budget. A feed's items go back
// as JSON lines in a buffer that is moved, not cloned (item-lines.ts).
// First: the thread is lowered before the ingest modules below load (ESM evaluates imports in order).
import './background.js';
import { Piscina } from 'piscina';
import { encodeItemLines } from './item-lines.js';
import { runTask, type FeedLines, type Task } from './tasks.js';

export default async function run(task: Task | 'ping') {
  if (task === 'ping') return 'pong';
  const result = await runTask(task);
  if (!result.ok || result.kind !== 'feed') return result;
  const { items, ...rest } = result;
  const itemLines = encodeItemLines(items);
  const wire: FeedLines = { ...rest, itemLines, itemCount: items.length };
  return Piscina.move({ [Piscina.transferableSymbol]: itemLines.buffer, [Piscina.valueSymbol]: wire } as unknown as Parameters<typeof Piscina.move>[0]);
}
