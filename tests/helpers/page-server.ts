// A real HTTP server on 127.0.0.1 for crawl tests: serves files or bodies at given paths, answers
// 404 to anything else, and records every request with its start and end time and how many requests
// were in flight at once, so tests can check politeness (no overlap, pauses between requests).

import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageRoute {
  file?: string;
  body?: string | Buffer;
  /** Content-Type header; none is sent when absent. */
  type?: string;
  status?: number;
}

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** performance.now() when the request arrived and when its response ended. */
  start: number;
  end: number;
}

export interface PageServer {
  origin: string;
  url(path: string): string;
  requests: RecordedRequest[];
  /** The most requests this server had in flight at the same time. */
  maxInFlight(): number;
  /** Requests whose path is `path`. */
  count(path: string): number;
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port; each response is sent `latencyMs` after its request arrived. */
export async function startPageServer(routes: Record<string, PageRoute>, opts: { latencyMs?: number } = {}): Promise<PageServer> {
  const bodies = new Map(Object.entries(routes).map(([path, r]) => [path, { ...r, bytes: r.file ? readFileSync(r.file) : Buffer.from(r.body ?? '') }]));
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const record: RecordedRequest = { path, headers: req.headers, start: performance.now(), end: Number.NaN };
    requests.push(record);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      const route = bodies.get(path);
      const status = route ? (route.status ?? 200) : 404;
      const headers: Record<string, string> = { 'content-length': String(route ? route.bytes.length : 9) };
      if (route?.type) headers['content-type'] = route.type;
      res.writeHead(status, headers);
      res.end(route ? route.bytes : 'not found', () => {
        inFlight -= 1;
        record.end = performance.now();
      });
    }, opts.latencyMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    maxInFlight: () => maxInFlight,
    count: (path) => requests.filter((r) => r.path === path).length,
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
