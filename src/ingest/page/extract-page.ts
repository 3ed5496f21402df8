// Stage 3 for article pages: HTML → the same ParsedEntry a feed entry becomes, so normalize.ts builds
// the Item the same way for both. Each field comes from the first of these that gives it:
//   1. the source's configured selectors
//   2. JSON-LD (NewsArticle, Article, …)
//   3. OpenGraph / article:* / author meta (and the meta names of common Chinese CMSs)
//   4. the labelled info lines of Chinese news pages (作者: 来源: 编辑: 发布时间: …, (责任编辑:王静))
//   5. the page itself: the title heading, the breadcrumb, the detected main body
// The 版权说明 / 版权声明 block becomes the entry's rights and never part of the body.

import { load, type Cheerio, type CheerioAPI } from 'cheerio';
import type { PageSelectors } from '../../model.js';
import { findDateText, parseDate } from '../dates.js';
import { ExtractError } from '../errors.js';
import { canonicalLink } from '../ids.js';
import { readJsonLd } from './jsonld.js';
import { findMainBody, paragraphize, removeBoilerplate, trimIndentation } from './main-body.js';
import { readLabels, splitNames, takeBracketedLabels, type LabelFacts, type LabelKind } from './page-labels.js';
import { ancestors, blockText, classAndId, documentOrder, isBlock, isElement, sectionOf, textLengths, type Element } from './page-dom.js';
import type { ParsedEntry } from '../feed/parse-feed.js';
import { collapseWhitespace } from '../text.js';

export interface PageExtractOptions {
  /** The page's public http(s) address: the entry's link and the base of its relative URLs. */
  url: string;
  selectors?: PageSelectors;
  /** Names the site credits itself with; an author meta naming the site is not an author. */
  siteNames?: readonly string[];
}

export interface ExtractedPage {
  /** The article in the feed path's terms; contentHtml is not sanitized yet (normalize does it, last). */
  entry: ParsedEntry;
  /** How the site names itself: og:site_name, JSON-LD publisher, or the <title> suffix. */
  siteName?: string;
  /** <html lang>, content-language, JSON-LD inLanguage or og:locale, as written. */
  language?: string;
}

/**
 * Extracts the article of an HTML page (see the field order at the top of this file). Throws an
 * ExtractError ("extract-page: …") when the text is not HTML or the page has no article body.
 */
