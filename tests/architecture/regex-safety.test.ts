// Every regular expression in src/ is checked by safe-regex2 (no nested quantifiers — star height
// above 1 — the shape that backtracks exponentially on hostile input). The expressions are collected
// with the TypeScript compiler: every regex literal, and every `new RegExp(...)` / `RegExp(...)` whose
// pattern is a string or template literal. A new super-linear pattern fails this test by file and line.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import safeRegex from 'safe-regex2';
import ts from 'typescript';

const SRC = path.resolve(import.meta.dirname, '../../src');

interface Found {
  where: string;
  pattern: string;
  flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The regex literals and RegExp constructions with a literal pattern in `file`. */
export function regexesIn(file: string, text = readFileSync(file, 'utf8')): Found[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const where = (node: ts.Node) => `${path.relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const t = node.text;
      const end = t.lastIndexOf('/');
      found.push({ where: where(node), pattern: t.slice(1, end), flags: t.slice(end + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const [arg, flags] = node.arguments ?? [];
      const literal = (n: ts.Expression | undefined): string | undefined =>
        n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : undefined;
      let pattern = literal(arg);
      // A template with substitutions: each substitution stands for one escaped literal piece (x).
      if (pattern === undefined && arg && ts.isTemplateExpression(arg)) {
        pattern = arg.head.text + arg.templateSpans.map((s) => `x${s.literal.text}`).join('');
      }
      if (pattern !== undefined) found.push({ where: where(node), pattern, flags: literal(flags) ?? '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const all = sourceFiles(SRC).flatMap((f) => regexesIn(f));
const unsafe = (r: Found) => !safeRegex(new RegExp(r.pattern, r.flags.replace(/[gy]/g, '')));

// Expressions safe-regex2 reports that were read one by one and are linear on any input (or bounded
// before they run). safe-regex2 also reports any expression with more than 25 quantifiers and any it
// cannot parse (lookbehind), so a report is a prompt to review, and a reviewed one is listed here by
// file and opening characters with the reason. A changed or new expression is checked again.
const REVIEWED: [file: string, starts: string, why: string][] = [
  ['cli/store.ts', '^([a-z0-9][a-z0-9-]*)\\.json', 'anchored; the classes and literals follow one another without overlap'],
  ['config/channels.ts', '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', 'each repetition starts with "-", which the inner class excludes'],
  ['ingest/dates.ts', '^(?:[a-z]{3,9},?', 'more than 25 bounded quantifiers; parseDate reads at most 200 characters'],
  ['ingest/dates.ts', '^(\\d{4})', 'more than 25 bounded quantifiers; parseDate reads at most 200 characters'],
  ['ingest/dates.ts', '(?<!\\d)\\d{4}', 'lookbehind (not parsed by safe-regex2); every match starts at four digits, quantifiers bounded'],
  ['ingest/dates.ts', '(?<![\\d\\-/.年])', 'lookbehind (not parsed by safe-regex2); starts at 1–2 digits, each \\s* run ends at a required separator'],
  ['ingest/dates.ts', '^(\\d{1,2})\\s*[-/.月]', 'anchored; bounded digit runs between required separators; input at most 200 characters'],
  ['ingest/dates.ts', '(?<!\\d)((?:19|20)', 'lookbehind (not parsed by safe-regex2); fixed-width digits, no unbounded quantifier'],
  ['ingest/feed/parse-feed.ts', '^\\uFEFF?', 'anchored; comment bodies cannot pass "-->" (one way to match)'],
  ['ingest/feed/parse-feed.ts', '<!ENTITY', 'runs only on the internal subset; literal prefix, one quantifier per part'],
  ['ingest/page/list-anchors.ts', '^\\s*(?:下一页', 'anchored; alternatives start with distinct literals'],
  ['ingest/page/list-anchors.ts', '^(?:index|list', 'anchored; \\w+ only before $'],
  ['ingest/page/jsonld.ts', '^(?:https?:', 'anchored literal'],
  ['ingest/page/main-body.ts', '^[\\s【\\[]*(?:(?:字号', 'each repetition is a keyword then characters no keyword holds (5,000 repetitions: under 1 ms)'],
  ['ingest/page/main-body.ts', '(?:^|;)\\s*(?:display', 'runs on one style attribute; each \\s* run is followed by a required literal'],
  ['ingest/page/page-labels.ts', '(?<![\\p{Script=Han}])', 'lookbehind (not parsed by safe-regex2); no quantifier'],
  ['ingest/page/page-labels.ts', '(x)[ \\u3000', 'lookbehind (not parsed by safe-regex2); one quantifier per part, separated by literals'],
  ['text.ts', `[&<>"'`, 'one character per match: a class, or a surrogate with a one-character lookaround (safe-regex2 misreads lookbehind)'],
  ['store/files/durable-file.ts', '^\\..+\\.tmp', 'runs on file names of the data directory; one unbounded quantifier'],
  ['text.ts', '[\\u0000-\\u0008', 'lookbehind (not parsed by safe-regex2); single characters, no quantifier'],
];
const reviewed = (r: Found) => REVIEWED.some(([file, starts]) => r.where.startsWith(`${file}:`) && r.pattern.startsWith(starts));

describe('regular expressions in src/', () => {
  test('the collector finds the expressions of src/ (literals and RegExp constructions)', () => {
    assert.ok(all.length > 50, `only ${all.length} found`);
    assert.ok(all.some((r) => r.where.startsWith(path.join('ingest', 'page', 'page-labels.ts')) && r.where.includes(':36')), 'the RegExp built in ingest/page/page-labels.ts (LABEL)');
  });

  test('the check flags nested quantifiers, in a literal and in a RegExp construction', () => {
    const bad = regexesIn('bad.ts', 'const a = /^(a+)+$/; const b = new RegExp("(\\w*)*x", "u");');
    assert.deepEqual(bad.map(unsafe), [true, true]);
  });

  test('the reviewed list holds only expressions that still exist and are still reported', () => {
    const stale = REVIEWED.filter(([file, starts]) => !all.some((r) => r.where.startsWith(`${file}:`) && r.pattern.startsWith(starts) && unsafe(r)));
    assert.deepEqual(stale, []);
  });

  test('no expression in src/ has nested quantifiers (beyond the reviewed ones)', () => {
    assert.deepEqual(all.filter((r) => unsafe(r) && !reviewed(r)).map((r) => `${r.where} /${r.pattern}/${r.flags}`), []);
  });
});
