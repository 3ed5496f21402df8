// Where the article is on a page nobody configured: page furniture (navigation, share bars, font-size
// widgets, related and hot lists, footers, scripts) is removed, then the element that directly holds
// the most paragraph text, with few links, is the body.

import { load, type Cheerio, type CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { ancestors, classAndId, findIn, isBlock, isElement, removeAll, sectionOf, setChildren, type Element } from './page-dom.js';
import { collapseWhitespace } from '../text.js';

const NOISE_TAGS = 'script, style, noscript, template, iframe, frame, object, embed, form, button, select, textarea, input, nav, aside, footer, link, meta';

// Class names and ids of page furniture. Whole names for the short, ambiguous ones ("top", "side");
// substrings for the distinctive ones.
const NOISE_NAMES = new Set([
  'top', 'header', 'head-nav', 'nav', 'menu', 'foot', 'footer', 'bottom', 'position', 'location', 'path', 'crumb',
  'share', 'sidebar', 'side', 'ad', 'ads', 'hot', 'related', 'comment', 'comments', 'logo', 'search', 'login',
  'links', 'friendlink', 'toolbar', 'tools', 'print', 'pager-nav',
]);
const NOISE_SUBSTRINGS = /breadcrumb|crumbs|sharebar|share-?box|share-?btn|bdshare|jiathis|bshare|social|fontsize|font-size|zihao|related|relate-|xgxw|xgyd|recommend|hotnews|hot-?list|ranking|sidebar|advert|footer|navbar|friend-?link|comment/;

// Headings of sections that are not the article: related and hot lists, recommendations, partner logos.
const NOISE_HEADINGS = /^[\s【\[]*(?:相关(?:新闻|阅读|文章|报道|链接|推荐|内容)|热点(?:新闻|推荐|文章|资讯)?|热门(?:新闻|文章|推荐|资讯)?|推荐(?:阅读|新闻|文章)|延伸阅读|猜你喜欢|最新(?:新闻|文章|资讯)|精彩推荐|图片新闻|品牌联盟|友情链接|合作伙伴|网友评论|上一篇|下一篇)[\s】\]:：]*$/;

// 【字号 大 中 小】, 字体：大 中 小, [打印] [关闭], 分享到：, 上一篇：…, 下一篇：…
// Each repetition is a keyword then brackets/spaces that hold no keyword character: one way to match,
// linear time (the earlier form split the spaces between keywords two ways: exponential on "打印  " × 20).
const WIDGET = /^[\s【\[]*(?:(?:字号|字体)[:：]?[\s【\[\]】]*)?大[\s【\[\]】]*中[\s【\[\]】]*小[\s【\[\]】]*$|^[\s【\[\]】]*(?:(?:打印(?:本页|此文)?|关闭(?:窗口)?|收藏(?:本文)?|返回顶部)[\s【\[\]】]*)+$|^\s*分享到[:：]?|^\s*(?:上一篇|下一篇|上一条|下一条)\s*[:：]/;

const BYLINE = /(?:作者|记者|来源|编辑|发布时间)\s*[:：]/;

/**
 * Removes what is never article text: scripts, styles, forms, navigation, asides, footers, site
 * headers outside the article, elements whose class or id names furniture (breadcrumb, share bar,
 * font size, related, hot, sidebar, footer…) unless they hold an <h1> or a byline, sections headed
 * 相关新闻 / 热点新闻 / 推荐阅读 …, and font-size, print and share widgets.
 */
export function removeBoilerplate($: CheerioAPI): void {
  // Removals go through removeAll, and searches inside an element through findIn (page-dom.ts): both
  // stay linear however many siblings a page gives an element.
  removeAll($(NOISE_TAGS));
  // What a reader never sees: elements hidden by an inline style or the hidden attribute.
  removeAll($('[style], [hidden]').filter((_, el) => $(el).attr('hidden') !== undefined || HIDDEN_STYLE.test($(el).attr('style') ?? '')));
  // A header or a "top" that holds the headline or the byline is the article's, not the site's.
  const holdsArticleParts = (el: Element) => findIn($, el, 'h1').length > 0 || BYLINE.test($(el).text());
  removeAll($('header').filter((_, el) => $(el).closest('article').length === 0 && !holdsArticleParts(el)));
  // The document, the main element and the article itself are never furniture, whatever their class.
  removeAll(
    $('[class], [id]')
      .not('html, body, main, article, [itemprop="articleBody"]')
      .filter((_, el) => isNoiseName(classAndId($(el))) && !holdsArticleParts(el)),
  );
  // Each noise heading takes its section; a heading inside a section already taken adds nothing.
  const taken = new Set<AnyNode>();
  const sections: AnyNode[] = [];
  $('h1, h2, h3, h4, h5, h6, dt, strong, b, span, div, p, td, th, li')
    .filter((_, el) => {
      const text = $(el).text();
      return text.length <= 30 && NOISE_HEADINGS.test(text) && !hasBlockChild(el);
    })
    .each((_, el) => {
      if (taken.has(el) || ancestors(el).some((a) => taken.has(a))) return;
      for (const node of sectionOf($, $(el)).toArray()) {
        taken.add(node);
        sections.push(node);
      }
    });
  removeAll(sections);
  removeAll(
    $('div, p, span, td, li, ul').filter((_, el) => {
      const text = $(el).text();
      return text.length <= 80 && WIDGET.test(text);
    }),
  );
  // Pagers (共3页: 上一页 1 2 3 下一页), of an article split over pages or of a list.
  removeAll(
    $('div, p, td, ul, center').filter((_, el) => {
      const text = $(el).text();
      return text.length <= 200 && isPager(text);
    }),
  );
}

const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)/i;

// The words a pager is made of; a pager holds nothing else but page numbers and punctuation.
const PAGER_WORDS = /共\s*\d+\s*(?:页|條|条)|第\s*\d+\s*页|上一页|下一页|上页|下页|首页|尾页|末页|Total record|\d+/gi;

function isPager(text: string): boolean {
  if (!/[上下]一?页|共\s*\d+\s*页|Total record/i.test(text)) return false;
  return text.replace(PAGER_WORDS, '').replace(/[\s\p{P}\p{S}]/gu, '') === '';
}

function isNoiseName(names: string): boolean {
  if (names === '') return false;
  if (NOISE_SUBSTRINGS.test(names)) return true;
  return names.split(/\s+/).some((name) => NOISE_NAMES.has(name.replace(/^#/, '')));
}

function hasBlockChild(el: Element): boolean {
  return el.children.some((c) => isElement(c) && isBlock(c));
}

const CANDIDATES = 'article, main, section, div, td, dd, [itemprop="articleBody"]';
// Children that read as paragraphs of their parent: text, paragraphs, inline runs, and block
// elements with no block inside them (<div>一段文字</div>).
const PARAGRAPH_TAGS = new Set(['p', 'blockquote', 'pre', 'span', 'font', 'strong', 'b', 'em', 'i', 'u', 'center']);
const INLINE_WRAPPERS = new Set(['font', 'span', 'b', 'strong', 'em', 'i', 'u']);
const BODY_NAMES = /content|article|detail|text|zw|trs_editor|artibody|body|main/;
/** A body with this much direct text is an article whatever else the page says; a shorter one (a
 *  brief) only when the page as a whole says so (extract-page.ts). */
export const MIN_BODY_CHARS = 50;
/** Less direct text than this is no body, not even a brief's. */
const MIN_BRIEF_CHARS = 8;
// Containers named for article text: a bonus to their score, and evidence that a brief is an article.
const ZOOM = /(?:^|\s|#)zoom(?:\s|$)/;

interface Scored {
  el: Element;
  score: number;
  text: string;
  chars: number;
  named: boolean;
}

export interface MainBody {
  el: Cheerio<Element>;
  /** Characters of its direct paragraph text. */
  chars: number;
  /** Its class or id names article text (content, article, TRS_Editor, zoom …). */
  named: boolean;
}

/**
 * The element holding the article body: among containers, the one whose direct paragraphs hold the
 * most text (links count against it), with a bonus for body-like class names. When JSON-LD gives the
 * articleBody, a container holding its opening words is preferred. Containers with less than
 * MIN_BODY_CHARS characters of paragraph text count only when `notBody` does not refuse them and
 * their text is not mostly links; undefined when no container is left (a list page, an index).
 * Whether a short body makes the page an article is the caller's decision.
 */
export function findMainBody($: CheerioAPI, articleBody?: string, notBody?: (el: Element) => boolean): MainBody | undefined {
  const scored: Scored[] = [];
  $(CANDIDATES).each((_, el) => {
    const own = ownParagraphText($, el);
    if (own.chars < MIN_BRIEF_CHARS) return;
    if (own.chars < MIN_BODY_CHARS && (own.linkChars * 2 > own.chars || notBody?.(el))) return;
    const names = classAndId($(el));
    const named = BODY_NAMES.test(names) || ZOOM.test(names);
    const bonus = named ? 1.25 : 1;
    scored.push({ el, score: (own.chars - own.linkChars * 2 + 20 * own.paragraphs) * bonus, text: collapseWhitespace($(el).text()), chars: own.chars, named });
  });
  const opening = articleBody ? collapseWhitespace(articleBody).replace(/\s/g, '').slice(0, 16) : '';
  const pool = opening ? scored.filter((s) => s.text.replace(/\s/g, '').includes(opening)) : [];
  const best = (pool.length > 0 ? pool : scored).reduce<Scored | undefined>((a, b) => (!a || b.score > a.score ? b : a), undefined);
  return best && best.score > 0 ? { el: $(best.el), chars: best.chars, named: best.named } : undefined;
}

/** Text in the element's own paragraphs (see PARAGRAPH_TAGS), its link text, and how many paragraphs. */
function ownParagraphText($: CheerioAPI, el: Element): { chars: number; linkChars: number; paragraphs: number } {
  let chars = 0;
  let linkChars = 0;
  let paragraphs = 0;
  for (const child of el.children) {
    let text = '';
    let links = 0;
    if (child.type === 'text') text = (child as unknown as { data: string }).data;
    else if (isElement(child)) {
      const tag = child.tagName.toLowerCase();
      const leafBlock = isBlock(child) && !hasBlockChild(child) && !/^(?:h\d|ul|ol|li|table|tr|td|th|dl|dt|dd)$/.test(tag);
      if (PARAGRAPH_TAGS.has(tag) || leafBlock || tag === 'a') {
        const $child = $(child);
        text = $child.text();
        links = tag === 'a' ? text.replace(/\s/g, '').length : findIn($, child, 'a').text().replace(/\s/g, '').length;
      }
    }
    const length = text.replace(/\s/g, '').length;
    chars += length;
    linkChars += links;
    if (length >= 10) paragraphs += 1;
  }
  return { chars, linkChars, paragraphs };
}

/**
 * Wraps the loose text of `body` in paragraphs: old layouts write an article as text and <br><br>
 * straight inside a <td> or <div>, and `一段<br><br>二段` becomes `<p>一段</p><p>二段</p>`. Each run of
 * inline content between line breaks or block elements becomes one paragraph; block children stay as
 * they are. A body without loose text is left alone.
 */
export function paragraphize($: CheerioAPI, body: Cheerio<Element>): void {
  const el = body[0];
  if (!el) return;
  const blank = (n: AnyNode) => n.type === 'text' && (n as unknown as { data: string }).data.replace(/[\s\u3000\u00a0]/g, '') === '';
  // A body whose text all sits in one inline wrapper (<td><font size="3">一段<br><br>二段</font></td>)
  // is read as if the wrapper were not there.
  for (;;) {
    const visible = el.children.filter((n) => !blank(n));
    const only = visible.length === 1 ? visible[0] : undefined;
    if (!only || !isElement(only) || !INLINE_WRAPPERS.has(only.tagName.toLowerCase())) break;
    setChildren(el, el.children.flatMap((n) => (n === only ? only.children : [n])));
    only.parent = only.prev = only.next = null;
  }
  const loose = el.children.some((n) => n.type === 'text' && !blank(n));
  if (!loose) return;
  // Runs of inline content, and the block children between them (line breaks are dropped).
  const parts: (AnyNode | AnyNode[])[] = [[]];
  for (const node of el.children) {
    const separator = isElement(node) && (node.tagName.toLowerCase() === 'br' || isBlock(node));
    if (!separator) (parts[parts.length - 1] as AnyNode[]).push(node);
    else parts.push(...(node.tagName.toLowerCase() === 'br' ? [] : [node]), []);
  }
  const shows = (run: AnyNode[]) => $(run).text().replace(/[\s\u3000\u00a0]/g, '') !== '' || findIn($, $(run), 'img', true).length > 0;
  const wrapped = parts.map((part) => Array.isArray(part) && part.length > 0 && shows(part));
  // The new document is built in one pass (cheerio's wrapAll splices each paragraph into the body:
  // quadratic on an article of 10,000 lines); the <p> elements come from one document parse (a
  // fragment parse moves its top-level nodes one by one, quadratic too).
  const shells = load('<p></p>'.repeat(wrapped.filter(Boolean).length))('body').children().toArray() as Element[];
  let next = 0;
  const children = parts.flatMap((part, i) => {
    if (!Array.isArray(part)) return [part];
    if (!wrapped[i]) return part;
    const p = shells[next++]!;
    setChildren(p, part);
    return [p];
  });
  setChildren(el, children);
}

/**
 * Trims the indentation (spaces, U+3000, &nbsp;) at the start and end of every paragraph of `body`:
 * `　　作为中国宝武…` reads `作为中国宝武…`. Indentation is layout, not text.
 */
export function trimIndentation($: CheerioAPI, body: Cheerio<Element>): void {
  for (const el of [...body.toArray(), ...findIn($, body, 'p, div, td, li, blockquote, h2, h3, h4, h5, h6').toArray()]) {
    const first = firstText(el, 'first');
    if (first) first.data = first.data.replace(/^[\s\u3000\u00a0]+/, '');
    const last = firstText(el, 'last');
    if (last) last.data = last.data.replace(/[\s\u3000\u00a0]+$/, '');
  }
}

function firstText(node: AnyNode, end: 'first' | 'last'): { data: string } | undefined {
  if (node.type === 'text') return node as unknown as { data: string };
  if (!isElement(node)) return undefined;
  const children = end === 'first' ? node.children : [...node.children].reverse();
  for (const child of children) {
    if (isElement(child) && isBlock(child)) return undefined;
    if (child.type === 'text' && (child as unknown as { data: string }).data.trim() === '' && !/[\u3000\u00a0]/.test((child as unknown as { data: string }).data)) continue;
    const found = firstText(child, end);
    if (found) return found;
  }
  return undefined;
}
