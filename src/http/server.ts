// The main thread's HTTP server: plain feed polls are answered from the output cache before Express
// routes anything (app.publicFeeds.answer); everything else goes to the Express app. Under `serve` it
// listens nowhere: the serving thread (serving-thread.ts) owns the public address and passes it the
// requests it does not answer itself, over in-memory connections.

import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type Logger, accessLine } from '../log.js';
import type { RequestMetrics } from '../metrics/metrics.js';
import type { createApp } from './app.js';
import { takeForwardedClient } from './client-address.js';

/**
 * A server whose fast path answers cached feed documents without Express. Those requests are counted
 * in the metrics (route /feeds/:file, as the Express route) and logged at info with the same access
 * line as the Express request log (request-log.ts), assembled by log.ts's accessLine; the logger's
 * destination is buffered, so a line costs no write of its own. With `behindServingThread`, the client's
 * address is read from the serving thread's header (client-address.ts).
 */
export function createFeedServer(app: ReturnType<typeof createApp>, metrics: RequestMetrics, log: Logger, options: { behindServingThread?: boolean } = {}): Server {
  const logAccess = accessLine(log);
  const behind = options.behindServingThread === true;
  return createServer((req, res) => {
    const started = performance.now();
    // Only the serving thread reaches this server then: its header names the client.
    if (behind) takeForwardedClient(req);
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
