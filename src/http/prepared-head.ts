// A response head checked once and written many times: what the serving thread (serving-worker.ts)
// sends for every poll of a published document. A leaf: it imports only node:http.
//
// `res.writeHead(status, list)` checks every header name and value again on each call (node:http's
// validateHeaderName and validateHeaderValue, two regular expressions a header). node:http skips those
// checks for the headers it keeps itself (setHeader checked them when they were set): a response
// whose header record (OutgoingMessage's kOutHeaders) is set is written from it unchecked. So a head
// is checked here once, with the same public validators, and its record is given to each response.
// node:http does not export that record's symbol; it is found on a response, and where it is not
// (another node:http), every response is written with writeHead(status, list), as before.

import { type IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';

/** node:http's header record of a response: lower-cased name → [name as sent, value]. */
type HeaderRecord = Record<string, [string, string]>;

export interface PreparedHead {
  /** The header lines as a flat [name, value, …] list, as writeHead takes them. */
  readonly list: readonly string[];
  /** The same headers as node:http's header record, where node:http keeps one (see above) and no header repeats. */
  readonly record: HeaderRecord | undefined;
}

/** The symbol under which a node:http response keeps its header record, if this node:http has one. */
export const HEADER_RECORD: symbol | undefined = (() => {
  const probe = new ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as IncomingMessage);
  const symbol = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kOutHeaders');
  if (symbol === undefined) return undefined;
  // It must be the record setHeader fills and getHeader reads, in the shape assumed here.
  probe.setHeader('X-Probe', 'a');
  const record = (probe as unknown as Record<symbol, unknown>)[symbol] as HeaderRecord | null;
  return record?.['x-probe']?.[0] === 'X-Probe' && record['x-probe'][1] === 'a' ? symbol : undefined;
})();

/** Checks the header list once (throws on a name or value node:http would refuse) and prepares it. */
export function prepareHead(list: readonly string[], recordSymbol: symbol | undefined = HEADER_RECORD): PreparedHead {
  if (list.length % 2 !== 0) throw new Error('a header list holds name, value pairs');
  for (let i = 0; i < list.length; i += 2) {
    validateHeaderName(list[i]!);
    validateHeaderValue(list[i]!, list[i + 1]!);
  }
  if (recordSymbol === undefined) return { list, record: undefined };
  // A null prototype, as node:http's own records have, given to a plain object: V8 keeps that object
  // in fast mode, where node:http's `for…in` over it reads a cached key list. A null-prototype literal
  // or Object.create(null) is made in dictionary mode, where `for…in` collects and sorts the keys on
  // every response (280 against 13 ns for two keys, measured on node 20).
  const record = Object.setPrototypeOf({}, null) as HeaderRecord;
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    const value = list[i + 1]!;
    const key = name.toLowerCase();
    // A record writes a repeated header's lines together, not where the list has them: such a head
    // is written from its list, as given.
    if (record[key] !== undefined) return { list, record: undefined };
    record[key] = [name, value];
  }
  return { list, record };
}

/**
 * Writes the status line and the prepared head (node:http adds Date, Connection and, for a body
 * without a length, Transfer-Encoding, as it does for writeHead). The record is shared by every
 * response given it: node:http does not change a response's headers once they are written (setHeader
 * and removeHeader throw then), and nothing else is set on these responses.
 */
export function writePreparedHead(res: ServerResponse, status: number, head: PreparedHead): ServerResponse {
  if (head.record === undefined || HEADER_RECORD === undefined) return res.writeHead(status, head.list as string[]);
  (res as unknown as Record<symbol, unknown>)[HEADER_RECORD] = head.record;
  return res.writeHead(status);
}
