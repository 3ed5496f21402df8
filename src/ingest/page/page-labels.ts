// The labelled lines of Chinese news pages: `2019-06-28 16:42:00  作者:李明 王芳  来源:河北日报`,
// `【编辑：王五】`, `(责任编辑:王静)`, `发布时间：2021-3-5 8:05 | 信息来源：本网`. Pure text in, facts out;
// which elements of a page are read is extract-page.ts's business.

import { findDateText, findYearlessDate } from '../dates.js';

export type LabelKind = 'authors' | 'editor' | 'source' | 'published' | 'updated';

// Longer labels first, so that 责任编辑 is not read as 编辑 and 信息来源 not as 来源. Traditional forms
// (Big5 pages) beside the simplified ones. 'reviewer' (审核, 编审: who signed the page off, not its
// editor) and 'skip' (the poster of a forum portal, counters) are read so that their values end up
// neither in another field nor in the text, and are then dropped.
type AnyKind = LabelKind | 'reviewer' | 'skip';
const LABELS: [label: string, kind: AnyKind][] = (
  [
    ['责任编辑', 'editor'], ['責任編輯', 'editor'], ['责编', 'editor'], ['責編', 'editor'], ['编辑', 'editor'], ['編輯', 'editor'],
    ['审核', 'reviewer'], ['審核', 'reviewer'], ['编审', 'reviewer'], ['編審', 'reviewer'], ['审稿', 'reviewer'], ['終審', 'reviewer'], ['终审', 'reviewer'],
    ['信息来源', 'source'], ['信息來源', 'source'], ['文章来源', 'source'], ['文章來源', 'source'], ['稿件来源', 'source'], ['新闻来源', 'source'], ['新聞來源', 'source'],
    ['资料来源', 'source'], ['資料來源', 'source'], ['来源', 'source'], ['來源', 'source'], ['稿源', 'source'], ['出处', 'source'], ['出處', 'source'],
    ['来自', 'source'], ['來自', 'source'],
    ['原作者', 'authors'], ['作者', 'authors'], ['记者', 'authors'], ['記者', 'authors'], ['通讯员', 'authors'], ['通訊員', 'authors'], ['撰稿', 'authors'], ['撰文', 'authors'],
    ['发布时间', 'published'], ['發佈時間', 'published'], ['發布時間', 'published'], ['发布日期', 'published'], ['發佈日期', 'published'], ['發布日期', 'published'],
    ['发表时间', 'published'], ['發表時間', 'published'], ['发表日期', 'published'], ['发稿时间', 'published'], ['时间', 'published'], ['時間', 'published'], ['日期', 'published'],
    ['更新时间', 'updated'], ['更新時間', 'updated'], ['修改时间', 'updated'],
    ['发布者', 'skip'], ['發佈者', 'skip'], ['点击数', 'skip'], ['點擊數', 'skip'], ['浏览次数', 'skip'], ['瀏覽次數', 'skip'], ['阅读次数', 'skip'], ['点击', 'skip'], ['查看', 'skip'], ['评论', 'skip'],
  ] satisfies [string, AnyKind][]
).sort((a, b) => b[0].length - a[0].length);

const KIND_OF = new Map<string, AnyKind>([...LABELS, ['文', 'authors'], ['发表于', 'published'], ['發表於', 'published'], ['转载自', 'source'], ['轉載自', 'source']]);

// A label is followed by a colon (half- or full-width); 记者 and 通讯员 also by a space ("本报记者 张三"),
// 发表于 and 转载自 by their value directly. Old layouts space out two-character labels ("作　者："),
// hence the optional space between characters.
const spaced = (label: string) => [...label].join('[ \\u3000\\u00a0]?');
// 文/李明 and 文：李明 (newspaper bylines) name the writer too.
const LABEL = new RegExp(
  `(${LABELS.map(([l]) => spaced(l)).join('|')})[ \\u3000\\u00a0]*[:：]|(记者|通讯员|記者|通訊員)(?=[ \\u3000\\u00a0])|(?<!\\p{Script=Han})(文)[ \\u3000]*[/／:：](?=[ \\u3000]*\\p{Script=Han})|(发表于|發表於|转载自|轉載自)[ \\u3000\\u00a0]*[:：]?`,
  'gu',
);

