import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Grant, Partner } from '../../src/model.js';
import { grantFor, identifyPartner } from '../../src/partners/access.js';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const partner: Partner = { id: 'hebei-daily', name: 'Hebei Daily', keyHash: 'a'.repeat(64), createdAt: '2026-01-01T00:00:00.000Z' };

function grant(overrides: Partial<Grant>): Grant {
  return { id: 'g-1', partnerId: 'hebei-daily', channelId: 'enterprise', content: 'full', createdAt: '2026-01-01T00:00:00.000Z', ...overrides };
}

const registryOf = (...partners: Partner[]) => ({ partnerForKey: (key: string) => partners.find((p) => p.keyHash === key) });

test('no key or an unknown key is a 401; a revoked partner a 403; each with its one-line reason', () => {
  const revoked: Partner = { ...partner, id: 'gone', keyHash: 'b'.repeat(64), revokedAt: '2026-02-01T00:00:00.000Z' };
  const registry = registryOf(partner, revoked);
  assert.deepEqual(identifyPartner(registry, undefined), {
    ok: false,
    refusal: { code: 'missing-key', status: 401, reason: 'missing key: send Authorization: Bearer <key> or ?key=' },
  });
  assert.deepEqual(identifyPartner(registry, ''), identifyPartner(registry, undefined));
  assert.deepEqual(identifyPartner(registry, 'sk_nope'), { ok: false, refusal: { code: 'unknown-key', status: 401, reason: 'unknown key' } });
  assert.deepEqual(identifyPartner(registry, 'b'.repeat(64)), {
    ok: false,
    refusal: { code: 'partner-revoked', status: 403, reason: 'partner "gone" was revoked on 2026-02-01T00:00:00.000Z' },
  });
  assert.deepEqual(identifyPartner(registry, 'a'.repeat(64)), { ok: true, partner });
});

test('the newest live grant of the channel applies; other partners and channels do not count', () => {
  const grants = [
    grant({ id: 'g-old', revokedAt: '2026-02-01T00:00:00.000Z' }),
    grant({ id: 'g-live', createdAt: '2026-02-01T00:00:00.000Z', until: '2026-03-01T00:00:01.000Z' }),
    grant({ id: 'g-other-partner', partnerId: 'xinhua', createdAt: '2026-02-15T00:00:00.000Z' }),
    grant({ id: 'g-other-channel', channelId: 'metals', createdAt: '2026-02-15T00:00:00.000Z' }),
  ];
  const result = grantFor(grants, partner, 'enterprise', NOW);
  assert.equal(result.ok && result.grant.id, 'g-live');
});

test('no grant, an expired grant and a revoked grant are 403s that say which and when', () => {
  assert.deepEqual(grantFor([grant({ channelId: 'metals' })], partner, 'enterprise', NOW), {
    ok: false,
    refusal: { code: 'no-grant', status: 403, reason: 'partner "hebei-daily" has no grant for channel "enterprise"' },
  });
  assert.deepEqual(grantFor([grant({ until: NOW.toISOString() })], partner, 'enterprise', NOW), {
    ok: false,
    refusal: { code: 'grant-expired', status: 403, reason: 'grant g-1 for channel "enterprise" expired on 2026-03-01T00:00:00.000Z' },
  });
  assert.deepEqual(grantFor([grant({ revokedAt: '2026-02-20T00:00:00.000Z' })], partner, 'enterprise', NOW), {
    ok: false,
    refusal: { code: 'grant-revoked', status: 403, reason: 'grant g-1 for channel "enterprise" was revoked on 2026-02-20T00:00:00.000Z' },
  });
  const expiredThenRevoked = [grant({ id: 'g-a', until: '2026-01-15T00:00:00.000Z' }), grant({ id: 'g-b', createdAt: '2026-02-01T00:00:00.000Z', revokedAt: '2026-02-02T00:00:00.000Z' })];
  const refused = grantFor(expiredThenRevoked, partner, 'enterprise', NOW);
  assert.equal(!refused.ok && refused.refusal.code, 'grant-revoked', 'the newest grant tells why');
});
