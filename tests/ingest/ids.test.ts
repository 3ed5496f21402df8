import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalLink, entryLink, itemGuid, itemId } from '../../src/ingest/ids.js';
import { chooseLicense } from '../../src/ingest/license-rules.js';
import type { Channel } from '../../src/model.js';

describe('item identity', () => {
  it('itemId is the first 32 hex digits of sha256(sourceId \\n key)', () => {
    const expected = createHash('sha256').update('steel-rss\nqiye-15201').digest('hex').slice(0, 32);
    assert.equal(itemId('steel-rss', 'qiye-15201'), expected);
    assert.notEqual(itemId('other', 'qiye-15201'), expected);
  });

  it('itemGuid lays the id out as a version-5 RFC 4122 UUID', () => {
    assert.equal(itemGuid('0123456789abcdef0123456789abcdef'), 'urn:uuid:01234567-89ab-5def-8123-456789abcdef');
    assert.equal(itemGuid('ffffffffffffffffffffffffffffffff'), 'urn:uuid:ffffffff-ffff-5fff-bfff-ffffffffffff');
    assert.throws(() => itemGuid('not-an-id'), RangeError);
  });

  it('canonicalLink is absolute http(s) without fragment', () => {
    assert.equal(canonicalLink('/a/b.html#c', 'http://e.cn/x/'), 'http://e.cn/a/b.html');
    assert.equal(canonicalLink('//e.cn/a', 'https://x.cn/'), 'https://e.cn/a');
    assert.equal(canonicalLink('relative.html'), undefined);
    assert.equal(canonicalLink('javascript:alert(1)', 'http://e.cn/'), undefined);
    assert.equal(canonicalLink('file:///etc/passwd'), undefined);
    assert.equal(canonicalLink('  '), undefined);
  });

  it('entryLink is absolute http(s) with its fragment', () => {
    assert.equal(entryLink('/a/b.html#c', 'http://e.cn/x/'), 'http://e.cn/a/b.html#c');
    assert.equal(entryLink('javascript:alert(1)', 'http://e.cn/'), undefined);
  });
});

describe('chooseLicense', () => {
  const channel: Pick<Channel, 'license' | 'licenseRules'> = {
    license: 'own',
    licenseRules: [
      { when: { sourceIds: ['partner'], original: true }, license: 'partner-own' },
      { when: { sourceNames: ['新华网'] }, license: 'xinhua' },
      { when: { original: false }, license: 'reprint' },
    ],
  };
  const outlet = (name: string, original: boolean) => ({ name, original });

  it('takes the first rule whose every condition matches, else the channel default', () => {
    assert.equal(chooseLicense(channel, { sourceId: 'steel', source: outlet('钢铁企业要闻', true) }), 'own');
    assert.equal(chooseLicense(channel, { sourceId: 'steel', source: outlet('中国钢铁新闻网', false) }), 'reprint');
    assert.equal(chooseLicense(channel, { sourceId: 'steel', source: outlet('新华网', false) }), 'xinhua');
    assert.equal(chooseLicense(channel, { sourceId: 'partner', source: outlet('伙伴', true) }), 'partner-own');
    assert.equal(chooseLicense(channel, { sourceId: 'partner', source: outlet('伙伴', false) }), 'reprint');
  });
});