export function extractPage(html: string, opts: PageExtractOptions): ExtractedPage {
  if (!looksLikeHtml(html)) {
    throw new ExtractError(`not an HTML document (starts with "${collapseWhitespace(html).slice(0, 40)}")`);
  }
  const $ = load(html);
  const ld = readJsonLd($);
  const article = ld.article;
  const meta = readMeta($);
  const docTitle = collapseWhitespace($('title').first().text());
  const language = $('html').attr('lang')?.trim() || $('html').attr('xml:lang')?.trim() || meta.language || article?.inLanguage;

  const selectors = opts.selectors ?? {};
  for (const selector of selectors.remove ?? []) $(selector).remove();
  const configured = readConfigured($, selectors, opts.url);

  const crumbs = takeBreadcrumbs($);
  const rights = takeRights($);
  removeBoilerplate($);

  const knownTitle = configured.title ?? article?.headline ?? (meta.title && stripSiteSuffix(meta.title, meta.siteName));
  const titleElement = configured.titleElement ?? findTitleElement($, knownTitle, docTitle);
  const title = knownTitle ?? (titleElement && collapseWhitespace(titleElement.text())) ?? (docTitle ? stripSiteSuffix(docTitle, meta.siteName) : undefined);
  const suffix = titleSuffix(docTitle, title);
  const siteName = meta.siteName ?? article?.publisher ?? suffix.at(-1);
  const siteNames = [siteName, ...(opts.siteNames ?? [])].filter((n): n is string => n !== undefined && n !== '');

  const configuredBody = configured.body && configured.body.closest('html').length > 0 ? configured.body : undefined;
  const body = configuredBody ?? findMainBody($, article?.articleBody);
  // Hints first: an info line without labels ("2019年08月20日 19:12 <a class="source">证券时报</a>")
  // is taken out whole by takeInfoLines.
  const hinted = readClassHints($, body, opts.url);
  const info = takeInfoLines($, body, titleElement, opts.url);
  if (body) {
    if (titleElement && body.find(titleElement).length > 0) titleElement.remove();
    // The title repeated inside the body (a heading the title search did not pick) is not article text.
    body
      .find('*')
      .filter((_, el) => isBlock(el) && collapseWhitespace($(el).text()) === title)
      .remove();
  }
  const bracketed = body ? takeBodyLabels($, body) : {};
  if (body) {
    paragraphize($, body);
    trimIndentation(body);
  }
  const contentHtml = body ? body.html()?.trim() : article?.articleBody && paragraphs(article.articleBody);
  if (!contentHtml) throw new ExtractError(`no article body found on ${opts.url}`);

  const labels = mergeFacts(mergeFacts(info.facts, hinted.facts), bracketed);
  const sourceUrl = info.facts.source !== undefined ? info.sourceUrl : hinted.sourceUrl;
  // An author meta naming the site, or any part of the <title> suffix (a channel, the site), is no author.
  const notSite = (name: string) => !isSiteName(name, [...siteNames, ...suffix]);
  const authors = configured.authors ?? nonEmpty(article?.authors) ?? nonEmpty(meta.authors.filter(notSite)) ?? labels.authors ?? [];
  const editor = configured.editor ?? article?.editor ?? labels.editor;
  const source = configured.source ?? (meta.source ? { name: meta.source } : undefined) ?? (labels.source ? { name: labels.source, ...optionalUrl(sourceUrl) } : undefined);
  const published = firstDate(configured.date, article?.datePublished, meta.published, labels.published);
  const updated = firstDate(article?.dateModified, meta.modified, labels.updated);
  const categories = crumbs.length > 0 ? crumbs : ld.breadcrumbs.length > 0 ? ld.breadcrumbs : article?.sections.length ? article.sections : meta.sections;
  const rightsText = rights ?? article?.copyrightNotice;

  const entry: ParsedEntry = {
    link: opts.url,
    ...(title && { title }),
    titleIsHtml: false,
    contentHtml,
    ...(published && { published }),
    ...(updated && { updated }),
    authors,
    contributors: editor ? [editor] : [],
    categories: [...new Set(categories.map(collapseWhitespace))].filter((c) => c !== '' && c !== title && !HOME.test(c) && !siteNames.includes(c)),
    ...(source && { source }),
    ...(rightsText && { rights: rightsText }),
  };
  return {
    entry,
    ...(siteName && { siteName }),
    ...(language && { language }),
  };
}

function looksLikeHtml(text: string): boolean {
  return /<(?:!doctype\s+html|html|head|body|title|meta|div|p|article|table|h1)[\s>/]/i.test(text);
}

// ---- 1. configured selectors ------------------------------------------------------------------------

interface Configured {
  title?: string;
  titleElement?: Cheerio<Element>;
  date?: string;
  authors?: string[];
  editor?: string;
  source?: { name: string; url?: string };
  body?: Cheerio<Element>;
}

