// GET /licenses/:id, /licenses/:id.json, /licenses/:id.jsonld: a license as a page, as its terms
// (JSON), and as an ODRL 2.2 policy (JSON-LD). /licenses/:id is content-negotiated (Accept), so the
// rel="license" links every feed carries lead a machine to the policy and a person to the page.
// `?item=ID` on the policy gives the license as it applies to one item (holder, attribution line, link).

import type { Request, RequestHandler, Response } from 'express';
import type { Channel, License } from '../model.js';
import { JSONLD_MEDIA_TYPE, itemPolicy, licensePolicy } from '../render/odrl.js';
import { findItem } from '../partners/reprints.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';
import { splitExtension } from './feed-request.js';
import { licensePage } from './pages.js';

export interface LicenseRouteDeps {
  licenses: ReadonlyMap<string, License>;
  channels: readonly Channel[];
  store: Pick<Store, 'items'>;
  baseUrl: string;
}

/** The media types /licenses/:id can answer with, the page first (what a browser's Accept gets). */
const OFFERED = ['text/html', JSONLD_MEDIA_TYPE, 'application/json'];

export function licenseDocuments(deps: LicenseRouteDeps): RequestHandler {
  const ctx = { baseUrl: deps.baseUrl, licenses: deps.licenses };
  return (req, res) => {
    const { id, ext } = splitExtension(String(req.params.file));
    const license = deps.licenses.get(id);
    if (!license) throw new HttpError(404, `no license "${id}"`);
    const jsonld = `${deps.baseUrl}/licenses/${encodeURIComponent(id)}.jsonld`;
    let kind: string;
    if (ext === 'json') kind = 'application/json';
    else if (ext === 'jsonld') kind = JSONLD_MEDIA_TYPE;
    else if (ext !== undefined) throw new HttpError(404, `unknown license format "${ext}"; use /licenses/${id}, /licenses/${id}.json or /licenses/${id}.jsonld`);
    else {
      res.vary('Accept');
      const accepted = req.accepts(OFFERED);
      if (accepted === false) throw new HttpError(406, `this license is served as ${OFFERED.join(', ')}`);
      kind = accepted;
    }
    res.set('Link', `<${jsonld}>; rel="alternate"; type="${JSONLD_MEDIA_TYPE}"`);
    if (kind === 'application/json') {
      sendJson(res, 'application/json', license);
      return;
    }
    if (kind === JSONLD_MEDIA_TYPE) {
      sendJson(res, JSONLD_MEDIA_TYPE, policyFor(req, license, deps));
      return;
    }
    res.type('text/html; charset=utf-8').set('X-Content-Type-Options', 'nosniff').send(licensePage(license, ctx));
  };
}

function policyFor(req: Request, license: License, deps: LicenseRouteDeps): unknown {
  const ref = req.query.item;
  if (ref === undefined) return licensePolicy(license, deps);
  if (typeof ref !== 'string' || ref === '') throw new HttpError(400, 'item: expected one item id');
  const found = findItem(ref, deps);
  if (found === undefined) throw new HttpError(404, `no item "${ref.slice(0, 200)}"`);
  if (found.item.licenseId !== license.id) {
    throw new HttpError(404, `item "${found.item.id}" is under license "${found.item.licenseId}", not "${license.id}"`);
  }
  const timeZone = deps.channels.find((c) => c.id === found.channelId)?.timezone ?? 'UTC';
  return itemPolicy(found.item, license, { baseUrl: deps.baseUrl, timeZone });
}

export function sendJson(res: Response, mediaType: string, body: unknown): void {
  res
    .type(`${mediaType}; charset=utf-8`)
    .set('X-Content-Type-Options', 'nosniff')
    .send(`${JSON.stringify(body, null, 2)}\n`);
}
