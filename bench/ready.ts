// What the benchmarks that start the service need before they measure: a free loopback port to give it,
// and a wait until it answers a URL with the body they expect.
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP port on 127.0.0.1 free a moment ago (the probe listened on it, then closed). */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Polls `url` every 100 ms until a 2xx body satisfies `ok`, and returns that body; throws naming the URL
 * after `seconds` (valgrind's service needs minutes to start, a plain one seconds).
 */
export async function waitFor(url: string, ok: (body: string) => boolean, seconds = 120): Promise<string> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.ok && ok(body)) return body;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bench: ${url} never became ready in ${seconds} s`);
}
