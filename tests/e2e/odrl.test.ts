// Machine-readable terms end to end, as a partner's developer meets them: the service runs on a real
// socket over a copy of the shipped feeds/; the license links the feeds carry are followed with
// `Accept: application/ld+json` and the answers expanded with jsonld (offline); a grant made with the
// CLI is read as an ODRL Agreement with the partner's key; a reprint added with the CLI is checked
// with the CLI against a partner page on 127.0.0.1, listed by `syndicator reprints` and summed up by
// `syndicator status`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/env.js';
import { startService, type Service } from '../../src/main.js';
import { ATOM_NS } from '../../src/render/namespaces.js';
import { DCT, ODRL_NS, VCARD, XSD, expand, ids, literals, values } from '../helpers/jsonld.js';
import { type PartnerSite, articlePage, startPartnerSite } from '../helpers/partner-site.js';
import { runSyndicator } from '../helpers/spawn.js';
import { copyOfFeeds, tempDir } from '../helpers/temp.js';
import { attr, childrenNamed, parseXml } from '../helpers/xml.js';

const BASE_URL = 'http://feeds.test';
const O = (term: string) => `${ODRL_NS}${term}`;

describe('ODRL policies and grants over HTTP, reprints through the CLI', () => {
  let service: Service;
  let site: PartnerSite;
  let cleanup: () => Promise<void>;
  let cli: (...args: string[]) => ReturnType<typeof runSyndicator>;
  let key = '';

  /** GET a URL of the service named with BASE_URL (or a path). */
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url.startsWith(BASE_URL) ? `${service.url}${url.slice(BASE_URL.length)}` : `${service.url}${url}`, { headers });

  before(async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir('syndicator-odrl-data-');
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, FEEDS_DIR: feeds.dir, BASE_URL, USER_AGENT: 'Syndicator-e2e/1.0' });
    service = await startService(config, pino({ level: 'silent' }));
    await service.scheduler.runNow(service.channels.find((c) => c.id === 'enterprise')!);
    cli = (...args: string[]) => runSyndicator(args, { DATA_DIR: data.dir, FEEDS_DIR: feeds.dir, USER_AGENT: 'Syndicator-e2e/1.0' });
    site = await startPartnerSite();
    cleanup = async () => {
      await service.stop();
      await site.close();
      await feeds.dispose();
      await data.dispose();
    };
  });
  after(() => cleanup?.());

  test('every rel="license" link of the Atom feed answers a JSON-LD reader with the ODRL policy, a browser with the page', async () => {
    const atom = parseXml(await (await get('/feeds/enterprise.atom')).text());
    const hrefs = new Set(
      childrenNamed(atom, ATOM_NS, 'entry').flatMap((e) => childrenNamed(e, ATOM_NS, 'link').filter((l) => attr(l, 'rel') === 'license').map((l) => attr(l, 'href') ?? '')),
    );
    assert.deepEqual([...hrefs].sort(), [`${BASE_URL}/licenses/csteelnews-own`, `${BASE_URL}/licenses/csteelnews-reprinted`, `${BASE_URL}/licenses/metal-cite-source`]);
    for (const href of hrefs) {
      const res = await get(href, { accept: 'application/ld+json' });
      assert.equal(res.status, 200, href);
      assert.equal(res.headers.get('content-type'), 'application/ld+json; charset=utf-8');
      assert.match(res.headers.get('vary') ?? '', /Accept/);
      const [policy] = await expand(await res.json());
      assert.equal(policy?.['@id'], href, 'the policy is what the link names');
      assert.deepEqual(policy?.['@type'], [O('Offer')]);
      assert.ok(ids(values(policy, O('permission'))[0], O('action')).includes(O('reproduce')));

      const page = await get(href, { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await page.text(), /as an ODRL 2\.2 policy \(JSON-LD\)/);
      const suffixed = await get(`${href}.jsonld`);
      assert.equal(suffixed.headers.get('content-type'), 'application/ld+json; charset=utf-8');
    }
    const refused = await get('/licenses/csteelnews-own', { accept: 'image/png' });
    assert.equal(refused.status, 406);
  });

  test('?item= gives the policy of one item: for a work reprinted from another outlet, that outlet holds the rights', async () => {
    const item = service.store.items('enterprise').find((i) => i.licenseId === 'csteelnews-reprinted');
    assert.ok(item, 'the samples hold a clause 【2】 item');
    const res = await get(`/licenses/csteelnews-reprinted.jsonld?item=${encodeURIComponent(item.id)}`);
    assert.equal(res.status, 200);
    const [policy] = await expand(await res.json());
    assert.deepEqual(literals(values(policy, `${DCT}rightsHolder`)[0], `${VCARD}fn`), [item.attribution.source.name]);
    assert.notEqual(item.attribution.source.name, '中国冶金报—中国钢铁新闻网');
    assert.deepEqual(ids(policy, O('target')), [item.link]);
    const other = await get(`/licenses/csteelnews-own.jsonld?item=${encodeURIComponent(item.id)}`);
    assert.equal(other.status, 404);
    assert.match(await other.text(), /is under license "csteelnews-reprinted", not "csteelnews-own"/);
  });

  test('a grant made with the CLI is served to its partner, and only to it, as an ODRL Agreement with its end', async () => {
    const added = await cli('partner', 'add', '河北日报', '--id', 'hebei-daily');
    assert.equal(added.code, 0, added.stderr);
    key = added.stdout.trim();
    const granted = await cli('partner', 'grant', 'hebei-daily', '--channel', 'enterprise', '--until', '2099-12-31', '--content', 'excerpt');
    assert.equal(granted.code, 0, granted.stderr);
    const until = /until (\S+)/.exec(granted.stdout)?.[1];
    assert.equal(until, '2099-12-31T16:00:00.000Z', 'the end of the last day in Asia/Shanghai');

    assert.equal((await get('/partner/grants/enterprise.jsonld')).status, 401);
    assert.equal((await get('/partner/grants/metals.jsonld', { authorization: `Bearer ${key}` })).status, 403);
    const res = await get('/partner/grants/enterprise.jsonld', { authorization: `Bearer ${key}` });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const [agreement] = await expand(await res.json());
    assert.deepEqual(agreement?.['@type'], [O('Agreement')]);
    assert.deepEqual(ids(agreement, O('assignee')), [`${BASE_URL}/partners/hebei-daily`]);
    assert.deepEqual(literals(values(agreement, O('assigner'))[0], `${VCARD}fn`), ['中国钢铁新闻网']);
    assert.deepEqual(ids(agreement, O('target')), [`${BASE_URL}/channels/enterprise`]);
    const constraint = values(values(agreement, O('permission'))[0], O('constraint'))[0];
    assert.deepEqual(ids(constraint, O('leftOperand')), [O('dateTime')]);
    assert.deepEqual(values(constraint, O('rightOperand')), [{ '@value': until, '@type': `${XSD}dateTime` }]);

    assert.equal((await cli('partner', 'ungrant', 'hebei-daily', '--channel', 'enterprise')).code, 0);
    const revoked = await get('/partner/grants/enterprise.jsonld', { authorization: `Bearer ${key}` });
    assert.equal(revoked.status, 403);
    assert.match(await revoked.text(), /was revoked on/);
  });

  test('reprint add, reprint check and reprints: an operator records a reprint, checks it politely and lists the failing ones', async () => {
    const item = service.store.items('enterprise').find((i) => i.attribution.authors.length > 0 && i.licenseId === 'csteelnews-own' && i.link !== undefined);
    assert.ok(item?.link);
    site.set('/news/1.html', { html: articlePage({ title: item.title, byline: `来源:${item.attribution.source.name}`, paragraphs: ['正文。'] }), charset: 'gb2312' });
    const added = await cli('reprint', 'add', 'hebei-daily', item.link, site.url('/news/1.html'));
    assert.equal(added.code, 0, added.stderr);
    const id = added.stdout.trim();
    assert.match(id, /^r-[0-9a-f]{12}$/);
    assert.match(added.stderr, /NEVER DELIVERED to this partner \(recorded as such\)/);

    // --all: the running server may already have made the check that was due (it refuses such a host too).
    const refused = await cli('reprint', 'check', '--all');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, new RegExp(`^${id} .*: unreachable: refused: 127\\.0\\.0\\.1 is a loopback, private or link-local address$`, 'm'));
    assert.equal(site.requests.length, 0, 'nothing was requested of a host on our own network');
    const checked = await cli('reprint', 'check', '--all', '--allow-private-hosts');
    assert.equal(checked.code, 1, 'a failing reprint is exit 1');
    assert.match(checked.stdout, new RegExp(`^${id} .*: failing — source ok: «[^»]*来源:${item.attribution.source.name}[^»]*»; author FAIL: "${item.attribution.authors.join('、')}" not found on the page; link FAIL: no link to `, 'm'));
    assert.ok(site.requests.some((r) => r.path === '/robots.txt' && r.userAgent === 'Syndicator-e2e/1.0'));

    const csv = await cli('reprints', '--failing', '--format', 'csv');
    assert.equal(csv.code, 0, csv.stderr);
    const [header, row, ...rest] = csv.stdout.split('\r\n');
    assert.equal(header, 'id,partner,item,reprint_url,reported,standing,grant,allowed,state,flagged,checked,failing_duties');
    assert.deepEqual(rest, ['']);
    assert.ok(row?.startsWith(`${id},hebei-daily,${item.id},${site.url('/news/1.html')},`), row);
    assert.match(row ?? '', /,never-delivered,,excerpt,failing,,/);

    type Check = { outcome: string; ok: boolean; error?: string };
    const json = JSON.parse((await cli('reprints', '--partner', '河北日报', '--format', 'json')).stdout) as { id: string; checks: Check[] }[];
    assert.deepEqual(json.map((r) => r.id), [id]);
    assert.deepEqual(json[0]?.checks.map((c) => [c.outcome, c.ok]).slice(-2), [['unreachable', false], ['checked', false]]);
    assert.equal((await cli('reprints', '--item', 'no-such-item')).stdout.trim().split('\n').length, 1, 'only the header');

    // `status` sums the reports up per partner, as /status and /metrics do.
    const status = await cli('status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^PARTNER +REPRINTS +PENDING +PASSING +FAILING +UNREACHABLE +FLAGGED +NEVER DELIVERED +GRANT ENDED +FAILING DUTIES$/m);
    assert.match(status.stdout, /^hebei-daily +1 +0 +0 +1 +0 +0 +1 +0 +author 1, link 1$/m);

    // The running server sees what the CLI wrote: the partner reads its report and result.
    const mine = (await (await get('/partner/reprints', { authorization: `Bearer ${key}` })).json()) as { reports: { id: string; checks: Check[] }[] };
    assert.deepEqual(mine.reports.map((r) => r.id), [id]);
    assert.deepEqual(mine.reports[0]?.checks.at(-1)?.outcome, 'checked');
    assert.ok(mine.reports[0]?.checks.slice(0, -1).every((c) => c.outcome === 'unreachable' && /^refused: /.test(c.error ?? '')), 'every earlier check, the server\'s included, refused the loopback host');
  });
});
