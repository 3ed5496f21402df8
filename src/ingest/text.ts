// Small text helpers shared by the ingest stages (and by the article-page extractor later).

// C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, and unpaired surrogates: not allowed anywhere in
// an XML 1.0 document. sax lets them through into parsed text, and they later make rendered feeds
// ill-formed (research/libraries.md §1–§2), so they are removed as soon as a document is decoded.
const INVALID_XML_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes every character that XML 1.0 forbids; all other text is returned unchanged. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHARS, '');
}

/** Trims and turns every run of whitespace (including U+3000 and NBSP) into one ASCII space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Returns `text` unchanged when it has at most `max` characters, else its first `max - 1` characters
 * (user-perceived characters: never half a surrogate pair or emoji sequence), trimmed, plus '…'.
 */
export function truncate(text: string, max: number): string {
  const parts: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    parts.push(segment);
    if (parts.length > max) return `${parts.slice(0, max - 1).join('').trimEnd()}…`;
  }
  return text;
}

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
