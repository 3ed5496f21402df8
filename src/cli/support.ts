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

/**
 * Resolves once everything written so far to stdout and stderr has been handed to the operating
 * system. A pipe takes only 64 KiB at a time and Node writes the rest asynchronously, so a process
 * that exits right after a large write (`process.exit`) cuts its output short; await this first.
 */
export async function flushStdio(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          if (stream.destroyed || !stream.writable) return resolve();
          // Writes complete in order: the callback of an empty write runs after every earlier one.
          stream.write('', () => resolve());
        }),
    ),
  );
}

let closedPipeHandled = false;

/**
 * Makes every command stop quietly when the reader of its output goes away (`syndicator ledger
 * --format json | head -1`): a write to a closed pipe (EPIPE) exits 0 with nothing on stderr, as
 * Unix tools do, instead of an unhandled 'error' event and its stack trace. Other stream errors are
 * reported as one line, exit 1. Installed once, by runCli.
 */
export function exitQuietlyOnClosedPipe(): void {
  if (closedPipeHandled) return;
  closedPipeHandled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT.ok);
      if (stream !== process.stderr) process.stderr.write(`syndicator: cannot write output: ${err.message}\n`);
      process.exit(EXIT.failed);
    });
  }
}
