// `npm run corpus`: reads every page of tests/fixtures/corpus as an ingest would and prints, per page,
// the facts that differ from its expected-facts file, then the pass rate (pages and facts).

import { checkPage, corpusPages } from './helpers/corpus.js';

let pagesOk = 0;
let factsOk = 0;
let factsAll = 0;
const names = corpusPages();
for (const name of names) {
  const { facts, expected } = await checkPage(name);
  const failed = facts.filter((f) => !f.ok);
  factsAll += facts.length;
  factsOk += facts.length - failed.length;
  if (failed.length === 0) pagesOk += 1;
  process.stdout.write(`${failed.length === 0 ? 'pass' : 'FAIL'}  ${name}  (${expected.kind}, ${expected.family})\n`);
  for (const f of failed) process.stdout.write(`        ${f.name}: expected ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.actual)}\n`);
}
process.stdout.write(`\n${pagesOk}/${names.length} pages pass (${((100 * pagesOk) / names.length).toFixed(1)}%), ${factsOk}/${factsAll} facts (${((100 * factsOk) / factsAll).toFixed(1)}%)\n`);
process.exitCode = pagesOk === names.length ? 0 : 1;
