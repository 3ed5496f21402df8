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
    res.status(status).type('text/plain; charset=utf-8').send(`${message}\n`);
  };
}

function isClientError(err: unknown): err is { status: number; expose?: boolean; message?: string } {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
