// GETs one after another on one kept-alive connection: a reader polling while the service works
// (thousands of GETs must not use up the loopback's ports, as a new connection each would).
import { Agent, request } from 'node:http';

export function sequentialGetter(): { get(url: string): Promise<{ status: number; body: string }>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    get: (url) =>
      new Promise((resolve, reject) => {
        request(url, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
          .on('error', reject)
          .end();
      }),
    close: () => agent.destroy(),
  };
}