function readConfigured($: CheerioAPI, selectors: PageSelectors, pageUrl: string): Configured {
  const first = (selector: string | undefined): Cheerio<Element> | undefined => {
    const el = selector ? $(selector).filter((_, node) => isElement(node)).first() : undefined;
    return el && el.length > 0 ? (el as Cheerio<Element>) : undefined;
  };
  const out: Configured = {};

  const titleEl = first(selectors.title);
  const title = titleEl && collapseWhitespace(titleEl.text());
  if (titleEl && title) Object.assign(out, { title, titleElement: titleEl });

  const dateEl = first(selectors.date);
  if (dateEl) {
    const raw = dateEl.attr('datetime') ?? dateEl.attr('content') ?? dateEl.text();
    const date = findDateText(raw) ?? (collapseWhitespace(raw) || undefined);
    if (date) out.date = date;
  }

  if (selectors.authors) {
    const names = $(selectors.authors)
      .toArray()
      .flatMap((el) => splitNames(labelledValue(blockText($(el)), 'authors') ?? ''));
    if (names.length > 0) out.authors = [...new Set(names)];
  }

  const editor = labelledValue(textOf(first(selectors.editor)), 'editor');
  if (editor) out.editor = editor;

  const sourceEl = first(selectors.source);
  const sourceName = labelledValue(textOf(sourceEl), 'source');
  if (sourceEl && sourceName) out.source = { name: sourceName, ...optionalUrl(linkNamed($, sourceEl, sourceName, pageUrl)) };

  const body = first(selectors.body);
  if (body) out.body = body;
  return out;
}

function textOf(el: Cheerio<Element> | undefined): string {
  return el ? blockText(el) : '';
}

/** The value of a configured element: what follows its label when it has one (`编辑:王五`), else all its text. */
function labelledValue(text: string, kind: Exclude<LabelKind, 'published' | 'updated'>): string | undefined {
  const reading = readLabels(text);
  if (reading.hasLabel) {
    const value = reading.facts[kind];
    return Array.isArray(value) ? value.join(' ') : value;
  }
  return collapseWhitespace(text) || undefined;
}

// ---- 3. meta ------------------------------------------------------------------------------------------

interface MetaFacts {
  title?: string;
  siteName?: string;
  published?: string;
  modified?: string;
  authors: string[];
  source?: string;
  sections: string[];
  language?: string;
}

