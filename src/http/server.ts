// The HTTP server in front of Express. Plain feed polls are answered from the output cache before
// Express routes anything (app.publicFeeds.answer); everything else goes to the Express app.

import { createServer, type Server } from 'node:http';
import { type Logger, accessLine } from '../log.js';
import type { RequestMetrics } from '../metrics/metrics.js';
import type { createApp } from './app.js';

/**
 * A server whose fast path answers cached feed documents without Express. Those requests are counted
 * in the metrics (route /feeds/:file, as the Express route) and logged at info with the same access
 * line as the Express request log (request-log.ts), assembled by log.ts's accessLine; the logger's
 * destination is buffered, so a line costs no write of its own.
 */
export function createFeedServer(app: ReturnType<typeof createApp>, metrics: RequestMetrics, log: Logger): Server {
  const logAccess = accessLine(log);
  return createServer((req, res) => {
    const started = performance.now();
    if (!app.publicFeeds.answer(req, res)) {
      app(req, res);
      return;
    }
    const ms = performance.now() - started;
    metrics.recordRequest('/feeds/:file', res.statusCode, ms / 1000);
    // The fast path serves only /feeds/<id>.<ext> with at most ?limit=N: no partner key can be in the URL.
    logAccess?.(req.method!, req.url!, res.statusCode, Math.round(ms * 10) / 10);
  });
}
