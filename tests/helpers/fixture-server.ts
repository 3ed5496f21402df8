// A real HTTP server on 127.0.0.1 for ingest tests: serves given files or bodies at given paths with
// given headers, plus fixed routes that misbehave the way upstreams do. It records when the socket of
// a request closes, so tests can check that an aborted fetch really hangs up.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FixtureRoute = {
  path: string;
  status?: number;
  headers?: Record<string, string>;
} & ({ file: string } | { body: string | Buffer });

export interface FixtureServer {
  /** e.g. http://127.0.0.1:43117 */
  origin: string;
  url(path: string): string;
  /** Every request received, in order. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Resolves once the socket of a request to `path` has closed (at once if one already has). */
  socketClosed(path: string): Promise<void>;
  close(): Promise<void>;
}

/** ETag of the conditional route. */
export const ETAG = '"v1"';

const ETAG_BODY = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>etag</title></channel></rss>';

/**
 * Starts the server on an ephemeral port. Besides `routes`, it answers:
 * - `/hang`: reads the request, never answers;
 * - `/drip`: 200 with headers, then one byte every 100 ms, forever;
 * - `/status/500`: 500 Internal Server Error;
 * - `/etag`: ETag `"v1"`; 304 when If-None-Match matches and the request does not carry
 *   `Cache-Control: no-cache` (Express's rule, which is what real servers do), else 200;
 * - `/endless`: 200 with a body that never ends, written as fast as the client reads.
 */
export async function startFixtureServer(routes: FixtureRoute[] = []): Promise<FixtureServer> {
  const table = new Map(routes.map((r) => [r.path, { ...r, body: 'file' in r ? readFileSync(r.file) : Buffer.from(r.body) }]));
  const requests: FixtureServer['requests'] = [];
  const closedPaths = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, headers: req.headers });
    req.socket.once('close', () => {
      closedPaths.add(path);
      for (const resolve of waiters.get(path) ?? []) resolve();
      waiters.delete(path);
    });
    const route = table.get(path);
    if (route) {
      res.writeHead(route.status ?? 200, { 'content-length': String(route.body.length), ...route.headers });
      res.end(route.body);
      return;
    }
    builtIn(path, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    socketClosed(path) {
      if (closedPaths.has(path)) return Promise.resolve();
      return new Promise((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve]));
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function builtIn(path: string, req: IncomingMessage, res: ServerResponse): void {
  switch (path) {
    case '/hang':
      return;
    case '/drip': {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const timer = setInterval(() => res.write(' '), 100);
      res.once('close', () => clearInterval(timer));
      return;
    }
    case '/status/500':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      return;
    case '/etag': {
      const fresh = req.headers['if-none-match'] === ETAG && !/no-cache/.test(req.headers['cache-control'] ?? '');
      if (fresh) {
        res.writeHead(304, { etag: ETAG }).end();
        return;
      }
      res.writeHead(200, { etag: ETAG, 'content-type': 'application/rss+xml; charset=utf-8' }).end(ETAG_BODY);
      return;
    }
    case '/endless': {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
      return;
    }
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}
