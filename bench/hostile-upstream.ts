// The hostile side of bench/hostile.ts, in its own process (forked, with an IPC channel): an upstream
// site on 127.0.0.1 serving the hostile documents, a second one (another port) whose robots.txt is
// hostile, and on request the User-Agent flood — four clients without pause, each GET with a
// 16,000-digit User-Agent on a new connection. It sends { origin, robotsOrigin } when listening; then every message carries an id and is answered with { id } once done:
//   { hold: path | null }  requests for path are held until { release: true }; forgets what arrived
//   { arrived: path }      answered once a request for path has arrived (since the last hold)
//   { release: true }      the held requests are answered
//   { flood: url }, { stop: true }   the flood starts, stops
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PARAGRAPH = '河钢集团推进产能置换与超低排放改造，氢冶金示范项目进入调试阶段，海外市场订单同比增长。';
const rss = (items: string, title = '上游') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>http://127.0.0.1/</link><description>d</description>${items}</channel></rss>`;
const item = (n: number, date: string, extra = '', title = `新闻 ${n}`) =>
  `<item><title>${title}</title><link>http://up.example.cn/${n}.html</link><guid isPermaLink="false">g-${n}</guid><pubDate>${date}</pubDate>${extra}<description>${PARAGRAPH}</description></item>`;
const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><div class="date">2026-11-20 10:00</div>${body}</body></html>`;

/** The hostile documents, built once. */
function documents(): Record<string, { type: string; body: string }> {
  const base = Array.from({ length: 50 }, (_, n) => item(n, new Date(Date.UTC(2026, 10, 1) + n * 3_600_000).toUTCString())).join('');
  const month = Array.from({ length: 20_000 }, (_, n) => item(n, new Date(Date.UTC(2019, 3, 1) + n * 120_000).toUTCString())).join('');
  const links = Array.from({ length: 40_000 }, (_, n) => `<li><a href="/a/${n}.html">文章 ${n}</a></li>`).join('');
  const moreLinks = Array.from({ length: 110_000 }, (_, n) => `<li><a href="/a/${n}.html">文章 ${n}</a></li>`).join('');
  return {
    '/base.rss': { type: 'application/rss+xml', body: rss(base) },
    '/author.rss': { type: 'application/rss+xml', body: rss(item(1, 'Fri, 20 Nov 2026 10:00:00 +0800', `<author>${'@'.repeat(60_000)}</author>`)) },
    '/content.rss': {
      type: 'application/rss+xml',
      body: rss(item(1, 'Fri, 20 Nov 2026 10:00:00 +0800', `<content:encoded><![CDATA[${`<p>${PARAGRAPH}</p>`.repeat(Math.floor((12 * 1024 * 1024) / 136))}]]></content:encoded>`)).replace('<rss version="2.0">', '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'),
    },
    '/title.rss': { type: 'application/rss+xml', body: rss(item(1, 'Fri, 20 Nov 2026 10:00:00 +0800', '', '长'.repeat(10 * 1024 * 1024 / 3))) },
    '/month.rss': { type: 'application/rss+xml', body: rss(month) },
    '/list.html': { type: 'text/html; charset=utf-8', body: page('列表', `<ul class="list">${links}</ul>`) },
    '/list-110k.html': { type: 'text/html; charset=utf-8', body: page('列表', `<ul class="list">${moreLinks}</ul>`) },
    '/nested.html': { type: 'text/html; charset=utf-8', body: page('嵌套', `${'<div>'.repeat(5000)}<p>${PARAGRAPH}</p>${'</div>'.repeat(5000)}`) },
  };
}

// Encoded once: encoding a 10 MB string at each request would only slow this process.
const docs = Object.fromEntries(Object.entries(documents()).map(([url, d]) => [url, { type: d.type, body: Buffer.from(d.body) }]));
/** The second site's robots.txt, 15 MB: first a rule of 40 wildcards (a regular expression of it backtracks
 *  on a long path of "a"s), then filler rules. */
const hostileRobots = Buffer.from(`User-agent: *\nDisallow: /${'*a'.repeat(40)}b\n${'Disallow: /private/some/path/here\n'.repeat(450_000)}`);
let held: string | undefined;
let holding: (() => void)[] = [];
const arrivedPaths = new Set<string>();
const arrivalWaiters = new Map<string, (() => void)[]>();

const handler = (robots: boolean) => (req: IncomingMessage, res: ServerResponse) => {
  const url = req.url ?? '/';
  arrivedPaths.add(url);
  for (const resolve of arrivalWaiters.get(url) ?? []) resolve();
  arrivalWaiters.delete(url);
  const answer = () => {
    if (robots && url === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(hostileRobots);
    const doc = docs[url];
    if (doc) return void res.writeHead(200, { 'content-type': doc.type }).end(doc.body);
    if (url.startsWith('/a/')) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(`文章 ${url}`, `<div class="content"><p>${PARAGRAPH}</p></div>`));
    res.writeHead(404).end();
  };
  if (url === held) holding.push(answer);
  else answer();
};
const server = createServer(handler(false)).listen(0, '127.0.0.1');
const robotsServer = createServer(handler(true)).listen(0, '127.0.0.1');
await Promise.all([once(server, 'listening'), once(robotsServer, 'listening')]);

/** One GET with the flood's User-Agent, its body read and dropped; errors ignored (the flood goes on). */
function floodGet(url: string, ua: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { 'user-agent': ua } }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
}

let flooding: Promise<unknown> | undefined;
let stop = false;
process.on('message', (m: { id: number; flood?: string; stop?: boolean; hold?: string | null; arrived?: string; release?: boolean }) => {
  void (async () => {
    if (m.flood !== undefined) {
      stop = false;
      const ua = '1'.repeat(16_000);
      const url = m.flood;
      flooding = Promise.all(Array.from({ length: 4 }, async () => {
        while (!stop) await floodGet(url, ua);
      }));
    } else if (m.stop) {
      stop = true;
      await flooding;
    } else if (m.hold !== undefined) {
      held = m.hold ?? undefined;
      arrivedPaths.clear();
    } else if (m.arrived !== undefined) {
      const path = m.arrived;
      if (!arrivedPaths.has(path)) await new Promise<void>((resolve) => arrivalWaiters.set(path, [...(arrivalWaiters.get(path) ?? []), resolve]));
    } else if (m.release) {
      held = undefined;
      const answers = holding;
      holding = [];
      for (const answer of answers) answer();
    }
    process.send!({ id: m.id });
  })();
});
process.on('disconnect', () => process.exit(0));
process.send!({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, robotsOrigin: `http://127.0.0.1:${(robotsServer.address() as AddressInfo).port}` });
