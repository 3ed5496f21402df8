// schema.org JSON-LD in article pages: the NewsArticle (or Article, BlogPosting, …) and the
// BreadcrumbList, read as plain values. Blocks that are not valid JSON are skipped: one broken script
// must not cost the rest of the page.

import type { CheerioAPI } from 'cheerio';
import { htmlToText } from '../sanitize.js';
import { stripInvalidXmlChars } from '../text.js';

export interface JsonLdArticle {
  headline?: string;
  datePublished?: string;
  dateModified?: string;
  /** Names of Person authors (and plain-string authors); organizations are not authors. */
  authors: string[];
  editor?: string;
  publisher?: string;
  /** Plain text, paragraphs separated by line breaks. */
  articleBody?: string;
  sections: string[];
  inLanguage?: string;
  copyrightNotice?: string;
}

export interface JsonLdFacts {
  article?: JsonLdArticle;
  /** Names of the BreadcrumbList items, in position order. */
  breadcrumbs: string[];
}

const ARTICLE_TYPES = new Set([
  'Article', 'NewsArticle', 'AnalysisNewsArticle', 'BackgroundNewsArticle', 'OpinionNewsArticle', 'ReportageNews',
  'ReviewNewsArticle', 'AskPublicNewsArticle', 'BlogPosting', 'Report', 'ScholarlyArticle', 'TechArticle',
]);

type Node = Record<string, unknown>;

/** The first article object and the first breadcrumb list in the page's JSON-LD blocks (and their @graph). */
export function readJsonLd($: CheerioAPI): JsonLdFacts {
  const nodes: Node[] = [];
  $('script[type="application/ld+json" i]').each((_, el) => {
    try {
      collect(JSON.parse($(el).text(), withoutForbiddenChars) as unknown, nodes);
    } catch {
      // Not JSON: skipped (see the note at the top).
    }
  });
  const article = nodes.find((n) => types(n).some((t) => ARTICLE_TYPES.has(t)));
  const crumbs = nodes.find((n) => types(n).includes('BreadcrumbList'));
  return {
    ...(article && { article: readArticle(article) }),
    breadcrumbs: crumbs ? readBreadcrumbs(crumbs) : [],
  };
}

/** JSON.parse reviver: strings without the characters XML 1.0 forbids, which JSON escapes can spell
 *  (`\u0000`, a lone `\ud800`) though no decoded page holds them; PostgreSQL's jsonb refuses an item
 *  carrying one. */
function withoutForbiddenChars(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? stripInvalidXmlChars(value) : value;
}

function collect(value: unknown, into: Node[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into);
    return;
  }
  if (!isNode(value)) return;
  into.push(value);
  if (Array.isArray(value['@graph'])) collect(value['@graph'], into);
}

function readArticle(node: Node): JsonLdArticle {
  const headline = plain(node.headline) ?? plain(node.name);
  const publisher = names(node.publisher, true)[0];
  const articleBody = typeof node.articleBody === 'string' ? node.articleBody.trim() : undefined;
  const datePublished = plain(node.datePublished) ?? plain(node.dateCreated);
  const dateModified = plain(node.dateModified);
  const editor = names(node.editor, false)[0];
  const inLanguage = plain(node.inLanguage);
  const copyrightNotice = plain(node.copyrightNotice);
  return {
    ...(headline && { headline }),
    ...(datePublished && { datePublished }),
    ...(dateModified && { dateModified }),
    authors: names(node.author, false),
    ...(editor && { editor }),
    ...(publisher && { publisher }),
    ...(articleBody && { articleBody }),
    sections: list(node.articleSection).map(plain).filter(isString),
    ...(inLanguage && { inLanguage }),
    ...(copyrightNotice && { copyrightNotice }),
  };
}

function readBreadcrumbs(node: Node): string[] {
  return list(node.itemListElement)
    .filter(isNode)
    .map((item, i) => ({
      position: typeof item.position === 'number' ? item.position : Number(item.position ?? i + 1),
      name: plain(item.name) ?? (isNode(item.item) ? plain(item.item.name) : undefined),
    }))
    .sort((a, b) => a.position - b.position)
    .map((c) => c.name)
    .filter(isString);
}

/** Names of people (or, with `organizations`, of organizations too) in a schema.org value. */
function names(value: unknown, organizations: boolean): string[] {
  return list(value)
    .map((v) => {
      if (typeof v === 'string') return plain(v);
      if (!isNode(v)) return undefined;
      const isOrganization = types(v).some((t) => t === 'Organization' || t === 'NewsMediaOrganization' || t === 'Corporation');
      return isOrganization && !organizations ? undefined : plain(v.name);
    })
    .filter(isString)
    .filter((name) => !/^https?:\/\//i.test(name));
}

function types(node: Node): string[] {
  return list(node['@type']).filter((t): t is string => typeof t === 'string').map((t) => t.replace(/^(?:https?:\/\/)?schema\.org\//, ''));
}

function list(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** Text with any markup or entities some CMSs leave in JSON-LD strings resolved; undefined when blank. */
function plain(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = htmlToText(value);
  return text === '' ? undefined : text;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}
