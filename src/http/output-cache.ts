import { createHash } from 'node:crypto';
import type { Channel, Item, License } from '../model.js';
import { formats, publicItem } from '../render/index.js';
import type { FormatId } from '../render/index.js';
import type { Store } from '../store/store.js';

/** One rendered feed document with the validators computed once, when it was rendered. */
export interface Representation {
  body: Buffer;
  contentType: string;
  /** Strong validator: a hash of the exact bytes. */
  etag: string;
  /** HTTP date of the newest change among the items it carries; absent for an empty feed. */
  lastModified?: string;
  revision: number;
}

export interface OutputCacheDeps {
  store: Store;
  licenses: ReadonlyMap<string, License>;
  baseUrl: string;
  now: () => Date;
}

/**
 * Renders each public (channel, format, limit) once per store revision of that channel and keeps the bytes,
 * so a poll costs a lookup and a comparison, never a render. Keys are bounded: a handful of formats
 * times the limits clients ask for.
 */
export class OutputCache {
  readonly #entries = new Map<string, Representation>();
  #renders = 0;

  constructor(private readonly deps: OutputCacheDeps) {}

  /** How many documents have been rendered so far (to verify render-once behaviour). */
  get renders(): number {
    return this.#renders;
  }

  get(channel: Channel, format: FormatId, limit: number): Representation {
    const key = `${channel.id}\u0000${format}\u0000${limit}`;
    const revision = this.deps.store.revision(channel.id);
    const cached = this.#entries.get(key);
    if (cached && cached.revision === revision) return cached;

    const items = this.deps.store
      .items(channel.id)
      .slice(0, limit)
      .map((item) => publicItem(item, this.deps.licenses));
    const text = formats[format].render(channel, items, {
      baseUrl: this.deps.baseUrl,
      now: this.deps.now(),
      licenses: this.deps.licenses,
    });
    this.#renders += 1;
    const body = Buffer.from(text, 'utf8');
    const newest = newestChange(items);
    const representation: Representation = {
      body,
      contentType: formats[format].contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
      ...(newest && { lastModified: new Date(newest).toUTCString() }),
      revision,
    };
    this.#entries.set(key, representation);
    return representation;
  }
}

function newestChange(items: readonly Item[]): string | undefined {
  let newest: string | undefined;
  for (const item of items) if (newest === undefined || item.updatedAt > newest) newest = item.updatedAt;
  return newest;
}
