// What the main thread and the serving thread (serving-worker.ts) say to each other. A leaf, like
// validators.ts: the serving thread loads nothing else of ours.

import type { ContentCoding } from './validators.js';

/** What the main thread starts the serving thread with. */
export interface ServingInit {
  host: string;
  port: number;
  /** One generation counter per channel (Int32Array over it): bumped by the main thread when the channel changes. */
  generations: SharedArrayBuffer;
  /** The access line's level number and the logger's bindings (`,"service":"syndicator"`); absent when info is off. */
  accessLog?: { level: number; bindings: string };
  /** The User-Agent characters the subscriber statistics read (subscribers.ts, MAX_AGENT_LENGTH); a poll keeps no more. */
  agentLength: number;
  /** How long a kept-alive connection may stay idle (said to clients in `Keep-Alive: timeout=`, in whole seconds). */
  keepAliveMs: number;
}

/** The answer to one plain feed URL in one content coding, valid until `validUntil` (ms) at generation `generation`. */
export interface PublishedAnswer {
  url: string;
  slot: number;
  generation: number;
  validUntil: number;
  channel: string;
  format: string;
  /** The identity ETag and Last-Modified of the document (validators compare against them). */
  etag: string;
  lastModified?: string;
  coding: ContentCoding;
  body: Uint8Array;
  ok: string[];
  okBrowser: string[];
  notModified: string[];
}

/** Fast-path requests counted since the last batch (route /feeds/:file). */
export interface RequestCounts {
  statuses: [status: number, count: number][];
  /** Non-cumulative counts per bucket of HTTP_BUCKETS (metrics/buckets.ts), the last one +Inf. */
  buckets: number[];
  /** Sum of durations in seconds. */
  sum: number;
  count: number;
}

/** A poll for the subscriber statistics: the latest time (ms) this client polled this feed. */
export type Poll = [channel: string, format: string, userAgent: string, address: string, seenAt: number];

/** A request the serving thread does not answer itself, passed whole to the main thread's server. */
export interface PassedRequest {
  id: number;
  method: string;
  url: string;
  /** Its header lines as [name, value, …], without hop-by-hop ones. */
  headers: string[];
  /** The client's address as the serving thread saw it. */
  client: string;
  body?: Uint8Array;
}

/** The main thread's answer to a PassedRequest, whole; `failed` when it could not answer (a 502 is sent). */
export type PassedAnswer =
  | { id: number; status: number; headers: string[]; body: Uint8Array }
  | { id: number; failed: string };

export type ToServing =
  | ({ kind: 'publish' } & PublishedAnswer)
  | ({ kind: 'answer' } & PassedAnswer)
  | { kind: 'flush'; id: number }
  /** A batch's log buffer, written out: the serving thread fills it again. */
  | { kind: 'recycle'; buffer: ArrayBuffer }
  | { kind: 'stop' };

export type FromServing =
  | { kind: 'listening'; address: string; family: string; port: number; tid: number | undefined }
  | { kind: 'failed'; message: string; code: string | undefined }
  | ({ kind: 'request' } & PassedRequest)
  | { kind: 'batch'; log?: Uint8Array<ArrayBuffer>; requests?: RequestCounts; polls?: Poll[]; flushed?: number }
  | { kind: 'stopped' };

/** The header the main thread's server reads the client's address from (client-address.ts); a client's own is dropped. */
export const CLIENT_HEADER = 'x-syndicator-client';
