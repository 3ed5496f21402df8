// The bare node:http server the serving benchmarks measure the service against (bench/serve.ts,
// bench/instructions.ts), and the request that reads from the service the bytes it replays. The server
// runs as `node -e SOURCE` with DOCS_FILE naming a JSON file of
// { path: { coding: { body (base64), etag, ok, notModified } } }; it prints its port.

import { type IncomingHttpHeaders, get as httpGet } from 'node:http';

/**
 * A bare node:http server answering each path with the given bytes and validators (gzip bytes when the
 * request accepts gzip, 304 on a matching If-None-Match): what the service does, without anything else.
 */
export function bareServerSource(): string {
  return `
    const http = require('node:http');
    const docs = JSON.parse(require('node:fs').readFileSync(process.env.DOCS_FILE, 'utf8'));
    const routes = new Map();
    for (const [path, codings] of Object.entries(docs)) {
      const byCoding = {};
      for (const [coding, d] of Object.entries(codings)) {
        byCoding[coding] = { body: Buffer.from(d.body, 'base64'), etag: d.etag, ok: d.ok, notModified: d.notModified };
      }
      routes.set(path, byCoding);
    }
    http.createServer((req, res) => {
      const doc = routes.get(req.url);
      if (!doc) { res.writeHead(404).end(); return; }
      const d = (req.headers['accept-encoding'] || '').includes('gzip') ? doc.gzip : doc.identity;
      if (req.headers['if-none-match'] === d.etag) { res.writeHead(304, d.notModified).end(); return; }
      res.writeHead(200, d.ok).end(d.body);
    }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;
}

/** One GET with the raw (still compressed) body; `sent` is the header list as sent, without the
 *  connection's own (Date, Connection, Keep-Alive), which node:http adds to every response alike. */
export function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; sent: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      const sent = res.rawHeaders.flatMap((v, i, all) => (i % 2 === 0 && !/^(date|connection|keep-alive)$/i.test(v) ? [v, all[i + 1]!] : []));
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, sent, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** One coding of a document as the bare server replays it (an entry of DOCS_FILE, see above). */
export interface ReplayedCoding {
  body: string;
  etag: string;
  ok: string[];
  notModified: string[];
}

/**
 * Reads one coding of a document from the service (its 200, then a 304 for its own ETag) as the bare
 * server replays it; throws if the service answers otherwise.
 */
export async function replayedCoding(url: string, coding: 'identity' | 'gzip'): Promise<ReplayedCoding> {
  const asked: Record<string, string> = coding === 'gzip' ? { 'Accept-Encoding': 'gzip' } : {};
  const ok = await rawGet(url, asked);
  if (ok.status !== 200 || (coding === 'gzip') !== (ok.headers['content-encoding'] === 'gzip')) throw new Error(`bench: ${url} ${coding}: unexpected answer`);
  const etag = String(ok.headers.etag);
  const notModified = await rawGet(url, { ...asked, 'If-None-Match': etag });
  if (notModified.status !== 304) throw new Error(`bench: ${url} ${coding}: no 304 for its own ETag`);
  // The bare server sends the same header lines, so both write the same bytes.
  return { body: ok.body.toString('base64'), etag, ok: ok.sent, notModified: notModified.sent };
}
