import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log.js';

/** An error whose message is safe to show the client as the one-line body of the response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `not found: ${req.path}`));
};

/** The methods every route of the service answers: it is read-only. */
export const ALLOWED_METHODS = 'GET, HEAD';

/**
 * For a path some route serves, any other method: 405 with `Allow` (RFC 9110 §15.5.6); OPTIONS gets
 * 204 with the same `Allow`. Mount it on the routes' paths after the GET routes.
 */
export const methodNotAllowed: RequestHandler = (req, res) => {
  res.set({ Allow: ALLOWED_METHODS, 'Cache-Control': 'no-store' });
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  res.status(405).type('text/plain; charset=utf-8').send(`method ${printable(req.method)} not allowed; use ${ALLOWED_METHODS}\n`);
};

/** Longest error message sent to a client; what a client sent (a path, a name) may be long. */
const MAX_MESSAGE = 300;

/**
 * A message safe to put in a text/plain body: control characters (C0, DEL, C1) and bidirectional
 * overrides, which could rewrite a terminal or reorder what a person reads, become U+FFFD; the text
 * is cut at MAX_MESSAGE characters.
 */
export function printable(message: string): string {
  const cut = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}

/**
 * Maps errors to responses in one place: an HttpError keeps its status and message; a body the
 * client sent that could not be parsed is a 400; anything else is a 500 whose details go to the
 * log only.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let message = 'internal error';
    if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
    } else if (isClientError(err)) {
      status = err.status;
      message = err.expose && err.message ? err.message : 'bad request';
    } else {
      log.error({ err, path: req.path }, 'http: unhandled error');
    }
    if (res.headersSent) return;
    res.status(status).type('text/plain; charset=utf-8').set('X-Content-Type-Options', 'nosniff').send(`${printable(message)}\n`);
  };
}

function isClientError(err: unknown): err is { status: number; expose?: boolean; message?: string } {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
