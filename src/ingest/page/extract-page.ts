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
import { completeYear, findDateText, parseDate } from '../dates.js';
import { ExtractError } from '../errors.js';
import { canonicalLink } from '../ids.js';
import { readJsonLd } from './jsonld.js';
import { findMainBody, MIN_BODY_CHARS, paragraphize, removeBoilerplate, trimIndentation } from './main-body.js';
import { readLabels, splitNames, takeBracketedLabels, type LabelFacts, type LabelKind } from './page-labels.js';
import { ancestors, blockText, classAndId, documentOrder, findIn, isBlock, isElement, isInside, leadingText, removeAll, sectionOf, shortText, textLengths, treeDepth, type Element } from './page-dom.js';
import { MAX_TREE_DEPTH } from '../limits.js';
import { tooDeeplyNested } from '../html-depth.js';
import type { ParsedEntry } from '../feed/parse-feed.js';
import { collapseWhitespace } from '../text.js';

export interface PageExtractOptions {
  /** The page's public http(s) address: the entry's link and the base of its relative URLs. */
  url: string;
  selectors?: PageSelectors;
  /** Names the site credits itself with; an author meta naming the site is not an author. */
  siteNames?: readonly string[];
  /** The crawl's clock: a date written without its year (`03-05 08:05`) is placed in the year of the
   *  page's address (`/20210305/`, `t20210305_…`) or else in the last twelve months before this. */
  now?: Date;
}

/** Per field, which rule found it: `selector "…"`, `JSON-LD …`, `meta …`, `label …`, `heuristic: …`. */
export type Explanation = Partial<Record<'title' | 'published' | 'updated' | 'authors' | 'editor' | 'source' | 'body' | 'categories' | 'rights' | 'article', string>>;

export interface ExtractedPage {
  /** The article in the feed path's terms; contentHtml is not sanitized yet (normalize does it, last). */
  entry: ParsedEntry;
  /** How the site names itself: og:site_name, JSON-LD publisher, or the <title> suffix. */
  siteName?: string;
  /** <html lang>, content-language, JSON-LD inLanguage or og:locale, as written. */
  language?: string;
  /** Which rule found each field (`syndicator preview --explain`). */
  explain?: Explanation;
}

/**
 * Extracts the article of an HTML page (see the field order at the top of this file), with `explain`
 * naming the rule behind each field. Throws an ExtractError ("extract-page: …") when the text is not
 * HTML or the page has no article body: no body at all, or a short one (under MIN_BODY_CHARS) on a page
 * that does not otherwise read as an article (see "Is this an article?" below).
 */
