// A prepared response head (src/http/prepared-head.ts) puts the same bytes on the wire as writeHead
// with the header list, on a real node:http server over a real socket, and refuses what node:http refuses.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HEADER_RECORD, type PreparedHead, prepareHead, writePreparedHead } from '../../src/http/prepared-head.js';

/** Link repeats: written from the list (a record would write the two Link lines together). */
const LIST = [
  'ETag', '"abc"',
  'Cache-Control', 'public, max-age=60',
  'Link', '<https://example.org/a>; rel="self"',
  'Vary', 'Accept-Encoding, Accept',
  'Link', '<https://example.org/b>; rel="hub"',
  'Content-Type', 'application/rss+xml; charset=utf-8',
  'Content-Length', '5',
];
/** No header repeats: written from node:http's header record. */
const NOT_MODIFIED = LIST.slice(0, 8);
const OK = [...NOT_MODIFIED, ...LIST.slice(10)];
/** Names an object inherits, which a record must hold as headers like any other. */
const INHERITED_NAMES = ['__proto__', 'a', 'Constructor', 'b', 'toString', 'c', 'hasOwnProperty', 'd', 'Content-Length', '5'];

/** The raw answers to `count` requests sent together over one connection, Date lines taken out. */
async function rawAnswers(port: number, path: string, count: number): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(count - 1) + `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  await once(socket, 'end');
  return text.replace(/^Date: .*\r\n/gm, '');
}

describe('prepared response head', () => {
  let server: Server;
  let port: number;
  let heads: Record<string, PreparedHead>;
  before(async () => {
    heads = {
      ok: prepareHead(LIST),
      notModified: prepareHead(NOT_MODIFIED),
      okUnrecorded: prepareHead(OK, undefined),
      okRecorded: prepareHead(OK),
      inherited: prepareHead(INHERITED_NAMES),
    };
    server = createServer((req, res) => {
      const [, kind] = req.url!.split('/');
      if (kind === 'list') res.writeHead(200, LIST).end('hello');
      else if (kind === 'listOk') res.writeHead(200, OK).end('hello');
      else if (kind === 'recorded') writePreparedHead(res, 200, heads.okRecorded!).end('hello');
      else if (kind === 'list304') res.writeHead(304, NOT_MODIFIED).end();
      else if (kind === 'prepared') writePreparedHead(res, 200, heads.ok!).end('hello');
      else if (kind === 'prepared304') writePreparedHead(res, 304, heads.notModified!).end();
      else if (kind === 'listInherited') res.writeHead(200, INHERITED_NAMES).end('hello');
      else if (kind === 'inherited') writePreparedHead(res, 200, heads.inherited!).end('hello');
      else writePreparedHead(res, 200, heads.okUnrecorded!).end('hello');
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  it('is found on this node:http, so polls are written from it', () => {
    assert.equal(typeof HEADER_RECORD, 'symbol');
    assert.notEqual(heads.notModified!.record, undefined);
    assert.notEqual(heads.okRecorded!.record, undefined);
    assert.equal(heads.ok!.record, undefined);
  });

  it('writes the same 200 and 304 bytes as writeHead with the list, repeated headers included, answer after answer', async () => {
    const expected = await rawAnswers(port, '/list', 3);
    assert.match(expected, /Link: <https:\/\/example.org\/a>; rel="self"\r\n[^]*Link: <https:\/\/example.org\/b>; rel="hub"\r\n/);
    assert.equal((expected.match(/HTTP\/1.1 200 OK/g) ?? []).length, 3);
    assert.equal(await rawAnswers(port, '/prepared', 3), expected);
    const expectedOk = await rawAnswers(port, '/listOk', 3);
    assert.equal(await rawAnswers(port, '/recorded', 3), expectedOk);
    assert.equal(await rawAnswers(port, '/unrecorded', 3), expectedOk);
    const expected304 = await rawAnswers(port, '/list304', 3);
    assert.equal((expected304.match(/HTTP\/1.1 304 Not Modified/g) ?? []).length, 3);
    assert.equal(await rawAnswers(port, '/prepared304', 3), expected304);
  });

  it('writes headers named like an object\'s inherited properties (__proto__, constructor, toString) as it writes any other', async () => {
    assert.notEqual(heads.inherited!.record, undefined);
    const expected = await rawAnswers(port, '/listInherited', 2);
    assert.match(expected, /\r\n__proto__: a\r\nConstructor: b\r\ntoString: c\r\nhasOwnProperty: d\r\n/);
    assert.equal(await rawAnswers(port, '/inherited', 2), expected);
  });

  it('is not changed by the responses written from it', async () => {
    await rawAnswers(port, '/prepared304', 5);
    assert.deepEqual(heads.notModified!.record, prepareHead(NOT_MODIFIED).record);
  });

  it('refuses a header node:http would refuse, naming it, when prepared rather than per answer', () => {
    assert.throws(() => prepareHead(['Link', '<a>\r\nSet-Cookie: x=1']), /Invalid character in header content \["Link"\]/);
    assert.throws(() => prepareHead(['Bad Name', 'x']), /Header name must be a valid HTTP token \["Bad Name"\]/);
    assert.throws(() => prepareHead(['ETag']), /name, value pairs/);
  });
});
