// The labelled lines of Chinese news pages: `2019-06-28 16:42:00  作者:李明 王芳  来源:河北日报`,
// `【编辑：王五】`, `(责任编辑:王静)`, `发布时间：2021-3-5 8:05 | 信息来源：本网`. Pure text in, facts out;
// which elements of a page are read is extract-page.ts's business.

import { findDateText } from '../dates.js';

export type LabelKind = 'authors' | 'editor' | 'source' | 'published' | 'updated';

// Longer labels first, so that 责任编辑 is not read as 编辑 and 信息来源 not as 来源.
const LABELS: [label: string, kind: LabelKind][] = (
  [
    ['责任编辑', 'editor'], ['责编', 'editor'], ['编辑', 'editor'],
    ['信息来源', 'source'], ['文章来源', 'source'], ['稿件来源', 'source'], ['新闻来源', 'source'], ['来源', 'source'], ['稿源', 'source'],
    ['作者', 'authors'], ['记者', 'authors'], ['通讯员', 'authors'], ['撰稿', 'authors'], ['撰文', 'authors'],
    ['发布时间', 'published'], ['发布日期', 'published'], ['发表时间', 'published'], ['发表日期', 'published'],
    ['发稿时间', 'published'], ['时间', 'published'], ['日期', 'published'],
    ['更新时间', 'updated'], ['修改时间', 'updated'],
  ] satisfies [string, LabelKind][]
).sort((a, b) => b[0].length - a[0].length);

const KIND_OF = new Map<string, LabelKind>([...LABELS, ['文', 'authors']]);

// A label is followed by a colon (half- or full-width); 记者 and 通讯员 also by a space ("本报记者 张三").
// Old layouts space out two-character labels ("作　者："), hence the optional space between characters.
const spaced = (label: string) => [...label].join('[ \\u3000\\u00a0]?');
// 文/李明 (newspaper bylines) names the writer too.
const LABEL = new RegExp(
  `(${LABELS.map(([l]) => spaced(l)).join('|')})[ \\u3000\\u00a0]*[:：]|(记者|通讯员)(?=[ \\u3000\\u00a0])|(?<!\\p{Script=Han})(文)[ \\u3000]*[/／](?=[ \\u3000]*\\p{Script=Han})`,
  'gu',
);

// Where a value ends: a run of two or more spaces (ASCII, NBSP or full-width), one full-width space,
// tab or line break, a | separator, a closing bracket, the next label ("点击:", "浏览次数：", "图/",
// known or not), or the start of a date.
const VALUE_END = new RegExp(
  `\\s{2,}|[\\u3000\\t\\r\\n]|[|｜]|[)）】\\]」』>]|\\p{Script=Han}{2,4}[ \\u3000]*[:：]|(?:记者|通讯员)[ \\u00a0]|[文图摄][ \\u3000]*[/／]|\\d{4}\\s*[-/.年]\\s*\\d{1,2}\\s*[-/.月]`,
  'u',
);

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
export function readLabels(text: string): LabelReading {
  const facts: LabelFacts = {};
  let hasLabel = false;
  let residual = '';
  let cursor = 0;
  for (const match of text.matchAll(LABEL)) {
    const label = (match[1] ?? match[2] ?? match[3] ?? '').replace(/[ \u3000\u00a0]/g, '');
    const kind = KIND_OF.get(label);
    if (kind === undefined) continue;
    hasLabel = true;
    const start = match.index;
    const valueStart = start + match[0].length;
    const { value, end } = valueAfter(text, valueStart, kind);
    residual += text.slice(cursor, start);
    cursor = Math.max(end, valueStart);
    if (value !== undefined) assign(facts, kind, value);
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

function valueAfter(text: string, from: number, kind: LabelKind): { value?: string; end: number } {
  if (kind === 'published' || kind === 'updated') {
    const tail = text.slice(from);
    const date = findDateText(tail);
    // The date must follow the label directly (after spaces), not appear somewhere later in the line.
    if (date === undefined || tail.slice(0, tail.indexOf(date)).trim() !== '') return { end: from };
    return { value: date, end: from + tail.indexOf(date) + date.length };
  }
  // Spaces right after the colon do not end the value; a line break does.
  let start = from;
  while (start < text.length && /[ \u3000\u00a0]/.test(text[start]!)) start++;
  const rest = text.slice(start);
  const stop = VALUE_END.exec(rest);
  const raw = stop ? rest.slice(0, stop.index) : rest;
  const value = raw.replace(/^[\s,，;；、。:：]+|[\s,，;；、。:：]+$/g, '');
  return { ...(value !== '' && { value }), end: start + raw.length };
}

/** Authors add up (本报记者 张三 通讯员 李四); for the other kinds the first value wins. */
function assign(facts: LabelFacts, kind: LabelKind, value: string): void {
  if (kind === 'authors') {
    const names = [...new Set([...(facts.authors ?? []), ...splitNames(value)])];
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