// LABEL, for looking ahead from inside a value (its own lastIndex, so readLabels' loop is not disturbed).
const NEXT_LABEL = new RegExp(LABEL.source, 'gu');

// Where a value ends: a run of two or more spaces (ASCII, NBSP or full-width), one full-width space,
// tab or line break, a | separator, a closing bracket, the next label ("点击:", "浏览次数：", "图/",
// known or not), or the start of a date.
const VALUE_END = new RegExp(
  `\\s{2,}|[\\u3000\\t\\r\\n]|[|｜]|[)）】\\]」』>]|\\p{Script=Han}{2,4}[ \\u3000]*[:：]|(?:记者|通讯员|記者|通訊員)[ \\u00a0]|[文图摄圖攝][ \\u3000]*[/／]|\\d{4}\\s*[-/.年]\\s*\\d{1,2}\\s*[-/.月]`,
  'u',
);

// Two-character names padded to the width of three in old layouts ("赵　刚"): the full-width space
// between two lone Han characters is layout, not a separator.
const PADDED_NAME = /(?<![\p{Script=Han}])(\p{Script=Han})\u3000(\p{Script=Han})(?![\p{Script=Han}])/gu;

// Who a byline names besides the writer: the paper or desk ("本报记者 张三" gives 张三).
const NOT_A_NAME = /^(?:本报|本刊|本台|本网|本站|特约|本報|本臺|本網)$/;

/** What labelled text says; a kind is present when its label was found with a non-empty value. */
export interface LabelFacts {
  authors?: string[];
  editor?: string;
  source?: string;
  /** Raw date text, for dates.ts. */
  published?: string;
  updated?: string;
}

export interface LabelReading {
  facts: LabelFacts;
  /** A known label occurs in the text, even with an empty value. */
  hasLabel: boolean;
  /** A date occurs in the text, labelled or not. */
  hasDate: boolean;
  /**
   * Labels, their values, dates and page furniture (字号 大 中 小, 打印, 关闭, counters, other `名称：值`
   * pairs, punctuation), and at most a few other characters: the text is an info line, not prose.
   */
  infoOnly: boolean;
}

/**
 * Reads the labelled values of one line of text. The first value of each kind wins, except that
 * every author label adds its names. A label with
 * nothing after it (`作者:` followed by spaces, the next label or the end) gives nothing — never the
 * next label's text. Authors are split on 、,，;；/ and, for names without Latin letters, on spaces
 * (`李明 王芳` → 李明, 王芳). A date without a label counts as the publication date.
 */
