// The HTTP server in front of Express. Plain feed polls are answered from the output cache before
// Express routes anything (app.publicFeeds.answer); everything else goes to the Express app.

import { createServer, type Server } from 'node:http';
import type { Logger } from '../log.js';
import type { RequestMetrics } from '../metrics/metrics.js';
import type { createApp } from './app.js';

/**
 * A server whose fast path answers cached feed documents without Express. Those requests are counted
 * in the metrics (route /feeds/:file, as the Express route) and, at LOG_LEVEL=debug only, logged; at
 * info the request log would cost more than the answer itself.
 */
export function createFeedServer(app: ReturnType<typeof createApp>, metrics: RequestMetrics, log: Logger): Server {
  const logFastPath = log.isLevelEnabled('debug');
  return createServer((req, res) => {
    const started = performance.now();
    if (!app.publicFeeds.answer(req, res)) {
      app(req, res);
      return;
    }
    const ms = performance.now() - started;
    metrics.recordRequest('/feeds/:file', res.statusCode, ms / 1000);
    if (logFastPath) log.debug({ method: req.method, url: req.url, status: res.statusCode, durationMs: Math.round(ms * 10) / 10 }, 'http: request');
  });
}
