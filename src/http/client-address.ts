// The address of the client a request came from. Requests the serving thread passes on reach Express
// over a private Unix socket, with the client's address in a header the serving thread sets (and a
// client's own of that name dropped); only the server made for that socket reads it (server.ts).

import type { IncomingMessage } from 'node:http';
import { CLIENT_HEADER } from './serving-protocol.js';

const forwarded = new WeakMap<IncomingMessage, string>();

/** Takes the client's address from the serving thread's header and removes the header. */
export function takeForwardedClient(req: IncomingMessage): void {
  const address = req.headers[CLIENT_HEADER];
  if (typeof address === 'string') forwarded.set(req, address);
  delete req.headers[CLIENT_HEADER];
}

/** The client's address: as the serving thread saw it, else the socket's peer. */
export function clientAddress(req: IncomingMessage): string {
  return forwarded.get(req) ?? req.socket.remoteAddress ?? '';
}
