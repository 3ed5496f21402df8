import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/env.js';

test('defaults: port 8080, ./data, ./feeds, a base URL derived from host and port', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.baseUrl, 'http://localhost:8080');
  assert.ok(c.dataDir.endsWith('/data'));
  assert.equal(c.maxBodyBytes, 15 * 1024 * 1024);
  assert.ok(Object.isFrozen(c));
});

test('BASE_URL loses its trailing slash; HOST and PORT are honoured', () => {
  const c = loadConfig({ BASE_URL: 'https://feeds.example.com/', HOST: '127.0.0.1', PORT: '9000' });
  assert.equal(c.baseUrl, 'https://feeds.example.com');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 9000);
});

test('every bad variable is named with what it expects', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', BASE_URL: 'feeds.example.com', LOG_LEVEL: 'loud' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 3);
      assert.match(err.message, /PORT: expected a whole number/);
      assert.match(err.message, /BASE_URL: expected an absolute http\(s\) URL/);
      assert.match(err.message, /LOG_LEVEL: /);
      return true;
    },
  );
});