export function extractPage(html: string, opts: PageExtractOptions): ExtractedPage {
  if (!looksLikeHtml(html)) {
    throw new ExtractError(`not an HTML document (starts with "${collapseWhitespace(html).slice(0, 40)}")`);
  }
  if (tooDeeplyNested(html)) throw new ExtractError(`page too deeply nested (more than ${MAX_TREE_DEPTH} levels of elements)`);
  const $ = load(html);
  // Every reading below walks the tree (cheerio's .text() recurses): a page deeper than any real
  // article is refused here, for this page only, before anything can overflow the stack.
  if (treeDepth($.root().toArray(), MAX_TREE_DEPTH) > MAX_TREE_DEPTH) {
    throw new ExtractError(`page too deeply nested (more than ${MAX_TREE_DEPTH} levels of elements)`);
  }
  const ld = readJsonLd($);
  const article = ld.article;
  const meta = readMeta($);
  const docTitle = collapseWhitespace($('title').first().text());
  const language = $('html').attr('lang')?.trim() || $('html').attr('xml:lang')?.trim() || meta.language || article?.inLanguage;

  const selectors = opts.selectors ?? {};
  for (const selector of selectors.remove ?? []) removeAll($(selector));
  const configured = readConfigured($, selectors, opts.url);

  const crumbs = takeBreadcrumbs($);
  const rights = takeRights($);
  removeBoilerplate($);

  const knownTitle = configured.title ?? article?.headline ?? (meta.title && stripSiteSuffix(meta.title, meta.siteName));
  const heading = configured.titleElement ? { el: configured.titleElement, agrees: true } : findTitleElement($, knownTitle, docTitle, meta.siteName);
  const titleElement = heading?.el;
  const title = knownTitle ?? heading?.text ?? (titleElement && collapseWhitespace(titleElement.text())) ?? (docTitle ? stripSiteSuffix(docTitle, meta.siteName) : undefined);
  const suffix = titleSuffix(docTitle, title);
  const siteName = meta.siteName ?? article?.publisher ?? suffix.at(-1);
  const siteNames = [siteName, ...(opts.siteNames ?? [])].filter((n): n is string => n !== undefined && n !== '');

  const configuredBody = configured.body && configured.body.closest('html').length > 0 ? configured.body : undefined;
  // Short candidates that are the title (or hold nothing else) or an info line are not the body of a brief.
  const titleText = titleElement ? collapseWhitespace(titleElement.text()) : undefined;
  const isTitle = (el: Element) => titleElement !== undefined && (titleElement.is(el) || ($(el).find(titleElement).length > 0 && collapseWhitespace($(el).text()) === titleText));
  const notBody = (el: Element) => isTitle(el) || readLabels(blockText($(el))).infoOnly;
  const found = configuredBody ? undefined : findMainBody($, article?.articleBody, notBody);
  const body = configuredBody ?? found?.el;
  // Hints first: an info line without labels ("2019年08月20日 19:12 <a class="source">证券时报</a>")
  // is taken out whole by takeInfoLines.
  const hinted = readClassHints($, body, opts.url);
  const info = takeInfoLines($, body, titleElement, opts.url);
  if (body) {
    if (titleElement && body.find(titleElement).length > 0) titleElement.remove();
    // The title repeated inside the body (a heading the title search did not pick) is not article text.
    removeAll(findIn($, body, '*').filter((_, el) => isBlock(el) && collapseWhitespace($(el).text()) === title));
  }
  const bracketed = body ? takeBodyLabels($, body) : {};
  const labels = mergeFacts(mergeFacts(info.facts, hinted.facts), bracketed);
  if (labels.published !== undefined) labels.published = completeYear(labels.published, opts.url, opts.now);

  // Is this an article? A body of MIN_BODY_CHARS or more, one configured or one JSON-LD describes,
  // is; a shorter one (a brief) only when the page as a whole says so: a heading that agrees with
  // <title> or og:title, a date, and a byline label or a container named for article text.
  const byline = labels.source !== undefined || labels.authors !== undefined || labels.editor !== undefined || meta.source !== undefined;
  const dated = labels.published !== undefined || meta.published !== undefined;
  const brief = found !== undefined && found.chars < MIN_BODY_CHARS;
  const accepted = body !== undefined && (!brief || article !== undefined || (heading?.agrees === true && dated && (byline || found.named)));
  if (body && accepted) {
    paragraphize($, body);
    trimIndentation($, body);
  }
  const contentHtml = body && accepted ? body.html()?.trim() : article?.articleBody && paragraphs(article.articleBody);
  if (!contentHtml || (body && accepted && collapseWhitespace(body.text()) === '' && findIn($, body, 'img').length === 0)) throw new ExtractError(`no article body found on ${opts.url}`);

  const sourceUrl = info.facts.source !== undefined ? info.sourceUrl : hinted.sourceUrl;
  // An author meta naming the site, or any part of the <title> suffix (a channel, the site), is no author.
  const notSite = (name: string) => !isSiteName(name, [...siteNames, ...suffix]);
  const labelFrom = (kind: keyof LabelFacts) => (info.facts[kind] !== undefined ? 'label (info line)' : hinted.facts[kind] !== undefined ? 'heuristic: element named for it (class/id)' : 'label (bracketed, in the body)');
  const explain: Explanation = {};
  const pick = <T>(field: keyof Explanation, ...options: [value: T | undefined, rule: string][]): T | undefined => {
    for (const [value, rule] of options) {
      if (value !== undefined) {
        explain[field] = rule;
        return value;
      }
    }
    return undefined;
  };
  const sel = (name: keyof PageSelectors) => `selector "${selectors[name] as string}"`;
  pick('title', [configured.title, sel('title')], [article?.headline, 'JSON-LD headline'], [meta.title && knownTitle, 'meta og:title'], [heading?.agrees ? title : undefined, `heuristic: heading <${titleElement?.[0]?.tagName ?? '?'}> agreeing with <title>`], [titleElement && title, 'heuristic: first <h1>'], [title, 'heuristic: <title> without the site name']);
  const authors = pick('authors', [configured.authors, sel('authors')], [nonEmpty(article?.authors), 'JSON-LD author'], [nonEmpty(meta.authors.filter(notSite)), 'meta author'], [labels.authors, labelFrom('authors')]) ?? [];
  const editor = pick('editor', [configured.editor, sel('editor')], [article?.editor, 'JSON-LD editor'], [labels.editor, labelFrom('editor')]);
  const source = pick<{ name: string; url?: string }>('source', [configured.source, sel('source')], [meta.source ? { name: meta.source } : undefined, 'meta source'], [labels.source ? { name: labels.source, ...optionalUrl(sourceUrl) } : undefined, labelFrom('source')]);
  const published = pick('published', ifDate(configured.date, sel('date')), ifDate(article?.datePublished, 'JSON-LD datePublished'), ifDate(meta.published, 'meta published time'), ifDate(labels.published, labelFrom('published')));
  const updated = pick('updated', ifDate(article?.dateModified, 'JSON-LD dateModified'), ifDate(meta.modified, 'meta modified time'), ifDate(labels.updated, labelFrom('updated')));
  const categories = pick('categories', [crumbs.length > 0 ? crumbs : undefined, 'heuristic: breadcrumb'], [ld.breadcrumbs.length > 0 ? ld.breadcrumbs : undefined, 'JSON-LD BreadcrumbList'], [article?.sections.length ? article.sections : undefined, 'JSON-LD articleSection'], [meta.sections, 'meta article:section']) ?? [];
  const rightsText = pick('rights', [rights, 'heuristic: 版权说明 / 版权声明 block'], [article?.copyrightNotice, 'JSON-LD copyrightNotice']);
  explain.body = configuredBody
    ? sel('body')
    : body && accepted
      ? `heuristic: <${body[0]?.tagName}${classAndId(body) ? ` ${classAndId(body)}` : ''}> with the most paragraph text${brief ? ` (a brief of ${found?.chars} characters, accepted: heading agrees with <title>, dated, ${byline ? 'byline labels' : 'container named for article text'})` : ''}`
      : 'JSON-LD articleBody';
  explain.article = configuredBody ? 'configured body' : !brief ? `body of at least ${MIN_BODY_CHARS} characters` : article ? 'a brief JSON-LD describes as an article' : 'a brief, by the page as a whole';

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
    explain,
  };
}

