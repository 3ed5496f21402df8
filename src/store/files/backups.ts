import { copyFile, link, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { backupPath, readTextIfExists, writeFileDurably } from './durable-file.js';
import { withFileLock } from './file-lock.js';
import { SchemaVersionError, StoreError } from '../store.js';

/** How a document's text is judged and summed up; the same parse that loading uses (migrations included). */
export interface DocumentReader<T> {
  parse: (text: string) => T;
  /** A short summary of a good document for messages, e.g. "1234 items". */
  describe?: (data: T) => string;
}

/** What one file on disk holds: a good document, a damaged one, or nothing. */
export interface FileReport {
  path: string;
  /** For a backup, its number (1 = newest); 0 for the file itself. */
  index: number;
  exists: boolean;
  mtime?: Date;
  ok: boolean;
  /** Why it is not good (parse error, schema version). */
  error?: string;
  /** The reader's summary of a good document. */
  description?: string;
}

/** "1 item", "1234 items" */
export function countItems(n: number): string {
  return `${n} item${n === 1 ? '' : 's'}`;
}

/** A path as an operator would type it: relative to the working directory when under it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** The backups present beside `file`, newest (1) first. */
export async function listBackups(file: string): Promise<{ path: string; index: number }[]> {
  let names: string[];
  try {
    names = await readdir(path.dirname(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const pattern = new RegExp(`^${escapeRegExp(path.basename(file))}\\.bak\\.(\\d+)$`);
  return names
    .map((name) => pattern.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: path.join(path.dirname(file), m[0]), index: Number(m[1]) }))
    .sort((a, b) => a.index - b.index);
}

/** Reads and judges one file with the reader. */
export async function inspectFile<T>(file: string, index: number, reader: DocumentReader<T>): Promise<FileReport> {
  let text: string | null;
  let mtime: Date | undefined;
  try {
    text = await readTextIfExists(file);
    if (text !== null) mtime = (await stat(file)).mtime;
  } catch (err) {
    return { path: file, index, exists: true, ok: false, error: (err as Error).message };
  }
  if (text === null) return { path: file, index, exists: false, ok: false, error: 'missing' };
  try {
    const data = reader.parse(text);
    const description = reader.describe?.(data);
    return { path: file, index, exists: true, ok: true, ...(mtime && { mtime }), ...(description !== undefined && { description }) };
  } catch (err) {
    return { path: file, index, exists: true, ok: false, ...(mtime && { mtime }), error: reasonOf(err) };
  }
}

/** The file itself, then every backup, newest first. */
export async function inspectWithBackups<T>(file: string, reader: DocumentReader<T>): Promise<FileReport[]> {
  const reports = [await inspectFile(file, 0, reader)];
  for (const backup of await listBackups(file)) reports.push(await inspectFile(backup.path, backup.index, reader));
  return reports;
}

/** The newest backup that actually parses (every candidate is read, not just listed). */
export async function newestGoodBackup<T>(file: string, reader: DocumentReader<T>): Promise<FileReport | undefined> {
  for (const backup of await listBackups(file)) {
    const report = await inspectFile(backup.path, backup.index, reader);
    if (report.ok) return report;
  }
  return undefined;
}

/** "data/channels/a.json.bak.1 (written 2026-…, 1234 items)" */
export function describeReport(report: FileReport): string {
  const details = [report.mtime && `written ${report.mtime.toISOString()}`, report.description].filter(Boolean).join(', ');
  return `${displayPath(report.path)}${details ? ` (${details})` : ''}`;
}

/**
 * The one-line error for a file that does not load: names the file, the reason, the newest backup that
 * does load, and the command that brings it back (or says there is none to bring back).
 */
export async function damagedFileError<T>(
  file: string,
  cause: unknown,
  reader: DocumentReader<T>,
  restoreCommand?: string,
): Promise<StoreError> {
  if (cause instanceof SchemaVersionError) return cause;
  const good = await newestGoodBackup(file, reader).catch(() => undefined);
  const advice = good
    ? `newest good backup: ${describeReport(good)}${restoreCommand ? `; restore it with: ${restoreCommand}` : ''}`
    : `no good backup beside it; move it aside to start this document empty`;
  return new StoreError(`${displayPath(file)} is damaged and was not loaded (${reasonOf(cause)}); ${advice}`, { cause });
}

/** The error for a file that is missing while its backups are there: something removed it; do not start empty. */
export async function missingFileError<T>(file: string, reader: DocumentReader<T>, restoreCommand?: string): Promise<StoreError | undefined> {
  const backups = await listBackups(file);
  if (backups.length === 0) return undefined;
  const good = await newestGoodBackup(file, reader);
  const advice = good
    ? `newest good backup: ${describeReport(good)}${restoreCommand ? `; restore it with: ${restoreCommand}` : ''}`
    : `none of its ${backups.length} backup(s) loads`;
  return new StoreError(
    `${displayPath(file)} is missing but its backups are there, so it was not started empty; ${advice} (or remove the backups to start empty)`,
  );
}

export interface RestoreResult {
  from: FileReport;
  /** Where the file that was replaced is kept (absent when there was none). */
  keptAs?: string;
}

/**
 * Puts a backup back in place of `file`, under the document's lock: the chosen backup (or the newest
 * good one) must parse; the replaced file, damaged or not, is kept as `<file>.before-restore-<time>`;
 * the backups are left as they are (no rotation: a damaged file must never take a backup's slot).
 */
export async function restoreBackup<T>(
  file: string,
  reader: DocumentReader<T>,
  options: { lockPath: string; index?: number },
): Promise<RestoreResult> {
  return withFileLock(options.lockPath, async () => {
    let from: FileReport | undefined;
    if (options.index !== undefined) {
      from = await inspectFile(backupPath(file, options.index), options.index, reader);
      if (!from.exists) throw new StoreError(`${displayPath(from.path)} does not exist`);
      if (!from.ok) throw new StoreError(`${displayPath(from.path)} does not load either (${from.error}); pick another backup`);
    } else {
      from = await newestGoodBackup(file, reader);
      if (!from) throw new StoreError(`no good backup of ${displayPath(file)} to restore`);
    }
    const text = await readTextIfExists(from.path);
    if (text === null) throw new StoreError(`${displayPath(from.path)} disappeared during the restore`);

    let keptAs: string | undefined;
    if ((await readTextIfExists(file)) !== null) {
      keptAs = `${file}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        await link(file, keptAs);
      } catch {
        await copyFile(file, keptAs);
      }
    }
    await writeFileDurably(file, text, { backups: 0 });
    return { from, ...(keptAs !== undefined && { keptAs }) };
  });
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^store: /, '').replace(/\s+/g, ' ').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
