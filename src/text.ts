// String hygiene shared by every layer: what may appear in an XML 1.0 document, whitespace,
// length limits, escaping plain text for HTML and XML, and for regular expressions.

// C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, and unpaired surrogates: not allowed anywhere in
// an XML 1.0 document. sax lets them through into parsed text, and they later make rendered feeds
// ill-formed (XML 1.0 §2.2, Char), so they are removed as soon as a document is decoded.
const INVALID_XML_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// A superset of INVALID_XML_CHARS without lookarounds (it also matches tab, LF, CR and paired
// surrogates): text with none of these is returned without running the exact pattern.
const MAYBE_INVALID_XML_CHARS = /[\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

declare const xmlSafe: unique symbol;
/** Text known to hold no character XML 1.0 forbids, so it can be placed in a document without being
 *  scanned again. Only this module makes it: stripInvalidXmlChars, escapeMarkup, trimXmlSafe. */
export type XmlSafe = string & { readonly [xmlSafe]: true };

/** Removes every character that XML 1.0 forbids; all other text is returned unchanged. Removal never
 *  pairs two surrogates that were not a pair, so the result is XmlSafe. */
export function stripInvalidXmlChars(text: string): XmlSafe {
  if (!MAYBE_INVALID_XML_CHARS.test(text)) return text as XmlSafe;
  return text.replace(INVALID_XML_CHARS, '') as XmlSafe;
}

/** String.prototype.trim for XmlSafe text: removing whitespace at the ends leaves no forbidden character. */
export function trimXmlSafe(text: XmlSafe): XmlSafe {
  return text.trim() as XmlSafe;
}

/** Trims and turns every run of whitespace (including U+3000 and NBSP) into one ASCII space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// Made on first use: building a Segmenter loads ICU data (tens of ms), which commands that never cut
// text (`check`, `status`) should not pay at start.
let segmenter: Intl.Segmenter | undefined;
const graphemes = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));

/**
 * Returns `text` unchanged when it has at most `max` characters, else its first `max - 1` characters
 * (user-perceived characters: never half a surrogate pair or emoji sequence), trimmed, plus '…'.
 */
export function truncate(text: string, max: number): string {
  // Segmenting costs time in the length of the whole text (ICU reads all of it): a prefix that holds
  // max + 1 graphemes tells the same, unless its graphemes are unusually long (then the whole is read).
  const prefix = text.length > (max + 1) * 8 ? text.slice(0, (max + 1) * 8) : text;
  const parts: string[] = [];
  for (const { segment } of graphemes().segment(prefix)) {
    parts.push(segment);
    // The (max + 1)th grapheme starts inside the prefix, so the text has more than max of them; the
    // first max - 1 are whole, whatever the prefix cut off.
    if (parts.length > max) return `${parts.slice(0, max - 1).join('').trimEnd()}…`;
  }
  return prefix === text ? text : truncateWhole(text, max);
}

function truncateWhole(text: string, max: number): string {
  const parts: string[] = [];
  for (const { segment } of graphemes().segment(text)) {
    parts.push(segment);
    if (parts.length > max) return `${parts.slice(0, max - 1).join('').trimEnd()}…`;
  }
  return text;
}

// One pass over the text: the five markup-significant characters become references and the characters
// XML 1.0 forbids (see INVALID_XML_CHARS) are dropped, so the result can be placed in any document.
const MARKUP_TEXT =
  /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const MARKUP_ATTRIBUTE =
  /[&<>"'\u0000-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Any character either pattern may change: most text has none, and one scan with a plain class is cheap.
const NEEDS_MARKUP_ESCAPE = /[&<>"'\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const MARKUP_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // Only in attribute values: a parser normalizes literal tab, LF and CR there to spaces (XML 1.0 §3.3.3).
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Plain text → HTML or XML that displays as the same characters: element content, or (with
 * `attribute`) a quoted attribute value. The project's one escaper. `>` is escaped too, so `]]>` never
 * appears; characters XML 1.0 cannot carry are removed, so the result is well-formed whatever the input.
 */
export function escapeMarkup(text: string, attribute = false): XmlSafe {
  if (!NEEDS_MARKUP_ESCAPE.test(text)) return text as XmlSafe;
  return text.replace(attribute ? MARKUP_ATTRIBUTE : MARKUP_TEXT, (c) => MARKUP_ESCAPES[c] ?? '') as XmlSafe;
}

/** Escapes every character a RegExp gives a meaning, so `text` matches itself literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
