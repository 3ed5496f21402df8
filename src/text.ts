// String hygiene shared by every layer: what may appear in an XML 1.0 document, whitespace,
// length limits, and escaping plain text for HTML.

// C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, and unpaired surrogates: not allowed anywhere in
// an XML 1.0 document. sax lets them through into parsed text, and they later make rendered feeds
// ill-formed (XML 1.0 §2.2, Char), so they are removed as soon as a document is decoded.
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

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Plain text → HTML text (element content or a quoted attribute) that displays as the same characters. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