/** A date candidate with its rule, when dates.ts can read it (checked in UTC: only the form matters). */
function ifDate(value: string | undefined, rule: string): [string | undefined, string] {
  return [value !== undefined && parseDate(value, 'UTC') !== undefined ? value : undefined, rule];
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
    if (up.some((a) => chosenSet.has(a))) return;
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
  // An info line written as loose text in an element that also holds the body (an unclosed
  // <div class="info">发布时间：… wrapping the body after it): its text nodes, nearest the body first.
  for (const holder of bodyEl ? ancestors(bodyEl) : []) {
    for (const node of holder.children) {
      if (node.type !== 'text') continue;
      const text = node as unknown as { data: string };
      if (text.data.length > 200) continue;
      const reading = readLabels(text.data);
      if (!reading.infoOnly || !reading.hasLabel) continue;
      facts = mergeFacts(facts, reading.facts);
      text.data = '';
    }
  }
  for (const c of chosen) {
    if (facts.source === undefined && c.facts.source !== undefined) sourceUrl = linkNamed($, $(c.el), c.facts.source, pageUrl);
    facts = mergeFacts(facts, c.facts);
  }
  removeAll(chosen.map((c) => c.el));
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
    const innermostFirst = [...named.filter((el) => findIn($, el, selector).length === 0), ...named];
    for (const el of innermostFirst) {
      if (body && (body.is(el) || body.find(el).length > 0)) continue;
      // Only short texts count (below): a long one is skipped without reading it all, so elements
      // named `time` nested hundreds deep around a long text cost no more than their number.
      if (shortText(el, 200) === undefined) continue;
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
  // Every text node of the body, element by element (cheerio's .contents() of a set concatenates
  // arrays one by one: quadratic on a body of 10,000 paragraphs).
  for (const el of [...body.toArray(), ...findIn($, body, '*').toArray()]) {
    for (const node of el.children) {
      if (node.type !== 'text') continue;
      const text = node as unknown as { data: string };
      const { facts: found, rest } = takeBracketedLabels(text.data);
      if (rest === text.data) continue;
      text.data = rest;
      facts = mergeFacts(facts, found);
    }
  }
  // A paragraph that held nothing but the label group is left empty: drop it.
  removeAll(findIn($, body, 'p, div, span').filter((_, el) => $(el).children().length === 0 && $(el).text().trim() === ''));
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
  const link = findIn($, scope, 'a[href]', true)
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
      // shortText stops reading past 150 characters: checking every element stays linear in the page.
      const text = shortText(e, 150);
      if (text === undefined || text === '') return false;
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
  if (parts.length < 2) parts = findIn($, el, 'a').toArray().map((a) => $(a).text());
  removeAll(el);
  return parts.map((p) => collapseWhitespace(p)).filter((p) => p.length <= 30);
}

const RIGHTS_HEAD = /^[\s【\[]*(?:版权说明|版权声明)/;

/** Reads and removes the 版权说明 / 版权声明 block; its text with whitespace collapsed. */
function takeRights($: CheerioAPI): string | undefined {
  // Only how an element's text starts matters: reading its first 200 characters keeps this linear.
  const matches = $('body *')
    .toArray()
    .filter((el) => RIGHTS_HEAD.test(leadingText(el, 200)));
  // In document order a match's descendants come right after it: the first match whose successor
  // is not inside it is the first that holds no other match (the deepest).
  const index = matches.findIndex((el, i) => matches[i + 1] === undefined || !isInside(matches[i + 1]!, el));
  if (index < 0) return undefined;
  const deepest = $(matches[index]!);
  const block = collapseWhitespace(deepest.text()).length <= 12 ? sectionOf($, deepest) : deepest;
  const text = collapseWhitespace(blockText(block).replace(/\n/g, ' '));
  removeAll(block);
  return text || undefined;
}

/**
 * The element showing the title, and whether it agrees with what the page calls itself: the heading
 * (h1–h3, or an element whose class or id names a title) whose text is the known title or, with none
 * known, the longest one that appears in <title>, or one that starts with <title>'s headline part (a
 * PHPCMS <h1> holding its info line: `标题<br><span>2021-03-05 来源：…</span>`, whose `text` is then
 * that part); else the first h1 that is not the site's logo, which does not agree.
 */
function findTitleElement($: CheerioAPI, known: string | undefined, docTitle: string, siteName: string | undefined): { el: Cheerio<Element>; agrees: boolean; text?: string } | undefined {
  const candidates = $('h1, h2, h3, [class*="title" i], [id*="title" i], [class*="biaoti" i]')
    .toArray()
    .filter((el) => el.tagName.toLowerCase() !== 'title');
  const textOfEl = (el: Element) => collapseWhitespace($(el).text());
  const fits = candidates.filter((el) => {
    const text = textOfEl(el);
    if (text.length < 4 || text.length > 200) return false;
    return known ? text === known : docTitle.includes(text);
  });
  // The longest; of equal ones the innermost (<div class="title"><h2>标题</h2></div> gives the <h2>).
  const best = fits.reduce<Element | undefined>((a, b) => (!a || textOfEl(b).length >= textOfEl(a).length ? b : a), undefined);
  if (best) return { el: $(best), agrees: true };
  const headline = known ?? (docTitle ? stripSiteSuffix(docTitle, siteName) : '');
  if (headline.length >= 4) {
    // Any element showing exactly the headline, whatever its name (<div class="wz_bt">, <span
    // class="STYLE1">, <font><b>): the innermost.
    const exact = $('body *')
      .toArray()
      .filter((el) => isElement(el) && !/^(?:a|title|option|script|style)$/i.test(el.tagName) && textOfEl(el) === headline && $(el).closest('a').length === 0);
    const innermost = exact.at(-1);
    if (innermost) return { el: $(innermost), agrees: true };
    const holder = candidates.find((el) => /^h[1-3]$/i.test(el.tagName) && textOfEl(el).startsWith(headline) && findIn($, el, 'br, span, p, div').length > 0);
    if (holder) return { el: $(holder), agrees: true, text: headline };
  }
  if (known) return undefined;
  const h1 = $('h1')
    .toArray()
    .find((el) => textOfEl(el).length >= 6 && findIn($, el, 'a[href="/"], img').length === 0);
  return h1 ? { el: $(h1), agrees: false } : undefined;
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
