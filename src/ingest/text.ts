// Text helpers of the ingest stages; the generic ones live in src/text.ts.

export { collapseWhitespace, stripInvalidXmlChars, truncate } from '../text.js';

// Where a labelled value ends: whitespace, CJK and ASCII punctuation, brackets.
const VALUE_END = '\\s,，.。;；:：、!！?？|｜/()（）\\[\\]【】<>《》「」『』"“”\'';

/**
 * Finds the value written after one of `labels` in free text, the way Chinese news pages name people
 * and outlets: `作者:吴刚`, `作者：吴刚`, `记者 吴刚`, `【编辑：王五】`. The label must be followed by a
 * colon (ASCII or full-width) and/or whitespace; the value runs to the next whitespace or punctuation.
 * Returns the first match of the earliest-listed label that has one, or undefined.
 */
export function findLabeledValue(text: string, labels: readonly string[]): string | undefined {
  for (const label of labels) {
    const pattern = new RegExp(`${escapeRegExp(label)}(?:\\s*[:：]\\s*|\\s+)([^${VALUE_END}]{1,40})`, 'u');
    const value = pattern.exec(text)?.[1];
    if (value) return value;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
