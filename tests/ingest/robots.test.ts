import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAllowed, parseRobots } from '../../src/ingest/fetch/robots.js';

const TOKEN = 'Syndicator';
const allowed = (robots: string, path: string) => isAllowed(parseRobots(robots, TOKEN), path);

describe('robots.txt (RFC 9309)', () => {
  it('obeys the group naming our product token, case-insensitively and ignoring its version, over the * group', () => {
    const robots = 'User-agent: *\nDisallow: /\n\nUser-agent: syndicator/1.0\nDisallow: /private/\n';
    assert.equal(allowed(robots, '/news/1.html'), true);
    assert.equal(allowed(robots, '/private/1.html'), false);
    assert.equal(allowed('User-agent: *\nDisallow: /\n', '/news/1.html'), false, 'no group for us: the * group applies');
    assert.equal(allowed('User-agent: OtherBot\nDisallow: /\n', '/news/1.html'), true, 'no group applies: everything allowed');
  });

  it('merges every group that names us, and a group may list several agents', () => {
    const robots = 'User-agent: Syndicator\nDisallow: /a/\n\nUser-agent: Googlebot\nUser-agent: Syndicator\nDisallow: /b/\n';
    assert.equal(allowed(robots, '/a/1'), false);
    assert.equal(allowed(robots, '/b/1'), false);
    assert.equal(allowed(robots, '/c/1'), true);
  });

  it('the longest matching pattern decides, and allow wins a tie', () => {
    const robots = 'User-agent: *\nDisallow: /qypd/\nAllow: /qypd/ywjx/\nDisallow: /qypd/ywjx/draft\nAllow: /same\nDisallow: /same\n';
    assert.equal(allowed(robots, '/qypd/other.html'), false);
    assert.equal(allowed(robots, '/qypd/ywjx/201906/t1.html'), true);
    assert.equal(allowed(robots, '/qypd/ywjx/draft-1.html'), false);
    assert.equal(allowed(robots, '/same'), true);
  });

  it('supports * and $ and matches the query string too', () => {
    const robots = 'User-agent: *\nDisallow: /*.pdf$\nDisallow: /search?\nDisallow: /*/print/\n';
    assert.equal(allowed(robots, '/files/report.pdf'), false);
    assert.equal(allowed(robots, '/files/report.pdf?x=1'), true);
    assert.equal(allowed(robots, '/search?q=钢'), false);
    assert.equal(allowed(robots, '/news/print/1.html'), false);
    assert.equal(allowed(robots, '/news/1.html'), true);
  });

  it('ignores comments, empty Disallow, unknown lines, rules before any User-agent; /robots.txt is always allowed', () => {
    const robots = '\uFEFFDisallow: /early/\n# comment\nUser-agent: * # everyone\nDisallow:\nCrawl-delay: 5\nSitemap: http://x/sitemap.xml\nDisallow: /robots.txt\n';
    assert.equal(allowed(robots, '/early/1'), true);
    assert.equal(allowed(robots, '/anything'), true);
    assert.equal(allowed(robots, '/robots.txt'), true);
  });

  it('compares non-ASCII patterns with percent-encoded paths', () => {
    const robots = 'User-agent: *\nDisallow: /新闻/\nDisallow: /a%2fb\n';
    assert.equal(allowed(robots, new URL('http://x/新闻/1.html').pathname), false);
    assert.equal(allowed(robots, '/%e6%96%b0%e9%97%bb/1.html'), false);
    assert.equal(allowed(robots, '/a%2Fb'), false);
  });

  it('matches * patterns part by part: one that a regular expression would backtrack on for ages is decided', () => {
    // 40 wildcards, then a "b" the path never has: a regular expression of this pattern (^/.*a.*a…b)
    // tries every way of placing 40 "a"s among 2,000 before giving up.
    const robots = `User-agent: *\nDisallow: /${'*a'.repeat(40)}b\nDisallow: /*x*y$\n`;
    assert.equal(allowed(robots, `/${'a'.repeat(2000)}`), true);
    assert.equal(allowed(robots, `/${'a'.repeat(2000)}b`), false);
    assert.equal(allowed(robots, '/1x2y'), false);
    assert.equal(allowed(robots, '/1x2y3'), true, '$: the last part must end the path');
    assert.equal(allowed(robots, '/yx'), true, 'the parts in order');
  });

  it('reads the first 500 KiB of a robots.txt and ignores the rest (RFC 9309 §2.5)', () => {
    const filler = `# ${'-'.repeat(98)}\n`.repeat(Math.ceil((500 * 1024) / 101));
    assert.equal(allowed(`User-agent: *\n${filler}Disallow: /\n`, '/news/1.html'), true, 'a rule past 500 KiB');
    assert.equal(allowed(`User-agent: *\nDisallow: /\n${filler}`, '/news/1.html'), false, 'a rule before it');
  });

  it('reads CRLF and CR line ends', () => {
    assert.equal(allowed('User-agent: *\r\nDisallow: /x\r\n', '/x'), false);
    assert.equal(allowed('User-agent: *\rDisallow: /x\r', '/x'), false);
  });
});
