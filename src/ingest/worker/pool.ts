// The ingest worker pool: every fetched document — feed, article page, list page — is decoded,
// parsed, extracted, sanitized and normalized in a worker thread (piscina), never on the thread that
// serves feeds. Each document has a time and a
// memory budget; one over budget fails with a clear error naming the budget, its worker is replaced,
// and the other documents and sources go on.

import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { CrawlError, ExtractError, FetchError, IngestError, ParseError, RobotsError, type IngestStage } from '../errors.js';
import { closeFetchPool } from './fetch-pool.js';
import { decodeItemLines } from './item-lines.js';
import type { FeedLines, Task, TaskResult } from './tasks.js';

/** The budget of one document in a worker. */
export interface DocumentBudget {
  /** Wall time before the worker running it is terminated. */
  timeMs: number;
  /** The V8 old-generation heap of a worker (resourceLimits.maxOldGenerationSizeMb). */
  memoryMb: number;
}

export const DEFAULT_BUDGET: DocumentBudget = { timeMs: 10_000, memoryMb: 512 };

let budget: DocumentBudget = DEFAULT_BUDGET;
let pool: Piscina | undefined;
/** Resolves when a worker has loaded the ingest modules (not counted in any document's budget). */
let warm: Promise<unknown> | undefined;

// Under tsx (tests, `npm run dev`) this module is the .ts source and so is the worker; from dist both
// are .js. The worker inherits the parent's execArgv (`--import tsx`), so it can load the .ts file.
const workerFile = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

function thePool(): Piscina {
  if (pool) return pool;
  const created = new Piscina({
    filename: workerFile,
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(2, availableParallelism() - 1)),
    // Idle workers end soon, so a CLI run (ingest, preview) exits when its work is done.
    idleTimeout: 500,
    resourceLimits: { maxOldGenerationSizeMb: budget.memoryMb },
  });
  // A worker that fails outside any task — one that runs out of memory while it loads the modules —
  // is reported as an 'error' event of the pool, which unheard would end the whole process.
  const failed = new Promise<never>((_, reject) => created.on('error', reject));
  failed.catch(() => undefined);
  pool = created;
  warm = Promise.race([created.run('ping'), failed]);
  return created;
}

/** Sets the per-document budget (the pool is rebuilt with it). For tests and configuration. */
export async function setDocumentBudget(next: Partial<DocumentBudget>): Promise<void> {
  budget = { ...budget, ...next };
  await closeIngestPool();
}

/** Stops the worker threads, the fetch thread's too (they are started again for the next document). */
export async function closeIngestPool(): Promise<void> {
  const old = pool;
  pool = undefined;
  warm = undefined;
  await Promise.all([old?.destroy(), closeFetchPool()]);
}

const ERRORS: Record<IngestStage, (message: string) => IngestError> = {
  fetcher: (m) => new FetchError(m),
  'parse-feed': (m) => new ParseError(m),
  robots: (m) => new RobotsError(m, { disallowed: false }),
  'crawl-list': (m) => new CrawlError(m),
  'extract-page': (m) => new ExtractError(m),
};

type Ok<K extends Task['kind']> = Extract<TaskResult, { ok: true; kind: K }>;

/** Per task kind: what the document is called in a budget error, and the stage that error is of. */
const KINDS: Record<Task['kind'], { what: string; stage: IngestStage }> = {
  feed: { what: 'feed document', stage: 'parse-feed' },
  article: { what: 'article page', stage: 'extract-page' },
  'page-item': { what: 'article page', stage: 'extract-page' },
  list: { what: 'list page', stage: 'crawl-list' },
  'page-text': { what: 'page', stage: 'extract-page' },
};

/**
 * Runs `task` in a worker within the budget. Resolves with its result; rejects with the typed ingest
 * error the stage raised, or with a ParseError / ExtractError / CrawlError (by task kind) naming the
 * budget that was exceeded or the fault of the worker (a stack overflow fails this document only).
 * `transfer` lists buffers of the task that are moved to the worker instead of copied (they are empty
 * here afterwards); a feed's items come back as JSON lines, read here in slices (item-lines.ts).
 */
export async function runInWorker<T extends Task>(task: T, options: { transfer?: ArrayBuffer[] } = {}): Promise<Ok<T['kind']>> {
  const { what, stage } = KINDS[task.kind];
  const fail = ERRORS[stage];
  const workers = thePool();
  try {
    await warm;
  } catch (err) {
    // No worker could start: the next document builds the pool again.
    if (pool === workers) await closeIngestPool();
    const code = (err as { code?: string }).code;
    const why = code === 'ERR_WORKER_OUT_OF_MEMORY' ? `within the ${budget.memoryMb} MB memory budget` : `(${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`;
    throw fail(`${what} could not be read: no ingest worker could start ${why}`);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), budget.timeMs);
  let result: TaskResult | FeedLines;
  try {
    result = (await workers.run(task, { signal: controller.signal, ...(options.transfer !== undefined && { transferList: options.transfer }) })) as TaskResult | FeedLines;
  } catch (err) {
    if (controller.signal.aborted) throw fail(`${what} took longer than its ${budget.timeMs / 1000} s budget; reading it was stopped`);
    const code = (err as { code?: string }).code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') throw fail(`${what} needed more than its ${budget.memoryMb} MB memory budget; reading it was stopped`);
    const message = err instanceof Error ? err.message : String(err);
    throw fail(`${what} could not be read (${message.split('\n')[0]})`);
  } finally {
    clearTimeout(timer);
  }
  if (!result.ok) throw ERRORS[result.stage](result.message);
  if ('itemLines' in result) {
    const { itemLines, itemCount, ...rest } = result;
    return { ...rest, items: await decodeItemLines(itemLines, itemCount) } as Ok<T['kind']>;
  }
  return result as Ok<T['kind']>;
}
