// What a feed URL asks for, read the same way for public feeds (/feeds/:file) and partner feeds
// (/partner/feeds/:file): the channel, the format from the extension, and the query (?limit,
// ?category, ?page).

import type { Channel } from '../model.js';
import { type FormatId, isFormatId } from '../render/index.js';
import { HttpError } from './errors.js';
import type { FeedQuery } from './output-cache.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export interface FeedRequest {
  channel: Channel;
  format: FormatId;
  query: FeedQuery;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The feed `file` (e.g. "enterprise.rss") and query name; 404 for an unknown channel or format, 400 for
 * a bad limit, category or page. `page` (an archived month) and `category` exclude each other.
 */
export function feedRequest(channels: ReadonlyMap<string, Channel>, file: string, params: Record<string, unknown>): FeedRequest {
  const { id, ext } = splitExtension(file);
  const channel = channels.get(id);
  if (!channel) throw new HttpError(404, `no channel "${id}"`);
  if (!ext || !isFormatId(ext)) {
    throw new HttpError(404, `unknown feed format "${ext ?? ''}" for channel "${id}"; use .rss, .atom or .json`);
  }
  const { category, page, part } = params;
  if (category !== undefined && (typeof category !== 'string' || category.trim() === '' || category.length > 100)) {
    throw new HttpError(400, 'category must be one non-empty value of at most 100 characters');
  }
  if (page !== undefined && (typeof page !== 'string' || !MONTH.test(page))) {
    throw new HttpError(400, 'page must be a month, YYYY-MM (see the feed\'s prev-archive link)');
  }
  if (page !== undefined && category !== undefined) throw new HttpError(400, 'page and category cannot be combined');
  if (part !== undefined && (page === undefined || typeof part !== 'string' || !/^[1-9]\d{0,5}$/.test(part))) {
    throw new HttpError(400, 'part must be a whole number from 1, with page (see the archive\'s prev-archive link)');
  }
  return {
    channel,
    format: ext,
    query: {
      limit: parseLimit(params.limit, channel.maxItems),
      ...(category !== undefined && { category }),
      ...(page !== undefined && { page }),
      ...(typeof part === 'string' && Number(part) > 1 && { part: Number(part) }),
    },
  };
}

/** `enterprise.rss` → { id: 'enterprise', ext: 'rss' }; a name without a dot has no ext. */
export function splitExtension(name: string): { id: string; ext?: string } {
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