export function readLabels(line: string): LabelReading {
  const text = line.replace(PADDED_NAME, '$1$2');
  const facts: LabelFacts = {};
  let hasLabel = false;
  let residual = '';
  let cursor = 0;
  for (const match of text.matchAll(LABEL)) {
    const label = (match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').replace(/[ \u3000\u00a0]/g, '');
    const kind = KIND_OF.get(label);
    if (kind === undefined) continue;
    hasLabel = true;
    const start = match.index;
    const valueStart = start + match[0].length;
    const { value, end } = valueAfter(text, valueStart, kind);
    residual += text.slice(cursor, start);
    cursor = Math.max(end, valueStart);
    if (value !== undefined && kind !== 'reviewer' && kind !== 'skip') assign(facts, kind, value);
  }
  residual += text.slice(cursor);

  const date = findDateText(residual);
  if (date !== undefined) facts.published ??= date;
  const hasDate = facts.published !== undefined || facts.updated !== undefined;
  const rest = date === undefined ? residual : residual.replace(date, '');
  return { facts, hasLabel, hasDate, infoOnly: (hasLabel || hasDate) && isFurniture(rest) };
}

export interface BracketedLabels {
  facts: LabelFacts;
  /** The text without the bracketed label groups. */
  rest: string;
}

// (责任编辑:王静), （来源：新华社）, 【编辑：王五】, [作者:张三], and 本报讯（记者 张三 通讯员 李四）
const BRACKETED = new RegExp(
  `[(（【\\[][ \\u3000]*(?:(?:${LABELS.map(([l]) => l).join('|')})[ \\u3000]*[:：]|(?:记者|通讯员)[ \\u3000]+)[^()（）【】\\[\\]]{0,60}[)）】\\]]`,
  'gu',
);

/**
 * Takes the bracketed label groups out of a line of article text, such as the `(责任编辑:王静)` that
 * ends many articles' last paragraph, and reads them.
 */
export function takeBracketedLabels(text: string): BracketedLabels {
  const facts: LabelFacts = {};
  const rest = text.replace(BRACKETED, (group) => {
    const { facts: found } = readLabels(group);
    for (const kind of Object.keys(found) as LabelKind[]) {
      if (facts[kind] === undefined) (facts as Record<LabelKind, unknown>)[kind] = found[kind];
    }
    return '';
  });
  return { facts, rest };
}

/** Splits a list of names: `李明 王芳`, `李明、王芳`, `Li Ming, Wang Fang`. */
export function splitNames(value: string): string[] {
  const separators = /\p{Script=Latin}/u.test(value) ? /[、,，;；/]+/ : /[\s、,，;；/]+/;
  return value
    .split(separators)
    .map((name) => name.replace(/^[\s:：]+|[\s。.]+$/g, ''))
    .filter((name) => name !== '');
}

function valueAfter(text: string, from: number, kind: AnyKind): { value?: string; end: number } {
  if (kind === 'published' || kind === 'updated') {
    const tail = text.slice(from);
    const date = findDateText(tail);
    // The date must follow the label directly (after spaces), not appear somewhere later in the line.
    if (date === undefined || tail.slice(0, tail.indexOf(date)).trim() !== '') {
      // A labelled date without its year (时间：03-05 08:05); extract-page.ts supplies the year.
      const short = findYearlessDate(tail);
      if (short !== undefined && tail.slice(0, tail.indexOf(short)).trim() === '') return { value: short, end: from + tail.indexOf(short) + short.length };
      return { end: from };
    }
    return { value: date, end: from + tail.indexOf(date) + date.length };
  }
  // Spaces right after the colon do not end the value; a line break does.
  let start = from;
  while (start < text.length && /[ \u3000\u00a0]/.test(text[start]!)) start++;
  const rest = text.slice(start);
  const stop = VALUE_END.exec(rest);
  let end = stop ? stop.index : rest.length;
  // Labels written right after a value (`来源:证券时报作者:李四`, adjacent <em>s): an unknown-label
  // match ("时报作者:") that a known label starts inside of ends the value at that known label.
  if (stop && /[:：]$/.test(stop[0])) {
    NEXT_LABEL.lastIndex = stop.index;
    const next = NEXT_LABEL.exec(rest);
    if (next && next.index > stop.index && next.index < stop.index + stop[0].length) end = next.index;
  }
  const raw = rest.slice(0, end);
  const value = raw.replace(/^[\s,，;；、。:：]+|[\s,，;；、。:：]+$/g, '');
  return { ...(value !== '' && { value }), end: start + raw.length };
}

/** Authors add up (本报记者 张三 通讯员 李四); for the other kinds the first value wins. */
function assign(facts: LabelFacts, kind: LabelKind, value: string): void {
  if (kind === 'authors') {
    const names = [...new Set([...(facts.authors ?? []), ...splitNames(value).filter((n) => !NOT_A_NAME.test(n))])];
    if (names.length > 0) facts.authors = names;
    return;
  }
  facts[kind] ??= value;
}

// Page furniture that shares info lines with the labels.
const FURNITURE = /本报|本刊|本台|本网|特约|[【\[]?(?:字号|字体|打印(?:本页|此文)?|关闭(?:窗口)?|收藏|分享(?:到)?|返回顶部|[大中小])[】\]]?|\p{Script=Han}{2,6}[ \u3000]*[:：][^\s]*/gu;

// What an info line may hold besides labels, dates and furniture ("【我要打印】", "星期五"); a line of
// prose that happens to contain a label holds far more.
const MAX_STRAY_CHARACTERS = 8;

function isFurniture(residual: string): boolean {
  return [...residual.replace(FURNITURE, '').replace(/[\s\p{P}\p{S}\d]/gu, '')].length <= MAX_STRAY_CHARACTERS;
}
