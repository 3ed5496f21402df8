// Where the article is on a page nobody configured: page furniture (navigation, share bars, font-size
// widgets, related and hot lists, footers, scripts) is removed, then the element that directly holds
// the most paragraph text, with few links, is the body.

import type { Cheerio, CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { classAndId, isBlock, isElement, sectionOf, type Element } from './page-dom.js';
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
const WIDGET = /^[\s【\[]*(?:(?:字号|字体)[:：]?[\s【\[\]】]*)?大[\s【\[\]】]*中[\s【\[\]】]*小[\s【\[\]】]*$|^[\s【\[]*(?:打印(?:本页|此文)?|关闭(?:窗口)?|收藏(?:本文)?|返回顶部)[\s】\]]*(?:[\s【\[]*(?:打印(?:本页|此文)?|关闭(?:窗口)?|收藏(?:本文)?|返回顶部)[\s】\]]*)*$|^\s*分享到[:：]?|^\s*(?:上一篇|下一篇|上一条|下一条)\s*[:：]/;

const BYLINE = /(?:作者|记者|来源|编辑|发布时间)\s*[:：]/;

/**
 * Removes what is never article text: scripts, styles, forms, navigation, asides, footers, site
 * headers outside the article, elements whose class or id names furniture (breadcrumb, share bar,
 * font size, related, hot, sidebar, footer…) unless they hold an <h1> or a byline, sections headed
 * 相关新闻 / 热点新闻 / 推荐阅读 …, and font-size, print and share widgets.
 */
export function removeBoilerplate($: CheerioAPI): void {
  $(NOISE_TAGS).remove();
  // A header or a "top" that holds the headline or the byline is the article's, not the site's.
  const holdsArticleParts = (el: Element) => $(el).find('h1').length > 0 || BYLINE.test($(el).text());
  $('header')
    .filter((_, el) => $(el).closest('article').length === 0 && !holdsArticleParts(el))
    .remove();
  // The document, the main element and the article itself are never furniture, whatever their class.
  $('[class], [id]')
    .not('html, body, main, article, [itemprop="articleBody"]')
    .filter((_, el) => isNoiseName(classAndId($(el))) && !holdsArticleParts(el))
    .remove();
  $('h1, h2, h3, h4, h5, h6, dt, strong, b, span, div, p, td, th, li')
    .filter((_, el) => {
      const text = $(el).text();
      return text.length <= 30 && NOISE_HEADINGS.test(text) && !hasBlockChild(el);
    })
    .each((_, el) => {
      sectionOf($(el)).remove();
    });
  $('div, p, span, td, li, ul')
    .filter((_, el) => {
      const text = $(el).text();
      return text.length <= 80 && WIDGET.test(text);
    })
    .remove();
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
const BODY_NAMES = /content|article|detail|text|zw|trs_editor|artibody|body|main/;
/** Less direct text than this and the page has no article body. */
const MIN_BODY_CHARS = 50;

interface Scored {
  el: Element;
  score: number;
  text: string;
}

/**
 * The element holding the article body: among containers, the one whose direct paragraphs hold the
 * most text (links count against it), with a bonus for body-like class names. When JSON-LD gives the
 * articleBody, a container holding its opening words is preferred. Undefined when no container holds
 * at least MIN_BODY_CHARS characters of paragraph text (a list page, an index).
 */
export function findMainBody($: CheerioAPI, articleBody?: string): Cheerio<Element> | undefined {
  const scored: Scored[] = [];
  $(CANDIDATES).each((_, el) => {
    const own = ownParagraphText($, el);
    if (own.chars < MIN_BODY_CHARS) return;
    const bonus = BODY_NAMES.test(classAndId($(el))) ? 1.25 : 1;
    scored.push({ el, score: (own.chars - own.linkChars * 2 + 20 * own.paragraphs) * bonus, text: collapseWhitespace($(el).text()) });
  });
  const opening = articleBody ? collapseWhitespace(articleBody).replace(/\s/g, '').slice(0, 16) : '';
  const pool = opening ? scored.filter((s) => s.text.replace(/\s/g, '').includes(opening)) : [];
  const best = (pool.length > 0 ? pool : scored).reduce<Scored | undefined>((a, b) => (!a || b.score > a.score ? b : a), undefined);
  return best && best.score > 0 ? $(best.el) : undefined;
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
        links = tag === 'a' ? text.replace(/\s/g, '').length : $child.find('a').text().replace(/\s/g, '').length;
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
  const children = body.contents().toArray();
  const loose = children.some((n) => n.type === 'text' && (n as unknown as { data: string }).data.replace(/[\s\u3000\u00a0]/g, '') !== '');
  if (!loose) return;
  const runs: AnyNode[][] = [[]];
  for (const node of children) {
    if (isElement(node) && (node.tagName.toLowerCase() === 'br' || isBlock(node))) runs.push([]);
    else runs[runs.length - 1]!.push(node);
  }
  for (const run of runs) {
    const $run = $(run);
    const visible = $run.text().replace(/[\s\u3000\u00a0]/g, '') !== '' || $run.filter('img').add($run.find('img')).length > 0;
    if (visible) $run.wrapAll('<p></p>');
  }
  body.children('br').remove();
}

/**
 * Trims the indentation (spaces, U+3000, &nbsp;) at the start and end of every paragraph of `body`:
 * `　　作为中国宝武…` reads `作为中国宝武…`. Indentation is layout, not text.
 */
export function trimIndentation(body: Cheerio<Element>): void {
  body.find('p, div, td, li, blockquote, h2, h3, h4, h5, h6').add(body).each((_, el) => {
    const first = firstText(el, 'first');
    if (first) first.data = first.data.replace(/^[\s\u3000\u00a0]+/, '');
    const last = firstText(el, 'last');
    if (last) last.data = last.data.replace(/[\s\u3000\u00a0]+$/, '');
  });
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
