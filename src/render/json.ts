// JSON Feed 1.1. Built directly rather than through feed.json1(): that writes version 1.0 with a single
// `author`, no `language`, no `external_url` and `content_html` even for plain text, so rebuilding its
// output would replace nearly every field anyway. Rights travel in two extension objects, `_license`
// and `_attribution` (JSON Feed extension keys start with `_`), whose `about` points at our namespace
// document.

import type { Channel, Item } from '../model.js';
import type { Delivery, Format, RenderContext } from './types.js';
import { REPRINT_NS } from './namespaces.js';
import { type EntryView, type FeedView, feedUrl, prepare } from './prepare.js';
import type { ItemRights, LicenseTerms } from './rights.js';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

function licenseObject(terms: LicenseTerms, upstreamRights?: string): Record<string, unknown> {
  return {
    about: REPRINT_NS,
    id: terms.id,
    title: terms.title,
    holder: terms.holder,
    statement: terms.statement,
    url: terms.url,
    publicContent: terms.publicContent,
    reprint: {
      permission: terms.permission,
      ...(terms.attributionTemplate !== undefined && { attributionTemplate: terms.attributionTemplate }),
      ...(terms.contact !== undefined && { contact: terms.contact }),
    },
    ...(upstreamRights !== undefined && { upstreamRights }),
  };
}

function attributionObject(rights: ItemRights): Record<string, unknown> {
  const { source } = rights;
  return {
    about: REPRINT_NS,
    // The real authors, possibly none (the item's `authors` is then left out too).
    authors: [...rights.authors],
    ...(rights.editor !== undefined && { editor: rights.editor }),
    source: { name: source.name, ...(source.url !== undefined && { url: source.url }), original: source.original },
    line: rights.line,
  };
}

/** `_grant`: in a partner feed, the grant under which the partner receives the item (reprint:grant in XML). */
function grantObject(delivery: Delivery): Record<string, unknown> {
  return {
    about: REPRINT_NS,
    id: delivery.grantId,
    partner: delivery.partner,
    content: delivery.content,
    ...(delivery.until !== undefined && { until: delivery.until }),
  };
}

function jsonItem(e: EntryView, delivery: Delivery | undefined): Record<string, unknown> {
  const { item, rights } = e;
  return {
    id: e.guid,
    // An item without a link has neither: JSON Feed makes both optional.
    ...(e.link !== undefined && { url: e.link, external_url: e.link }),
    title: item.title,
    // JSON Feed requires content_html or content_text; plain text stands in when there is no HTML.
    ...(e.contentHtml !== undefined ? { content_html: e.contentHtml } : { content_text: e.summary ?? item.title }),
    ...(e.summary !== undefined && { summary: e.summary }),
    ...(e.published !== undefined && { date_published: e.published.toISOString() }),
    date_modified: e.updated.toISOString(),
    ...(rights.authors.length > 0 && { authors: rights.authors.map((name) => ({ name })) }),
    ...(e.categories.length > 0 && { tags: e.categories }),
    ...(item.language !== undefined && item.language.trim() !== '' && { language: item.language }),
    _attribution: attributionObject(rights),
    _license: licenseObject(rights.license, rights.upstreamRights),
    ...(delivery !== undefined && { _grant: grantObject(delivery) }),
  };
}

function renderJson(channel: Channel, items: readonly Item[], ctx: RenderContext): string {
  const view: FeedView = prepare(channel, items, ctx);
  const doc = {
    version: JSON_FEED_VERSION,
    title: view.channel.title,
    home_page_url: view.homeUrl,
    feed_url: feedUrl(view, json.extension),
    description: view.channel.description,
    language: view.channel.language,
    // JSON Feed's paging runs to older items, which is where RFC 5005's prev-archive points.
    ...(view.links.prevArchive !== undefined && { next_url: view.links.prevArchive }),
    ...(view.links.hub !== undefined && { hubs: [{ type: 'WebSub', url: view.links.hub }] }),
    // An archived month no longer changes.
    ...(view.page !== undefined && { expired: true }),
    // The channel's default license, as RSS <copyright> and Atom feed <rights> state it.
    _license: licenseObject(view.rights),
    items: view.entries.map((e) => jsonItem(e, view.delivery)),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const json: Format = {
  id: 'json',
  extension: 'json',
  contentType: 'application/feed+json; charset=utf-8',
  render: renderJson,
  renderBytes: (channel, items, ctx) => Buffer.from(renderJson(channel, items, ctx), 'utf8'),
};
