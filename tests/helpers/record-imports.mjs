// Preloaded with `node --import ./tests/helpers/record-imports.mjs`: appends the URL of every module
// the ESM loader resolves (one a line) to the file named by RECORD_IMPORTS, so a test can see which
// modules a command loads without timing anything.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}`;

if (process.env.RECORD_IMPORTS) {
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file: process.env.RECORD_IMPORTS } });
}
