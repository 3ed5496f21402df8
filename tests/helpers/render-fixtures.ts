// Builders for renderer tests: every call returns fresh objects with fixed dates, so tests may mutate
// what they get without affecting each other.

import type { Channel, Item, License } from '../../src/model.js';
import type { RenderContext } from '../../src/render/index.js';

export const BASE_URL = 'http://127.0.0.1:8080';
export const NOW = '2030-01-01T00:00:00.000Z';

/** Clause 【1】: works of the site itself. The channel's default license. */
export function ownLicense(overrides: Partial<License> = {}): License {
  return {
    id: 'csteelnews-own',
    title: '中国钢铁新闻网版权说明【1】',
    holder: '中国钢铁新闻网',
    statement: '凡本网注明“来源：中国钢铁新闻网”的所有作品，版权均属于中国钢铁新闻网，未经本网书面授权不得转载。',
    reprint: {
      permission: 'written-authorization',
      attributionTemplate: '来源:{source} 作者:{authors} 编辑:{editor} 原文:{link}',
      contact: 'copyright@csteelnews.example',
    },
    publicContent: 'excerpt',
    ...overrides,
  };
}

/** Clause 【2】: works reprinted from another outlet, rights stay with that outlet. External URL. */
export function reprintedLicense(overrides: Partial<License> = {}): License {
  return {
    id: 'csteelnews-reprinted',
    title: '中国钢铁新闻网版权说明【2】',
    holder: '原作者及原发媒体',
    statement: '凡本网注明“来源：XXX（非中国钢铁新闻网）”的作品，均转载自其它媒体，版权归原作者及原发媒体所有。',
    url: 'https://creativecommons.org/licenses/by-nc-nd/4.0/',
    reprint: { permission: 'attribution' },
    publicContent: 'full',
    ...overrides,
  };
}

/** A license whose URL carries `&` and `<`, for the hostile item. */
export function hostileLicense(): License {
  return ownLicense({
    id: 'hostile-lic',
    title: 'Terms & <conditions>',
    holder: 'A & B <Holdings>',
    statement: 'Reprint ]]> only with <b>permission</b> & credit',
    url: 'https://licenses.example/terms?a=1&b=<2>',
    reprint: { permission: 'prohibited', contact: 'legal@example.com?subject=a&b' },
  });
}

export function licenses(): Map<string, License> {
  return new Map([ownLicense(), reprintedLicense(), hostileLicense()].map((l) => [l.id, l]));
}

export function ctx(overrides: Partial<RenderContext> = {}): RenderContext {
  return { baseUrl: BASE_URL, now: new Date(NOW), licenses: licenses(), ...overrides };
}

export function channel(overrides: Partial<Channel> = {}): Channel {
  return {
    id: 'qiye-yaowen',
    title: '企业频道 > 要闻精选',
    description: '中国钢铁新闻网企业频道要闻精选',
    language: 'zh-CN',
    link: 'https://www.csteelnews.example/qypd/ywjx/',
    timezone: 'Asia/Shanghai',
    schedule: '*/30 * * * *',
    license: 'csteelnews-own',
    licenseRules: [{ when: { original: false }, license: 'csteelnews-reprinted' }],
    maxItems: 50,
    sources: [{ id: 'ywjx', type: 'feed', url: 'samples/ywjx.xml' }],
    ...overrides,
  };
}

/** A complete item: two authors, an editor, reprinted from 河北日报 (original: false), HTML content. */
export function fullItem(overrides: Partial<Item> = {}): Item {
  return {
    id: 'a1b2c3d4e5f6',
    guid: 'urn:uuid:3f1c2a4e-8b7d-4c6e-9a10-1b2c3d4e5f60',
    channelIds: ['qiye-yaowen'],
    sourceId: 'ywjx',
    title: '中国宝武部署下半年扶贫工作',
    link: 'https://www.csteelnews.example/qypd/ywjx/201907/t20190712_12345.html',
    summary: '7月10日，中国宝武召开扶贫工作推进会，部署下半年扶贫工作。',
    contentHtml: '<p>7月10日，中国宝武召开扶贫工作推进会。</p><p>会议部署了下半年扶贫工作。</p>',
    publishedAt: '2019-07-12T01:30:00.000Z',
    updatedAt: '2019-07-12T02:00:00.000Z',
    categories: ['企业频道', '要闻精选'],
    language: 'zh-CN',
    attribution: {
      authors: ['李明', '王芳'],
      editor: '张伟',
      source: { name: '河北日报', url: 'https://hbrb.example/', original: false },
    },
    licenseId: 'csteelnews-reprinted',
    rights: '版权归河北日报所有',
    contentHash: 'sha256-full',
    ingestedAt: '2019-07-12T02:05:00.000Z',
    ...overrides,
  };
}

/** No authors, no publication date, no editor, no source URL, no HTML, under the default license. */
export function bareItem(overrides: Partial<Item> = {}): Item {
  return {
    id: 'b2c3d4e5f6a1',
    guid: 'urn:uuid:7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
    channelIds: ['qiye-yaowen'],
    sourceId: 'ywjx',
    title: '鞍钢集团召开安全生产工作会议',
    link: 'https://www.csteelnews.example/qypd/ywjx/201907/t20190711_12300.html',
    summary: '鞍钢集团召开安全生产工作会议。',
    updatedAt: '2019-07-11T08:00:00.000Z',
    categories: ['企业频道'],
    attribution: { authors: [], source: { name: '中国钢铁新闻网', original: true } },
    licenseId: 'csteelnews-own',
    contentHash: 'sha256-bare',
    ingestedAt: '2019-07-11T08:00:00.000Z',
    ...overrides,
  };
}

/** Everything that breaks a naive XML writer: characters XML 1.0 forbids, a lone surrogate, two `]]>`
 *  in content, `&` and `<` in source name, source URL, category and license URL. */
export function hostileItem(overrides: Partial<Item> = {}): Item {
  return {
    id: 'c3d4e5f6a1b2',
    guid: 'urn:uuid:0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
    channelIds: ['qiye-yaowen'],
    sourceId: 'ywjx',
    title: 'Bell\u0008 & <tag> ]]> “quoted” \uFFFE end\uD800',
    link: 'https://www.csteelnews.example/a?x=1&y=2',
    summary: 'Summary with <b>not markup</b> & \u0001 control',
    contentHtml: '<p>one ]]> two ]]> three &amp; <a href="https://x.example/?a=1&amp;b=2">link</a>\u0008\uDC00</p>',
    publishedAt: '2019-07-10T00:00:00.000Z',
    updatedAt: '2019-07-10T00:00:00.000Z',
    categories: ['R&D <lab>', 'A&amp;B'],
    attribution: {
      authors: ['Tom & <Jerry>'],
      editor: 'Ed\u000B "itor"',
      source: { name: 'AT&T <News> ]]>', url: 'https://news.example/path?a=1&b=<2>', original: false },
    },
    licenseId: 'hostile-lic',
    rights: '© AT&T <2019>\uFFFF',
    contentHash: 'sha256-hostile',
    ingestedAt: '2019-07-10T00:00:00.000Z',
    ...overrides,
  };
}

/** The three items, newest first, as the store hands them to renderers. */
export function items(): Item[] {
  return [fullItem(), bareItem(), hostileItem()];
}
