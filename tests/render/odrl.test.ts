// The ODRL policies as a partner's JSON-LD processor reads them: every license shipped in feeds/licenses
// and every shape of grant is expanded with the jsonld package (offline, with the ODRL context shipped
// in assets/contexts/) and the terms are read back from the expanded form, where only IRIs count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFeeds } from '../../src/config/channels.js';
import type { Grant, License } from '../../src/model.js';
import { RIGHTSML_PROFILE, channelLicenses, grantAgreement, itemPolicy, licensePolicy } from '../../src/render/odrl.js';
import { DCT, ODRL_NS, REPRINT, VCARD, XSD, expand, ids, literals, values } from '../helpers/jsonld.js';
import * as fx from '../helpers/render-fixtures.js';
import { FEEDS_DIR } from '../helpers/temp.js';

const O = (term: string) => `${ODRL_NS}${term}`;
const BASE = fx.BASE_URL;

async function shippedLicenses(): Promise<Map<string, License>> {
  const feeds = await loadFeeds(FEEDS_DIR);
  assert.deepEqual(feeds.problems, []);
  return feeds.licenses;
}

/** Every rule of `kind` in the expanded policy, with its action IRI. */
function rules(policy: unknown, kind: 'permission' | 'prohibition'): { action: string; node: Record<string, unknown> }[] {
  return values(policy, O(kind)).map((node) => ({ action: ids(node, O('action'))[0] ?? '', node }));
}

test('the offline loader refuses any context it has no local copy of, so no test reaches the network', async () => {
  await assert.rejects(expand({ '@context': 'https://example.org/other.jsonld', a: 1 }), (err: { details?: { cause?: Error } }) => {
    assert.match(err.details?.cause?.message ?? '', /no local copy of https:\/\/example\.org\/other\.jsonld/);
    return true;
  });
});

test('every shipped license expands to an ODRL Offer under the RightsML profile, naming its terms and holder', async () => {
  const licenses = await shippedLicenses();
  assert.ok(licenses.size >= 3);
  for (const license of licenses.values()) {
    const [policy, ...rest] = await expand(licensePolicy(license, { baseUrl: BASE }));
    assert.equal(rest.length, 0, `${license.id}: one top-level node`);
    assert.equal(policy?.['@id'], `${BASE}/licenses/${license.id}`, `${license.id}: the policy IRI is the license URL feeds link to`);
    assert.deepEqual(policy?.['@type'], [O('Offer')], license.id);
    assert.deepEqual(ids(policy, O('profile')), [RIGHTSML_PROFILE], license.id);
    assert.deepEqual(literals(policy, `${DCT}description`), [license.statement], `${license.id}: the terms verbatim`);
    const holder = values(policy, `${DCT}rightsHolder`)[0];
    assert.deepEqual(literals(holder, `${VCARD}fn`), [license.holder], license.id);
    assert.deepEqual(ids(policy, O('assigner')), [holder?.['@id']], `${license.id}: the holder offers the permissions`);

    const permissions = rules(policy, 'permission');
    assert.deepEqual(permissions.map((p) => p.action).sort(), [O('distribute'), O('reproduce')], license.id);
    for (const { node } of permissions) {
      const duties = values(node, O('duty'));
      const attribute = duties.find((d) => ids(d, O('action'))[0] === O('attribute'));
      assert.ok(attribute, `${license.id}: an attribute duty on every permission`);
      assert.deepEqual(ids(attribute, `${REPRINT}mustName`), [`${REPRINT}source`, `${REPRINT}author`, `${REPRINT}originalLink`]);
      assert.deepEqual(ids(attribute, O('attributedParty')), [holder?.['@id']]);
      assert.deepEqual(literals(attribute, `${REPRINT}template`), license.reprint.attributionTemplate === undefined ? [] : [license.reprint.attributionTemplate]);
      const consent = duties.find((d) => ids(d, O('action'))[0] === O('obtainConsent'));
      assert.equal(consent !== undefined, license.reprint.permission === 'written-authorization', `${license.id}: written authorization is a consent duty`);
    }
    const prohibited = rules(policy, 'prohibition').map((p) => p.action);
    assert.deepEqual(prohibited, (license.reprint.prohibited ?? []).map(O), `${license.id}: the acts the terms forbid`);
  }
});

