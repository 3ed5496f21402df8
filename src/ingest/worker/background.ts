// Imported first by the worker entry (worker.ts), so that this thread is lowered before the ingest
// modules load: loading them (cheerio, the parsers) is the costliest thing a new worker does.
// Ingest is background work: when a worker and the thread serving feeds want the same core, the
// serving thread should get it (src/thread-priority.ts, which in `serve` also sweeps every other
// thread). Never import this module on another thread: it would lower that thread.
import { lowerThisThread } from '../../thread-priority.js';

lowerThisThread();