function readMeta($: CheerioAPI): MetaFacts {
  const all = (...names: string[]) =>
    names.flatMap((name) =>
      $(`meta[property="${name}" i], meta[name="${name}" i], meta[itemprop="${name}" i]`)
        .toArray()
        .map((el) => collapseWhitespace($(el).attr('content') ?? ''))
        .filter((v) => v !== ''),
    );
  const one = (...names: string[]) => all(...names)[0];
  const timeEl = $('time[itemprop="datePublished" i], time[pubdate]').first();
  const source = one('source', 'contentsource', 'og:source')?.replace(/^(?:信息|文章|稿件)?来源[:：]\s*/, '');
  const locale = one('og:locale')?.replace('_', '-');
  const facts: MetaFacts = {
    authors: all('article:author', 'author', 'dc.creator').filter((a) => !/^https?:\/\//i.test(a)).flatMap(splitNames),
    sections: all('article:section', 'columnname'),
  };
  const optional: [keyof MetaFacts, string | undefined][] = [
    ['title', one('og:title', 'twitter:title', 'articletitle')],
    ['siteName', one('og:site_name', 'sitename')],
    ['published', one('article:published_time', 'og:published_time', 'datePublished', 'publishdate', 'pubdate', 'publish_date', 'dc.date.issued', 'dc.date') ?? (timeEl.attr('datetime') || undefined)],
    ['modified', one('article:modified_time', 'og:updated_time', 'dateModified')],
    ['source', source || undefined],
    ['language', one('content-language') ?? $('meta[http-equiv="content-language" i]').attr('content') ?? locale],
  ];
  for (const [key, value] of optional) if (value) (facts as unknown as Record<string, string>)[key] = value;
  return facts;
}

// ---- 4. labelled info lines ---------------------------------------------------------------------------

/**
 * Reads and removes the page's info lines: the outermost elements whose text is nothing but labels,
 * dates and furniture (see page-labels.ts), nearest the title first. Inside the body only lines with
 * a label count, so a bare date closing a notice stays part of it.
 */
function takeInfoLines(
  $: CheerioAPI,
  body: Cheerio<Element> | undefined,
  titleElement: Cheerio<Element> | undefined,
  pageUrl: string,
): { facts: LabelFacts; sourceUrl?: string } {
  const order = documentOrder($);
  const lengths = textLengths($);
  const bodyEl = body?.[0];
  const titleEl = titleElement?.[0];
  // Elements holding the body or the title are never info lines, nor is anything inside one chosen.
  const holders = new Set([...(bodyEl ? [bodyEl, ...ancestors(bodyEl)] : []), ...(titleEl ? [titleEl, ...ancestors(titleEl)] : [])]);
  const chosen: { el: Element; facts: LabelFacts }[] = [];
  const chosenSet = new Set<Element>();
  $('body *').each((_, el) => {
    if (!isElement(el) || holders.has(el) || (lengths.get(el) ?? 0) > 200) return;
    const up = ancestors(el);
    if (up.some((a) => chosenSet.has(a)) || (titleEl && up.includes(titleEl))) return;
    const reading = readLabels(blockText($(el)));
    if (!reading.infoOnly) return;
    if (bodyEl && up.includes(bodyEl) && !reading.hasLabel) return;
    chosen.push({ el, facts: reading.facts });
    chosenSet.add(el);
  });

  // Nearest the title first, the lines after it before those above it; without a title, nearest
  // the body, the lines above it first.
  const at = (el: Element) => order.get(el) ?? 0;
  const distance = (el: Element): number => {
    if (titleEl) return at(el) > at(titleEl) ? at(el) - at(titleEl) : order.size + at(titleEl) - at(el);
    if (bodyEl) return at(el) < at(bodyEl) ? at(bodyEl) - at(el) : order.size + at(el) - at(bodyEl);
    return at(el);
  };
  chosen.sort((a, b) => distance(a.el) - distance(b.el));

  let facts: LabelFacts = {};
  let sourceUrl: string | undefined;
  for (const c of chosen) {
    if (facts.source === undefined && c.facts.source !== undefined) sourceUrl = linkNamed($, $(c.el), c.facts.source, pageUrl);
    facts = mergeFacts(facts, c.facts);
  }
  for (const c of chosen) $(c.el).remove();
  return { facts, ...(sourceUrl !== undefined && { sourceUrl }) };
}

// Elements whose class or id says what they hold, on pages that write no label: <span class="date">,
// <a class="source">, <span class="author">. TRS_Editor is a body container, not an editor.
const HINTS: [kind: Exclude<LabelKind, 'updated'>, selector: string][] = [
  ['published', '[class*="time" i], [class*="date" i], [id*="time" i], [id*="date" i]'],
  ['source', '[class*="source" i], [id*="source" i]'],
  ['authors', '[class*="author" i], [id*="author" i]'],
  ['editor', '[class*="editor" i]:not([class*="trs_editor" i]), [id*="editor" i]'],
];

/**
 * What elements named for a field say (see HINTS), outside the body; short texts only, the innermost
 * named element first, a date in a name's text left out.
 */
function readClassHints($: CheerioAPI, body: Cheerio<Element> | undefined, pageUrl: string): { facts: LabelFacts; sourceUrl?: string } {
  const facts: LabelFacts = {};
  let sourceUrl: string | undefined;
  for (const [kind, selector] of HINTS) {
    const named = $(selector).toArray().filter(isElement);
    const innermostFirst = [...named.filter((el) => $(el).find(selector).length === 0), ...named];
    for (const el of innermostFirst) {
      if (body && (body.is(el) || body.find(el).length > 0)) continue;
      const $el = $(el);
      const raw = blockText($el);
      const dateInText = findDateText(raw);
      const text = kind !== 'published' && dateInText ? raw.replace(dateInText, ' ') : raw;
      if (text.trim() === '' || text.length > 60) continue;
      if (kind === 'published') {
        const date = findDateText($el.attr('datetime') ?? '') ?? dateInText;
        if (date === undefined) continue;
        facts.published = date;
      } else {
        const value = labelledValue(text, kind);
        if (!value) continue;
        if (kind === 'authors') facts.authors = splitNames(value);
        else facts[kind] = value;
        if (kind === 'source') sourceUrl = linkNamed($, $el, value, pageUrl);
      }
      break;
    }
  }
  return { facts, ...(sourceUrl !== undefined && { sourceUrl }) };
}

/** Takes the bracketed label groups, such as a closing (责任编辑:王静), out of the body's text. */
function takeBodyLabels($: CheerioAPI, body: Cheerio<Element>): LabelFacts {
  let facts: LabelFacts = {};
  body
    .find('*')
    .addBack()
    .contents()
    .each((_, node) => {
      if (node.type !== 'text') return;
      const text = node as unknown as { data: string };
      const { facts: found, rest } = takeBracketedLabels(text.data);
      if (rest === text.data) return;
      text.data = rest;
      facts = mergeFacts(facts, found);
    });
  // A paragraph that held nothing but the label group is left empty: drop it.
  body.find('p, div, span').filter((_, el) => $(el).children().length === 0 && $(el).text().trim() === '').remove();
  return facts;
}

/** `a`'s facts, and `b`'s for the kinds `a` lacks. */
function mergeFacts(a: LabelFacts, b: LabelFacts): LabelFacts {
  const out: LabelFacts = { ...b };
  for (const [key, value] of Object.entries(a)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/** The absolute URL of a link in `scope` whose text is `name` (a 来源 written as a link). */
function linkNamed($: CheerioAPI, scope: Cheerio<Element>, name: string, pageUrl: string): string | undefined {
  const link = scope
    .find('a[href]')
    .addBack('a[href]')
    .filter((_, a) => collapseWhitespace($(a).text()) === name)
    .first();
  return canonicalLink(link.attr('href'), pageUrl);
}

function optionalUrl(url: string | undefined): { url?: string } {
  return url ? { url } : {};
}

// ---- 5. the page itself ---------------------------------------------------------------------------------

const HOME = /^(?:首页|主页|网站首页|本站首页|返回首页|home|正文|内容|详情|正文内容|当前位置|您的位置|您现在的位置)$/i;
const CRUMB_NAMES = /breadcrumb|crumb|(?:^|\s|#)(?:position|location|path|route|weizhi|dqwz|current|place)(?:\s|$)|mianbao|nav-?path/;
const CRUMB_LEAD = /^\s*(?:当前位置|您的位置|您现在的位置|您当前的位置|所在位置|现在位置|位置)\s*[:：]?\s*/;
const CRUMB_SEPARATORS = /\s*(?:>>|>|›|»|→|＞|\/)\s*/;

/** Reads and removes the breadcrumb: 首页 > 企业频道 > 要闻精选 gives [首页, 企业频道, 要闻精选] (the home link is dropped later). */
function takeBreadcrumbs($: CheerioAPI): string[] {
  const el = $('[class], [id], [itemtype], nav, div, p, span, td')
    .filter((_, e) => {
      const $e = $(e);
      const text = collapseWhitespace($e.text());
      if (text === '' || text.length > 150) return false;
      return (
        CRUMB_NAMES.test(classAndId($e)) ||
        /BreadcrumbList/i.test($e.attr('itemtype') ?? '') ||
        /breadcrumb/i.test($e.attr('aria-label') ?? '') ||
        (CRUMB_LEAD.test(text) && /[>›»→＞]/.test(text))
      );
    })
    .first();
  if (el.length === 0) return [];
  const text = collapseWhitespace(blockText(el)).replace(CRUMB_LEAD, '');
  let parts = text.split(CRUMB_SEPARATORS);
  if (parts.length < 2) parts = el.find('a').toArray().map((a) => $(a).text());
  el.remove();
  return parts.map((p) => collapseWhitespace(p)).filter((p) => p.length <= 30);
}

const RIGHTS_HEAD = /^[\s【\[]*(?:版权说明|版权声明)/;

/** Reads and removes the 版权说明 / 版权声明 block; its text with whitespace collapsed. */
function takeRights($: CheerioAPI): string | undefined {
  const matches = $('body *').filter((_, el) => RIGHTS_HEAD.test($(el).text()));
  const deepest = matches.filter((_, el) => $(el).find('*').filter((__, d) => RIGHTS_HEAD.test($(d).text())).length === 0).first();
  if (deepest.length === 0) return undefined;
  const block = collapseWhitespace(deepest.text()).length <= 12 ? sectionOf(deepest) : deepest;
  const text = collapseWhitespace(blockText(block).replace(/\n/g, ' '));
  block.remove();
  return text || undefined;
}

/**
 * The element showing the title: the configured one; else the heading (h1–h3, or an element whose
 * class or id names a title) whose text is the known title or, with none known, the longest one that
 * appears in <title>; else the first h1 that is not the site's logo.
 */
function findTitleElement($: CheerioAPI, known: string | undefined, docTitle: string): Cheerio<Element> | undefined {
  const candidates = $('h1, h2, h3, [class*="title" i], [id*="title" i], [class*="biaoti" i]')
    .toArray()
    .filter((el) => el.tagName.toLowerCase() !== 'title');
  const textOfEl = (el: Element) => collapseWhitespace($(el).text());
  const fits = candidates.filter((el) => {
    const text = textOfEl(el);
    if (text.length < 4 || text.length > 200) return false;
    return known ? text === known : docTitle.includes(text);
  });
  const best = fits.reduce<Element | undefined>((a, b) => (!a || textOfEl(b).length > textOfEl(a).length ? b : a), undefined);
  if (best) return $(best);
  if (known) return undefined;
  const h1 = $('h1')
    .toArray()
    .find((el) => textOfEl(el).length >= 6 && $(el).find('a[href="/"], img').length === 0);
  return h1 ? $(h1) : undefined;
}

// Separators that do not occur inside Chinese headlines; a bare hyphen does ("1-5月"), see below.
const STRONG_SEPARATORS = /\s+[-–—|]\s+|[_|｜]|--/;

/**
 * `标题_站名`, `标题 - 站名`, `标题|频道_站名` → `标题`. The site's name is cut when known; else the
 * first part between strong separators; else the part before a final bare hyphen or dash when what
 * follows it reads like a name (no digits, at most 20 characters): `标题-中国钢铁新闻网`, but never
 * `中钢协：1-5月粗钢产量增长`.
 */
function stripSiteSuffix(text: string, siteName: string | undefined): string {
  if (siteName && text.endsWith(siteName) && text.length > siteName.length) {
    const stripped = text.slice(0, -siteName.length).replace(/[\s\-–—|_｜:：]+$/, '');
    if (stripped) return stripped;
  }
  const parts = text.split(STRONG_SEPARATORS).map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length > 1) return parts.find((p) => p.length >= 4) ?? parts[0]!;
  return /^(.{4,})[-–—]([^-–—\d]{2,20})$/.exec(text)?.[1]?.trim() ?? text;
}

/**
 * The parts of <title> after the article title, the site's name last: `标题|鞍钢_新浪财经_新浪网`
 * gives [鞍钢, 新浪财经, 新浪网]; empty when <title> does not start with the title.
 */
function titleSuffix(docTitle: string, title: string | undefined): string[] {
  if (!title || !docTitle.startsWith(title) || docTitle === title) return [];
  return docTitle
    .slice(title.length)
    .split(/\s+[-–—|_]\s+|[-_|｜–]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function isSiteName(name: string, siteNames: readonly string[]): boolean {
  return siteNames.some((site) => site.includes(name) || name.includes(site));
}

/** The first candidate dates.ts can read (checked in UTC: only the form matters here). */
function firstDate(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c) => parseDate(c, 'UTC') !== undefined);
}

function nonEmpty(values: string[] | undefined): string[] | undefined {
  return values && values.length > 0 ? [...new Set(values)] : undefined;
}

/** Plain-text paragraphs (JSON-LD articleBody) as HTML. */
function paragraphs(text: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return text
    .split(/\n+/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escape(p)}</p>`)
    .join('');
}
