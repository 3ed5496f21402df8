import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';

const gbFeed = readFileSync(new URL('../../feeds/samples/steel-enterprise.gb2312.rss.xml', import.meta.url));
const TITLE = '宝钢股份“十四五”规划编制启动';

describe('decodeDocument', () => {
  it('reads GB2312 declared in the HTTP header as GB18030', () => {
    const { text, charset } = decodeDocument(gbFeed, 'application/rss+xml; charset=GB2312');
    assert.equal(charset, 'gb18030');
    assert.ok(text.includes(TITLE));
  });

  it('reads GB2312 declared only in the XML prolog', () => {
    const { text, charset } = decodeDocument(gbFeed, 'application/rss+xml');
    assert.equal(charset, 'gb18030');
    assert.ok(text.includes(TITLE));
  });

  it('ignores a header that claims UTF-8 for bytes that are not UTF-8', () => {
    const { text, charset } = decodeDocument(gbFeed, 'text/xml; charset=utf-8');
    assert.equal(charset, 'gb18030');
    assert.ok(text.includes(TITLE));
  });

  it('prefers the byte-order mark over any declaration', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="gbk"?><rss>钢</rss>')]);
    assert.deepEqual(decodeDocument(body, 'text/xml; charset=gbk'), { text: '<?xml version="1.0" encoding="gbk"?><rss>钢</rss>', charset: 'utf-8' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<rss>钢</rss>', 'utf16le')]);
    assert.deepEqual(decodeDocument(utf16), { text: '<rss>钢</rss>', charset: 'utf-16le' });
  });

  it('prefers the HTTP charset over the prolog', () => {
    const body = iconv.encode('<?xml version="1.0" encoding="utf-8"?><rss>钢铁</rss>', 'gbk');
    assert.equal(decodeDocument(body, 'text/xml; charset="gbk"').text, '<?xml version="1.0" encoding="utf-8"?><rss>钢铁</rss>');
  });

  it('reads <meta charset> and <meta http-equiv> in HTML', () => {
    const page = (meta: string) => iconv.encode(`<!DOCTYPE html><html><head>${meta}<title>钢铁新闻</title></head></html>`, 'gbk');
    assert.equal(decodeDocument(page('<meta charset="gb2312">')).charset, 'gb18030');
    const viaHttpEquiv = decodeDocument(page('<meta http-equiv="Content-Type" content="text/html; charset=GBK">'));
    assert.equal(viaHttpEquiv.charset, 'gb18030');
    assert.ok(viaHttpEquiv.text.includes('钢铁新闻'));
  });

  it('without any declaration: UTF-8 when valid, else GB18030', () => {
    assert.deepEqual(decodeDocument(Buffer.from('<rss>钢铁</rss>')), { text: '<rss>钢铁</rss>', charset: 'utf-8' });
    assert.deepEqual(decodeDocument(iconv.encode('<rss>钢铁</rss>', 'gbk')), { text: '<rss>钢铁</rss>', charset: 'gb18030' });
  });

  it('skips a charset label it does not know', () => {
    assert.deepEqual(decodeDocument(Buffer.from('<rss>钢</rss>'), 'text/xml; charset=x-unknown'), { text: '<rss>钢</rss>', charset: 'utf-8' });
  });

  it('removes characters XML 1.0 forbids', () => {
    const { text } = decodeDocument(Buffer.from('<rss><title>a\u0008b\u0000c\uFFFEd\te\n</title></rss>'));
    assert.equal(text, '<rss><title>abcd\te\n</title></rss>');
  });
});

describe('legacy labels are read as the superset browsers use', () => {
  it('TIS-620 as Windows-874 (curly quotes), ISO-8859-1 as Windows-1252, EUC-KR as CP949', () => {
    const thai = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="TIS-620"?><t>'), Buffer.from([0x93, 0xa1, 0x94]), Buffer.from('</t>')]);
    const decodedThai = decodeDocument(thai);
    assert.equal(decodedThai.charset, 'windows-874');
    assert.match(decodedThai.text, /<t>“ก”<\/t>/);
    const latin = decodeDocument(Buffer.concat([Buffer.from('<t>'), Buffer.from([0x93, 0x41, 0x94, 0x80]), Buffer.from('</t>')]), 'text/xml; charset=ISO-8859-1');
    assert.equal(latin.text, '<t>“A”€</t>');
    const korean = decodeDocument(Buffer.concat([Buffer.from('<t>'), Buffer.from([0x81, 0x41]), Buffer.from('</t>')]), 'text/xml; charset=euc-kr');
    assert.equal(korean.text, '<t>갂</t>', 'a CP949 extension character');
  });
});
