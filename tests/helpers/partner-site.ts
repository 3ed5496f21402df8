// A partner medium's web site on 127.0.0.1: pages a test can change between two requests (a reprint
// that later loses its attribution), served in the charset each page declares, with an optional
// robots.txt. Records every request path with the User-Agent that asked.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';

export interface SitePage {
  html: string;
  /** The bytes are encoded in this charset (default utf-8). */
  charset?: string;
  /** The Content-Type header as sent; default `text/html; charset=<charset>`. */
  contentType?: string;
}

export interface PartnerSite {
  origin: string;
  url(path: string): string;
  /** Adds or replaces a page. */
  set(path: string, page: SitePage): void;
  remove(path: string): void;
  requests: { path: string; userAgent: string }[];
  close(): Promise<void>;
}

export async function startPartnerSite(pages: Record<string, SitePage> = {}, robots?: string): Promise<PartnerSite> {
  const table = new Map(Object.entries(pages));
  const requests: { path: string; userAgent: string }[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, userAgent: req.headers['user-agent'] ?? '' });
    if (path === '/robots.txt' && robots !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(robots);
      return;
    }
    const page = table.get(path);
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const charset = page.charset ?? 'utf-8';
    const body = iconv.encode(page.html, charset);
    res.writeHead(200, { 'content-type': page.contentType ?? `text/html; charset=${charset}`, 'content-length': body.length }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    set: (path, page) => void table.set(path, page),
    remove: (path) => void table.delete(path),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A partner's article page: a title, a byline block, the body paragraphs, and whatever extra HTML. */
export function articlePage(opts: { title: string; byline?: string; paragraphs: readonly string[]; extra?: string; charset?: string }): string {
  const meta = opts.charset === undefined ? '' : `<meta charset="${opts.charset}">`;
  return `<!DOCTYPE html><html><head>${meta}<title>${opts.title} - 河北钢铁报</title><style>.x{color:red}</style></head>
<body><header><nav><a href="/">首页</a> <a href="/news/">新闻</a></nav></header>
<article><h1>${opts.title}</h1>
${opts.byline === undefined ? '' : `<div class="byline">${opts.byline}</div>`}
${opts.paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
${opts.extra ?? ''}
</article><footer>河北钢铁报 版权所有</footer></body></html>`;
}