test('clause 【1】 forbids modifying; clause 【2】 names the original outlet of each work as rights holder', async () => {
  const licenses = await shippedLicenses();
  const [own] = await expand(licensePolicy(licenses.get('csteelnews-own')!, { baseUrl: BASE }));
  assert.deepEqual(rules(own, 'prohibition').map((p) => p.action), [O('modify')]);
  const consent = values(rules(own, 'permission')[0]?.node, O('duty')).find((d) => ids(d, O('action'))[0] === O('obtainConsent'));
  assert.deepEqual(literals(consent, `${REPRINT}contact`), ['电话:010-64411649']);

  const reprinted = licenses.get('csteelnews-reprinted')!;
  const [policy] = await expand(licensePolicy(reprinted, { baseUrl: BASE }));
  const holder = values(policy, `${DCT}rightsHolder`)[0];
  assert.equal(holder?.['@id'], `${BASE}/licenses/csteelnews-reprinted#original-outlet`);
  assert.match(String(literals(holder, `${REPRINT}role`)[0]), /original outlet/);

  // For one item, the holder is that item's source outlet, by its IRI and name.
  const item = fx.fullItem({ licenseId: 'csteelnews-reprinted' });
  const [forItem] = await expand(itemPolicy(item, reprinted, { baseUrl: BASE, timeZone: 'Asia/Shanghai' }));
  const itemHolder = values(forItem, `${DCT}rightsHolder`)[0];
  assert.equal(itemHolder?.['@id'], 'https://hbrb.example/');
  assert.deepEqual(literals(itemHolder, `${VCARD}fn`), ['河北日报']);
  assert.deepEqual(ids(forItem, O('target')), [item.link]);
  const attribute = values(rules(forItem, 'permission')[0]?.node, O('duty')).find((d) => ids(d, O('action'))[0] === O('attribute'));
  const [line, ...more] = literals(attribute, `${REPRINT}attribution`);
  assert.equal(more.length, 0);
  assert.match(String(line), /^来源:河北日报 作者:李明、王芳( |$)/, 'the line to print, with this item\'s source and authors');
  assert.deepEqual(ids(attribute, `${REPRINT}originalLink`), [item.link]);
  assert.deepEqual(literals(attribute, `${REPRINT}authorName`), ['李明', '王芳']);
  const credited = values(attribute, O('attributedParty')).map((p) => literals(p, `${VCARD}fn`)[0]);
  assert.deepEqual(credited, ['河北日报', '李明', '王芳'], 'the outlet once, then each author');
});

test('a license that prohibits reprinting is a Set of prohibitions with no permission', async () => {
  const [policy] = await expand(licensePolicy(fx.hostileLicense(), { baseUrl: BASE }));
  assert.deepEqual(policy?.['@type'], [O('Set')]);
  assert.deepEqual(rules(policy, 'permission'), []);
  assert.deepEqual(rules(policy, 'prohibition').map((p) => p.action).sort(), [O('distribute'), O('reproduce')]);
  assert.deepEqual(literals(values(policy, `${DCT}rightsHolder`)[0], `${VCARD}fn`), ['A & B <Holdings>'], 'text stays text');
});

function grant(overrides: Partial<Grant> = {}): Grant {
  return { id: 'g-0a1b2c3d4e', partnerId: 'hebei-daily', channelId: 'qiye-yaowen', content: 'excerpt', createdAt: '2030-01-01T00:00:00.000Z', ...overrides };
}

