// The entry file piscina loads in each ingest worker thread (see worker/pool.ts). 'ping' answers once
// the modules are loaded, so a cold start is not counted in a document's budget.
import { runTask, type Task } from './tasks.js';

export default function run(task: Task | 'ping') {
  return task === 'ping' ? 'pong' : runTask(task);
}
