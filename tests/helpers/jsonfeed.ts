// Validation of JSON Feed documents against the JSON Feed 1.1 schema in tests/schemas (written from
// the specification at https://www.jsonfeed.org/version/1.1/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ajv = new Ajv({ allErrors: true });
ajv.addFormat('uri', (s: string) => URL.canParse(s));
ajv.addFormat('date-time', (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)));

export const validateJsonFeed = ajv.compile(
  JSON.parse(readFileSync(new URL('../schemas/jsonfeed-1.1.schema.json', import.meta.url), 'utf8')) as object,
);

/** Fails with every schema error listed when doc is not a valid JSON Feed 1.1 document. */
export function assertValidJsonFeed(doc: unknown): void {
  assert.ok(validateJsonFeed(doc), ajv.errorsText(validateJsonFeed.errors, { separator: '\n' }));
}
