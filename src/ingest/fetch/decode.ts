// Stage 2: bytes → text. Chinese upstreams still publish GB2312/GBK, often declared only in the XML
// prolog (or not at all), and rss-parser cannot decode them itself, so the
// charset is settled here and rss-parser only ever sees a JavaScript string.

import iconv from 'iconv-lite';
import { detectAll } from 'jschardet';
import { stripInvalidXmlChars } from '../text.js';

export interface DecodedDocument {
  text: string;
  /** The charset the bytes were read as, e.g. 'utf-8', 'gb18030', 'big5hkscs'. */
  charset: string;
  /** Set when the charset was guessed from the bytes or a declaration was overridden: why (for the log). */
  note?: string;
}

// GB2312 and GBK are subsets of GB18030, and servers that say "gb2312" usually send GBK or GB18030
// bytes: reading the whole family as GB18030 never loses a character.
const GB_FAMILY = new Set(['gb2312', 'gbk', 'x-gbk', 'cp936', 'windows-936', 'ms936', 'csgb2312', 'gb_2312-80', 'gb_2312', 'euc-cn', 'chinese', 'iso-ir-58', 'gb18030']);

/**
 * Decodes `body`, choosing the charset in this order: byte-order mark → `charset` parameter of
 * `contentType` → XML prolog `encoding=` or HTML `<meta charset>` → UTF-8 when the bytes are valid
 * UTF-8 → GB18030 or Big5-HKSCS, whichever the detector (jschardet) ranks higher and reads without
 * invalid sequences. A declaration naming an unknown charset, or claiming UTF-8 for bytes that are
 * not UTF-8, is ignored and the next rule applies. A legacy declaration is overridden only on strong
 * evidence, and `note` says so: bytes that are valid UTF-8 with at least MIN_UTF8_EVIDENCE multi-byte
 * characters are UTF-8; bytes (at least MIN_LEGACY_EVIDENCE non-ASCII) that the declared Chinese
 * charset cannot read (invalid sequences) or that the detector does not rank as it at all, but that
 * the other Chinese charset reads cleanly and the detector ranks higher, are that other one. Characters XML 1.0 forbids
 * are removed from the text.
 */
export function decodeDocument(body: Buffer, contentType?: string): DecodedDocument {
  const bom = sniffBom(body);
  if (bom) return finish(iconv.decode(body, bom), bom);

  const sources: [where: string, label: string | undefined][] = [
    ['the HTTP header', charsetParam(contentType)],
    ['the document', declaredInDocument(body)],
  ];
  for (const [where, declared] of sources) {
    const charset = declared && resolveLabel(declared);
    if (!charset) continue;
    if (charset === 'utf-8') {
      const text = decodeUtf8(body);
      if (text !== undefined) return finish(text, charset);
      continue;
    }
    const utf8 = decodeUtf8(body);
    if (utf8 !== undefined && multiByteChars(utf8) >= MIN_UTF8_EVIDENCE) {
      return finish(utf8, 'utf-8', `${where} declares ${declared}, but the bytes are valid UTF-8 with ${multiByteChars(utf8)} multi-byte characters: read as UTF-8`);
    }
    const text = iconv.decode(body, charset);
    const other = CHINESE_ALTERNATIVE[charset];
    // The detector is asked only about suspicious text: invalid sequences, or kana (Big5 read as GB
    // comes out as Japanese kana and rare characters), so well-declared pages cost nothing more.
    if (other !== undefined && highBytes(body) >= MIN_LEGACY_EVIDENCE && (invalidSequences(text) > 0 || kana(text) >= MIN_KANA)) {
      const invalid = invalidSequences(text);
      const ranking = detectorRanking(body);
      const unranked = !ranking.includes(DETECTOR_NAMES[charset]!);
      const alternative = iconv.decode(body, other);
      if ((invalid > 0 || unranked) && invalidSequences(alternative) === 0 && ranks(ranking, other, charset)) {
        const why = invalid > 0 ? `${invalid} byte sequences are invalid in it` : `the detector does not rank it at all`;
        return finish(alternative, other, `${where} declares ${declared}, but ${why} and the bytes read cleanly as ${other}, the detector's choice: read as ${other}`);
      }
    }
    return finish(text, charset);
  }

  const utf8 = decodeUtf8(body);
  if (utf8 !== undefined) return finish(utf8, 'utf-8');
  return guessChinese(body);
}

/** Valid UTF-8 with at least this many multi-byte characters overrides a legacy declaration. */
const MIN_UTF8_EVIDENCE = 8;

/** The other Chinese double-byte charset, for pages whose declaration names the wrong one. */
const CHINESE_ALTERNATIVE: Readonly<Record<string, string>> = { gb18030: 'big5hkscs', big5hkscs: 'gb18030' };

/**
 * Undeclared legacy bytes: Big5-HKSCS when the detector ranks Big5 above GB18030 and the bytes read
 * as Big5-HKSCS without invalid sequences; else GB18030 (the mainland default).
 */
function guessChinese(body: Buffer): DecodedDocument {
  if (detectorPrefers(body, 'big5hkscs', 'gb18030')) {
    const text = iconv.decode(body, 'big5hkscs');
    if (invalidSequences(text) === 0) return finish(text, 'big5hkscs', 'no charset declared; the detector reads the bytes as Big5 and they decode cleanly as Big5-HKSCS');
  }
  return finish(iconv.decode(body, 'gb18030'), 'gb18030');
}

const DETECTOR_NAMES: Readonly<Record<string, string>> = { gb18030: 'gb18030', big5hkscs: 'big5' };

/** jschardet's candidates for the bytes, best first, lower-cased. */
function detectorRanking(body: Buffer): string[] {
  return detectAll(body).map((r) => (r.encoding ?? '').toLowerCase());
}

/** Whether jschardet ranks `preferred` above `other` (both named as decodeDocument names them). */
function detectorPrefers(body: Buffer, preferred: string, other: string): boolean {
  return ranks(detectorRanking(body), preferred, other);
}

function ranks(ranking: string[], preferred: string, other: string): boolean {
  const at = (name: string) => {
    const i = ranking.indexOf(DETECTOR_NAMES[name] ?? name);
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  return at(preferred) < at(other);
}

/** A declared Chinese charset is only second-guessed on at least this many non-ASCII bytes. */
const MIN_LEGACY_EVIDENCE = 32;

/** Kana in a page declared Chinese: this many suggest the other Chinese charset. */
const MIN_KANA = 4;

function kana(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x3040 && c <= 0x30ff) n++;
  }
  return n;
}

function highBytes(body: Buffer): number {
  let n = 0;
  for (const byte of body) if (byte > 0x7f) n++;
  return n;
}

function invalidSequences(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

function multiByteChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) n++;
  return n;
}

function finish(text: string, charset: string, note?: string): DecodedDocument {
  return { text: stripInvalidXmlChars(text), charset, ...(note !== undefined && { note }) };
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

// Big5 as browsers read it (the WHATWG Encoding Standard's big5 is Big5-HKSCS): Hong Kong pages
// declare plain Big5 and use the HKSCS characters.
const BIG5_FAMILY = new Set(['big5', 'big5-hkscs', 'big5hkscs', 'cn-big5', 'csbig5', 'x-x-big5', 'x-big5', 'cp950', 'windows-950']);

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
  if (BIG5_FAMILY.has(name)) return 'big5hkscs';
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
