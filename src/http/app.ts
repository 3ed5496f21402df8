import express from 'express';
import type { Express, Request, Response } from 'express';
import type { Logger } from '../log.js';
import type { Channel, License } from '../model.js';
import { isFormatId } from '../render/index.js';
import type { Store } from '../store/store.js';
import { errorHandler, HttpError, notFound } from './errors.js';
import { OutputCache } from './output-cache.js';
import type { Representation } from './output-cache.js';
import { channelPage, indexPage, licensePage, namespaceDocument, opmlDocument } from './pages.js';

export interface AppDeps {
  store: Store;
  channels: readonly Channel[];
  licenses: ReadonlyMap<string, License>;
  baseUrl: string;
  log: Logger;
  now?: () => Date;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** The Express application (no listen): every public route of DESIGN.md but partner, metrics, status. */
export function createApp(deps: AppDeps): Express & { outputCache: OutputCache } {
  const now = deps.now ?? (() => new Date());
  const channels = new Map(deps.channels.map((c) => [c.id, c]));
  const cache = new OutputCache({ store: deps.store, licenses: deps.licenses, baseUrl: deps.baseUrl, now });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const channelOr404 = (id: string): Channel => {
    const channel = channels.get(id);
    if (!channel) throw new HttpError(404, `no channel "${id}"`);
    return channel;
  };
  const licenseOr404 = (id: string): License => {
    const license = deps.licenses.get(id);
    if (!license) throw new HttpError(404, `no license "${id}"`);
    return license;
  };
  const ctx = { baseUrl: deps.baseUrl, licenses: deps.licenses };

  app.get('/healthz', (_req, res) => {
    res.type('text/plain; charset=utf-8').set('Cache-Control', 'no-store').send('ok\n');
  });

  app.get('/', (_req, res) => {
    sendHtml(res, indexPage([...channels.values()], ctx));
  });

  app.get('/channels/:id', (req, res) => {
    const channel = channelOr404(req.params.id);
    sendHtml(res, channelPage(channel, deps.store.items(channel.id).slice(0, DEFAULT_LIMIT), ctx));
  });

  app.get('/feeds/:file', (req, res) => {
    const { id, ext } = splitExtension(req.params.file);
    const channel = channelOr404(id);
    if (!ext || !isFormatId(ext)) {
      throw new HttpError(404, `unknown feed format "${ext ?? ''}" for channel "${id}"; use .rss, .atom or .json`);
    }
    const representation = cache.get(channel, ext, parseLimit(req.query.limit, channel.maxItems));
    sendRepresentation(req, res, representation);
  });

  app.get('/opml.xml', (_req, res) => {
    res.type('text/x-opml; charset=utf-8').send(opmlDocument([...channels.values()], ctx, now()));
  });

  app.get('/licenses/:file', (req, res) => {
    const { id, ext } = splitExtension(req.params.file);
    const license = licenseOr404(id);
    if (ext === 'json') {
      res.type('application/json; charset=utf-8').send(`${JSON.stringify(license, null, 2)}\n`);
      return;
    }
    if (ext !== undefined) throw new HttpError(404, `unknown license format "${ext}"; use /licenses/${id} or /licenses/${id}.json`);
    sendHtml(res, licensePage(license, ctx));
  });

  app.get('/ns/reprint/1.0', async (_req, res) => {
    res.type('text/plain; charset=utf-8').send(await namespaceDocument());
  });

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return Object.assign(app, { outputCache: cache });
}

/** `/feeds/enterprise.rss` → { id: 'enterprise', ext: 'rss' }; a name without a dot has no ext. */
function splitExtension(name: string): { id: string; ext?: string } {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? { id: name } : { id: name.slice(0, dot), ext: name.slice(dot + 1) };
}

function parseLimit(raw: unknown, max: number): number {
  if (raw === undefined) return Math.min(DEFAULT_LIMIT, max);
  const upper = Math.min(MAX_LIMIT, max);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > upper) {
    throw new HttpError(400, `limit must be a whole number from 1 to ${upper}`);
  }
  return Number(raw);
}

/** Sends a cached feed with its validators; answers 304 when the client's copy is current. */
function sendRepresentation(req: Request, res: Response, rep: Representation): void {
  res.set({
    'Content-Type': rep.contentType,
    ETag: rep.etag,
    'Cache-Control': 'public, max-age=300',
    'Access-Control-Allow-Origin': '*',
    'X-Content-Type-Options': 'nosniff',
  });
  if (rep.lastModified) res.set('Last-Modified', rep.lastModified);
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  // Node sends no body for HEAD, but it also leaves Content-Length out unless it is set here.
  res.status(200).set('Content-Length', String(rep.body.length)).end(rep.body);
}

function sendHtml(res: Response, html: string): void {
  res.type('text/html; charset=utf-8').set('X-Content-Type-Options', 'nosniff').send(html);
}

