// What every command of the `syndicator` CLI shares, whichever module defines it: exit codes, the
// error that means "bad usage" (exit 2), and the plain-text table.

/** Exit codes: 0 success; 1 the work ran but something failed (a source, a preview); 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Bad arguments or input: reported as one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** Left-aligned columns two spaces apart; the first row is the header. Chinese (and other wide)
 *  characters count as two columns, as terminals show them, so the columns line up. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i]! - displayWidth(cell))).join('  ').trimEnd()).join('\n') + '\n';
}

// East Asian Wide and Fullwidth blocks (Unicode UAX #11): CJK, kana, hangul, fullwidth forms.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u;

/** Terminal columns a string takes: two per wide character, one per other code point. */
function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) width += WIDE.test(ch) ? 2 : 1;
  return width;
}
