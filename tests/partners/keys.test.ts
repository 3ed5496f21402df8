import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { generateKey, hashKey, keyMatches } from '../../src/partners/keys.js';

test('a key is "sk_" and 32 random bytes in base64url, different every time', () => {
  const keys = new Set(Array.from({ length: 100 }, generateKey));
  assert.equal(keys.size, 100);
  for (const key of keys) {
    assert.match(key, /^sk_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(key.slice(3), 'base64url').length, 32);
  }
});

test('what is kept is the sha256 of the key, hex, from which the key cannot be read', () => {
  const key = generateKey();
  const hash = hashKey(key);
  assert.equal(hash, createHash('sha256').update(key).digest('hex'));
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.ok(!hash.includes(key.slice(3, 13)));
});

test('keyMatches accepts the key and refuses anything else, whatever its length, without throwing', () => {
  const key = generateKey();
  const hash = hashKey(key);
  assert.equal(keyMatches(key, hash), true);
  for (const other of ['', 'sk_', key.slice(0, -1), `${key}x`, key.toUpperCase(), generateKey(), '键'.repeat(1000)]) {
    assert.equal(keyMatches(other, hash), false, other.slice(0, 20));
  }
  assert.equal(keyMatches(key, 'not hex'), false, 'a damaged stored hash matches nothing');
  assert.equal(keyMatches(key, hash.slice(0, 62)), false);
});