test('a grant expands to an ODRL Agreement: publisher to partner, the channel, its scope and its end as a dateTime constraint', async () => {
  const channel = fx.channel();
  const all = fx.licenses();
  all.set('csteelnews-own', fx.ownLicense({ reprint: { ...fx.ownLicense().reprint, prohibited: ['modify'] } }));
  const licenses = channelLicenses(channel, all);
  assert.deepEqual(licenses.map((l) => l.id), ['csteelnews-own', 'csteelnews-reprinted']);
  const doc = grantAgreement(grant({ until: '2030-06-30T16:00:00.000Z' }), { id: 'hebei-daily', name: '河北日报' }, channel, licenses, { baseUrl: BASE });
  const [agreement] = await expand(doc);
  assert.deepEqual(agreement?.['@type'], [O('Agreement')]);
  assert.deepEqual(ids(agreement, O('profile')), [RIGHTSML_PROFILE]);
  const assigner = values(agreement, O('assigner'))[0];
  const assignee = values(agreement, O('assignee'))[0];
  assert.equal(assigner?.['@id'], 'https://www.csteelnews.example/');
  assert.deepEqual(literals(assigner, `${VCARD}fn`), ['中国钢铁新闻网']);
  assert.equal(assignee?.['@id'], `${BASE}/partners/hebei-daily`);
  assert.deepEqual(literals(assignee, `${VCARD}fn`), ['河北日报']);
  assert.deepEqual(ids(agreement, O('target')), [`${BASE}/channels/qiye-yaowen`]);
  assert.deepEqual(ids(agreement, `${REPRINT}contentScope`), [`${REPRINT}excerpt`]);
  assert.deepEqual(ids(agreement, `${REPRINT}license`), [`${BASE}/licenses/csteelnews-own`, 'https://creativecommons.org/licenses/by-nc-nd/4.0/']);

  const permissions = rules(agreement, 'permission');
  assert.deepEqual(permissions.map((p) => p.action).sort(), [O('distribute'), O('reproduce')]);
  for (const { node } of permissions) {
    assert.deepEqual(ids(node, O('assignee')), [`${BASE}/partners/hebei-daily`]);
    const [constraint, ...more] = values(node, O('constraint'));
    assert.equal(more.length, 0);
    assert.deepEqual(ids(constraint, O('leftOperand')), [O('dateTime')]);
    assert.deepEqual(ids(constraint, O('operator')), [O('lt')]);
    assert.deepEqual(values(constraint, O('rightOperand')), [{ '@value': '2030-06-30T16:00:00.000Z', '@type': `${XSD}dateTime` }]);
    assert.deepEqual(values(node, O('duty')).map((d) => ids(d, O('action'))[0]), [O('attribute')]);
  }
  assert.deepEqual(rules(agreement, 'prohibition').map((p) => p.action), [O('modify')], "the licenses' prohibitions hold under the grant");
});

test('a grant without an end has no constraint; a full grant says fullText', async () => {
  const channel = fx.channel({ licenseRules: [] });
  const [agreement] = await expand(grantAgreement(grant({ content: 'full' }), { id: 'p', name: 'P' }, channel, channelLicenses(channel, fx.licenses()), { baseUrl: BASE }));
  assert.deepEqual(ids(agreement, `${REPRINT}contentScope`), [`${REPRINT}fullText`]);
  for (const { node } of rules(agreement, 'permission')) assert.deepEqual(values(node, O('constraint')), []);
});

test("an item without an original link is named by its guid, and its policy claims no link", async () => {
  const item = fx.fullItem({ link: undefined });
  const [policy] = await expand(itemPolicy(item, fx.reprintedLicense({ holderIsSource: true }), { baseUrl: BASE, timeZone: 'UTC' }));
  assert.deepEqual(ids(policy, O('target')), [item.guid]);
  const attribute = values(rules(policy, 'permission')[0]?.node, O('duty')).find((d) => ids(d, O('action'))[0] === O('attribute'));
  assert.ok(attribute);
  assert.deepEqual(ids(attribute, `${REPRINT}originalLink`), []);
});
