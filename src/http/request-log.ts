// One log line per request: method, URL, status, duration. Partner keys never reach the log: the
// Authorization header is not logged at all, and every `key=` query value (and anything shaped like a
// key, wherever it sits in the URL) is replaced by REDACTED.

import type { RequestHandler } from 'express';
import type { Logger } from '../log.js';

const KEY_SHAPE = /sk_[A-Za-z0-9_-]{8,}/g;

/** Logs every request once, when its response has been sent or its connection has closed. */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let logged = false;
    const record = (): void => {
      if (logged) return;
      logged = true;
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      log.info({ method: req.method, url: redactKeys(req.originalUrl), status: res.statusCode, durationMs }, 'http: request');
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}

/** The URL with the value of every query parameter named `key` (however it is percent-encoded) replaced by REDACTED. */
export function redactKeys(url: string): string {
  const q = url.indexOf('?');
  const redacted =
    q < 0
      ? url
      : `${url.slice(0, q)}?${url
          .slice(q + 1)
          .split('&')
          .map((pair) => {
            const name = pair.split('=', 1)[0] ?? '';
            return isKeyName(name) ? `${name}=REDACTED` : pair;
          })
          .join('&')}`;
  return redacted.replace(KEY_SHAPE, 'sk_REDACTED');
}

/** Whether a raw query parameter name decodes to "key", the name the partner routes read. */
function isKeyName(raw: string): boolean {
  const plus = raw.replace(/\+/g, ' ');
  let name = plus;
  try {
    name = decodeURIComponent(plus);
  } catch {
    // A malformed escape: the raw name is what is compared.
  }
  return name.trim().toLowerCase() === 'key';
}
