// Conditional requests of feed documents (src/http/feed-response.ts), RFC 9110 §13.1.2–§13.1.3 and
// §13.2.2. The cases below were found by the fuzz suite (tests/fuzz/http.test.ts).
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { isNotModified, parseHttpDate } from '../../src/http/feed-response.js';
import type { Representation } from '../../src/http/output-cache.js';

const rep = { etag: '"abc123"', lastModified: 'Fri, 28 Jun 2019 08:42:00 GMT' } as Representation;
const notModified = (headers: Record<string, string>) => isNotModified({ headers } as unknown as IncomingMessage, rep, rep.etag);

describe('If-None-Match', () => {
  it('matches the tag strong or weak, in any coding, anywhere in a list with any whitespace, and "*"', () => {
    for (const header of ['"abc123"', 'W/"abc123"', '"x", "abc123"', '"x",W/"abc123-gzip"', ' "x" , , "abc123-br"\t', ' * ']) {
      assert.equal(notModified({ 'if-none-match': header }), true, header);
    }
  });

  it('a comma inside the quotes belongs to the tag: "abc123,x" and "x,abc123" are other tags', () => {
    for (const header of ['"abc123,x"', '"x,abc123"', 'W/"x, abc123"']) assert.equal(notModified({ 'if-none-match': header }), false, header);
  });

  it('what is not an entity-tag matches nothing: unquoted, unterminated, followed by junk', () => {
    for (const header of ['abc123', '"abc123', '"abc123"x', 'w/"abc123"', '"x" "abc123"']) assert.equal(notModified({ 'if-none-match': header }), false, header);
  });

  it('wins over If-Modified-Since (which is then ignored)', () => {
    assert.equal(notModified({ 'if-none-match': '"other"', 'if-modified-since': 'Sat, 29 Jun 2019 00:00:00 GMT' }), false);
  });
});

describe('If-Modified-Since', () => {
  it('reads the three HTTP-date forms', () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), t);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), t);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), t);
    // An RFC 850 year within 50 years ahead is this century's (Date.parse made 1950 of it).
    assert.equal(parseHttpDate('Saturday, 01-Jan-50 00:00:00 GMT'), Date.UTC(2050, 0, 1));
  });

  it('not modified when the date is not before Last-Modified', () => {
    assert.equal(notModified({ 'if-modified-since': 'Fri, 28 Jun 2019 08:42:00 GMT' }), true);
    assert.equal(notModified({ 'if-modified-since': 'Fri, 28 Jun 2019 08:41:59 GMT' }), false);
  });

  it('ignores a value that is not an HTTP-date (it used to be read by Date.parse: "2030" gave a 304)', () => {
    for (const value of ['2030', '0', '2030-01-01T00:00:00Z', 'sun, 06 nov 2094 08:49:37 gmt', 'Sun, 31 Feb 2094 08:49:37 GMT', 'tomorrow']) {
      assert.equal(notModified({ 'if-modified-since': value }), false, value);
    }
  });
});
