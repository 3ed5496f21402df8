// Partner keys: random bearer secrets shown once and kept only as a sha256 hash. A presented key is
// found through its hash (never by comparing secrets), and the match is confirmed in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PREFIX = 'sk_';

/** A new key: "sk_" and 32 random bytes, base64url (43 characters). */
export function generateKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The hash kept at rest: sha256 of the key, hex. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Whether `key` hashes to `keyHash`. Compares the two digests with timingSafeEqual: both are 32
 * bytes whatever the input, so the time taken says nothing about how much of a stored hash matched.
 */
export function keyMatches(key: string, keyHash: string): boolean {
  const presented = createHash('sha256').update(key, 'utf8').digest();
  const stored = Buffer.from(keyHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
