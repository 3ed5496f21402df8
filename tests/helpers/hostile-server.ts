// One HTTP server on 127.0.0.1 with a route per way an upstream misbehaves (issue #6), plus the shipped
// samples as well-behaved feeds. Every request is recorded, so a test can assert that nothing asked
// for the XXE targets.

import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { FEEDS_DIR } from './temp.js';

export interface HostileServer {
  origin: string;
  url(path: string): string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Each fault route, by name; the path is `/${name}`. */
export const FAULTS = [
  'hang', 'drip', 'status-500', 'status-503', 'status-429', 'status-404', 'status-410', 'redirect-loop', 'too-big',
  'gzip-bomb', 'malformed', 'html', 'wrong-charset', 'empty', 'duplicate-guids', 'odd-dates', 'xxe', 'billion-laughs',
] as const;
export type Fault = (typeof FAULTS)[number];

/** Seconds the 503 route asks to wait. */
export const RETRY_AFTER_503 = 7200;

const rss = (title: string, items: string) =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title><link>http://hostile.example/</link>${items}</channel></rss>`;
const item = (guid: string | undefined, title: string, link: string, date = 'Thu, 27 Jun 2019 08:00:00 +0800') =>
  `<item>${guid === undefined ? '' : `<guid isPermaLink="false">${guid}</guid>`}<title>${title}</title><link>${link}</link><pubDate>${date}</pubDate><description>${title}</description></item>`;

/**
 * Starts the server. `bodyCap` sizes the oversized routes (they send more than it); `retryAt` is the
 * HTTP date the 429 route gives as Retry-After.
 */
export async function startHostileServer(opts: { bodyCap: number; retryAt: Date }): Promise<HostileServer> {
  const requests: string[] = [];
  const samples = path.join(FEEDS_DIR, 'samples');
  const files: Record<string, { body: Buffer; type: string }> = {
    '/good/rss.xml': { body: readFileSync(path.join(samples, 'steel-enterprise.rss.xml')), type: 'application/rss+xml; charset=utf-8' },
    '/good/atom.xml': { body: readFileSync(path.join(samples, 'steel-enterprise.atom.xml')), type: 'application/atom+xml' },
  };
  const bomb = gzipSync(Buffer.alloc(opts.bodyCap * 64, 0x20), { level: 9 });
  let origin = '';

  const bodies: Partial<Record<Fault, () => { type: string; body: Buffer | string; headers?: Record<string, string> }>> = {
    // Not well-formed, and no entry complete: nothing can be read around the errors.
    malformed: () => ({ type: 'application/rss+xml', body: '<?xml version="1.0"?><rss version="2.0"><channel><title>broken</titl><item><title>x' }),
    html: () => ({
      type: 'text/html; charset=utf-8',
      body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The upstream is down.</p></body></html>',
    }),
    // Declared UTF-8 by the header, but the bytes are GB18030 (as the prolog says).
    'wrong-charset': () => ({
      type: 'application/rss+xml; charset=utf-8',
      body: iconv.encode(
        rss('字符集', item('cs-1', '宝钢湛江钢铁三号高炉点火', 'http://hostile.example/charset/1')).replace('encoding="utf-8"', 'encoding="gb2312"'),
        'gb18030',
      ),
    }),
    empty: () => ({ type: 'application/rss+xml', body: rss('empty', '') }),
    'duplicate-guids': () => ({
      type: 'application/rss+xml',
      body: rss(
        'dupes',
        item('dup-1', 'First copy', 'http://hostile.example/dup/1') +
          item('dup-1', 'Second copy', 'http://hostile.example/dup/1b') +
          item(undefined, 'No guid, a link', 'http://hostile.example/dup/2') +
          item(undefined, 'No guid, a link', 'http://hostile.example/dup/2'),
      ),
    }),
    'odd-dates': () => ({
      type: 'application/rss+xml',
      body: rss(
        'dates',
        item('d-1', 'From the future', 'http://hostile.example/dates/1', 'Fri, 01 Jan 2100 00:00:00 GMT') +
          item('d-2', 'Undated nonsense', 'http://hostile.example/dates/2', 'the day after tomorrow') +
          item('d-3', 'Month 13', 'http://hostile.example/dates/3', '2019-13-45T99:00:00Z'),
      ),
    }),
    xxe: () => ({
      type: 'application/rss+xml',
      body:
        `<?xml version="1.0"?><!DOCTYPE rss SYSTEM "${origin}/xxe-dtd" [<!ENTITY file SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "${origin}/xxe-target">]>` +
        `<rss version="2.0"><channel><title>&file;</title>${item('x-1', 'leak &file; &net;', 'http://hostile.example/xxe/1')}</channel></rss>`,
    }),
    'billion-laughs': () => {
      const levels = ['<!ENTITY lol0 "lol">'];
      for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
      return {
        type: 'application/rss+xml',
        body: `<?xml version="1.0"?><!DOCTYPE rss [${levels.join('')}]><rss version="2.0"><channel><title>&lol9;</title>${item('l-1', '&lol9;', 'http://hostile.example/lol/1')}</channel></rss>`,
      };
    },
  };

  const server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(p);
    const file = files[p];
    if (file) return void res.writeHead(200, { 'content-type': file.type }).end(file.body);
    const fault = p.slice(1) as Fault;
    const fixed = bodies[fault];
    if (fixed) {
      const { type, body, headers } = fixed();
      return void res.writeHead(200, { 'content-type': type, ...headers }).end(body);
    }
    const chain = /^\/chain\/(\d+)$/.exec(p);
    if (chain) {
      const n = Number(chain[1]);
      if (n === 0) return void res.writeHead(200, { 'content-type': files['/good/rss.xml']!.type }).end(files['/good/rss.xml']!.body);
      return void res.writeHead(302, { location: `/chain/${n - 1}` }).end();
    }
    switch (p) {
      case '/hang':
        return;
      case '/drip': {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
        const timer = setInterval(() => res.write(' '), 100);
        res.once('close', () => clearInterval(timer));
        return;
      }
      case '/status-500':
        return void res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
      case '/status-503':
        return void res.writeHead(503, { 'retry-after': String(RETRY_AFTER_503), 'content-type': 'text/plain' }).end('maintenance');
      case '/status-429':
        return void res.writeHead(429, { 'retry-after': opts.retryAt.toUTCString(), 'content-type': 'text/plain' }).end('slow down');
      case '/status-404':
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      case '/status-410':
        return void res.writeHead(410, { 'content-type': 'text/plain' }).end('gone');
      case '/redirect-loop':
        return void res.writeHead(302, { location: '/redirect-loop-2' }).end();
      case '/redirect-loop-2':
        return void res.writeHead(301, { location: '/redirect-loop' }).end();
      case '/to-file':
        return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      case '/too-big': {
        // No Content-Length: the cap has to hold while streaming.
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>');
        const filler = Buffer.alloc(16 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (!res.destroyed && sent < opts.bodyCap * 8) {
            sent += filler.length;
            if (!res.write(filler)) return;
          }
          if (!res.destroyed) res.end('</channel></rss>');
        };
        res.on('drain', pump);
        pump();
        return;
      }
      case '/gzip-bomb':
        return void sendGzip(res, bomb);
      default:
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (p) => `${origin}${p}`,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function sendGzip(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': String(body.length) });
  res.end(body);
}
