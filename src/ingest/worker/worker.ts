// The entry file piscina loads in each ingest worker thread (see worker/pool.ts).
import { runTask } from './tasks.js';

export default runTask;
