// Stage 2: bytes → text. Chinese upstreams still publish GB2312/GBK, often declared only in the XML
// prolog (or not at all), and rss-parser cannot decode them itself, so the
// charset is settled here and rss-parser only ever sees a JavaScript string.

import iconv from 'iconv-lite';
import { stripInvalidXmlChars } from '../text.js';

export interface DecodedDocument {
  text: string;
  /** The charset the bytes were read as, e.g. 'utf-8', 'gb18030'. */
  charset: string;
}

// GB2312 and GBK are subsets of GB18030, and servers that say "gb2312" usually send GBK or GB18030
// bytes: reading the whole family as GB18030 never loses a character.
const GB_FAMILY = new Set(['gb2312', 'gbk', 'x-gbk', 'cp936', 'windows-936', 'ms936', 'csgb2312', 'gb_2312-80', 'gb_2312', 'euc-cn', 'chinese', 'iso-ir-58', 'gb18030']);

/**
 * Decodes `body`, choosing the charset in this order: byte-order mark → `charset` parameter of
 * `contentType` → XML prolog `encoding=` or HTML `<meta charset>` → UTF-8 when the bytes are valid
 * UTF-8 → GB18030. A declaration naming an unknown charset, or claiming UTF-8 for bytes that are not
 * UTF-8, is ignored and the next rule applies. Characters XML 1.0 forbids are removed from the text.
 */
export function decodeDocument(body: Buffer, contentType?: string): DecodedDocument {
  const bom = sniffBom(body);
  if (bom) return finish(iconv.decode(body, bom), bom);

  for (const declared of [charsetParam(contentType), declaredInDocument(body)]) {
    const charset = declared && resolveLabel(declared);
    if (!charset) continue;
    if (charset === 'utf-8') {
      const text = decodeUtf8(body);
      if (text !== undefined) return finish(text, charset);
      continue;
    }
    return finish(iconv.decode(body, charset), charset);
  }

  const utf8 = decodeUtf8(body);
  if (utf8 !== undefined) return finish(utf8, 'utf-8');
  return finish(iconv.decode(body, 'gb18030'), 'gb18030');
}

function finish(text: string, charset: string): DecodedDocument {
  return { text: stripInvalidXmlChars(text), charset };
}

function sniffBom(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

function charsetParam(contentType: string | undefined): string | undefined {
  return contentType ? /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] : undefined;
}

/** The encoding named by an XML prolog or, failing that, an HTML <meta> in the first 1024 bytes. */
function declaredInDocument(body: Buffer): string | undefined {
  // Every charset we can name here is ASCII-compatible, so latin1 reads the declaration faithfully.
  const head = body.subarray(0, 1024).toString('latin1');
  const prolog = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
  const label = prolog ?? /<meta\s[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
  // Bytes whose declaration we could read as ASCII are not UTF-16, whatever they claim.
  return label && !/^utf-?16/i.test(label) ? label : undefined;
}

// The same holds for other legacy charsets, as the WHATWG Encoding Standard (what browsers do) reads
// them: a declared ISO-8859-1 page sends Windows-1252 curly quotes, a TIS-620 one Windows-874 quotes,
// an EUC-KR one the CP949 extensions. Found on real feeds: TIS-620 titles whose quotes came out as U+FFFD.
const SUPERSETS: Readonly<Record<string, string>> = {
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'iso-8859-9': 'windows-1254',
  'iso-8859-11': 'windows-874',
  'tis-620': 'windows-874',
  tis620: 'windows-874',
  'euc-kr': 'cp949',
  'ks_c_5601-1987': 'cp949',
  'shift_jis': 'cp932',
  'shift-jis': 'cp932',
  sjis: 'cp932',
};

/** Maps a declared label to the name iconv-lite decodes with, or undefined when it is unknown. */
function resolveLabel(label: string): string | undefined {
  const name = label.trim().toLowerCase();
  if (GB_FAMILY.has(name)) return 'gb18030';
  const superset = SUPERSETS[name];
  if (superset !== undefined && iconv.encodingExists(superset)) return superset;
  if (name === 'utf-8' || name === 'utf8') return 'utf-8';
  return iconv.encodingExists(name) ? name : undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}
