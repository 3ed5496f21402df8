import type { Stats } from 'node:fs';
import { copyFile, link, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/** Rotated backups kept beside each file unless a caller says otherwise. */
export const DEFAULT_BACKUPS = 3;

/** A temp file older than this is junk whoever made it: no write takes ten minutes. */
const TEMP_STALE_MS = 10 * 60_000;

let tempCounter = 0;

/**
 * A temp name beside `file`, unique to this process and this write (pid + counter): two processes, or
 * two writes in one process, never share one. (steno, under lowdb's DataFile, uses one fixed temp name
 * per file, and two writers of one file then rename each other's half-written temp: a measured bug.)
 */
export function tempPathFor(file: string): string {
  tempCounter += 1;
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${tempCounter}`);
}

/** `<file>.bak.<n>`: 1 is the version before the current one, 2 the one before that, … */
export function backupPath(file: string, n: number): string {
  return `${file}.bak.${n}`;
}

export interface DurableWriteOptions {
  /** Previous versions kept as <file>.bak.1 … .bak.N; 0 keeps none. Default 3. */
  backups?: number;
}

/** Chunks handed to one writev call. */
const WRITEV_CHUNKS = 512;

/**
 * What a write puts in the file: a string (written as UTF-8), or the file's bytes as a list of chunks
 * (written in one vectored write, without joining them first).
 */
export type FileContent = string | readonly Uint8Array[];

/**
 * Replaces `file` with `content` durably, so that a process killed at any instant, or a machine losing
 * power, leaves `file` either wholly old or wholly new — never empty, never half written:
 *
 *   1. the text goes to a temp file of its own in the same directory (same filesystem, so step 3 is a
 *      rename), and that file is fsync'ed: its bytes are on disk before any name points at them (without
 *      this, ext4's delayed allocation can show a zero-length file after a power loss — lowdb #352);
 *   2. backups rotate by renames (.bak.2 → .bak.3, .bak.1 → .bak.2) and the current file is hard-linked
 *      as .bak.1: `file` itself never stops existing, and each rename is atomic, so a crash in the
 *      middle only leaves a backup slot empty or two slots holding the same version;
 *   3. the temp file is renamed over `file` (atomic: readers see the old inode or the new one);
 *   4. the directory is fsync'ed, so the renames and the link survive a power loss too.
 *
 * A crash between the link of step 2 and the rename of step 3 leaves .bak.1 and `file` as one inode;
 * the next write sees that and does not rotate again (which would push a real backup out). A crash
 * before step 3 leaves a temp file, which sweepTempFiles() removes later. On failure the temp file is
 * removed and `file` is untouched.
 */
export async function writeFileDurably(file: string, content: FileContent, options: DurableWriteOptions = {}): Promise<void> {
  const backups = options.backups ?? DEFAULT_BACKUPS;
  const temp = tempPathFor(file);
  try {
    const handle = await open(temp, 'wx');
    try {
      if (typeof content === 'string') {
        await handle.writeFile(content, 'utf8');
      } else {
        const expected = content.reduce((n, chunk) => n + chunk.byteLength, 0);
        // A few hundred chunks per call: handing the kernel tens of thousands at once costs the serving
        // thread a stretch of its own (each chunk is checked and listed before the write is queued).
        let written = 0;
        for (let at = 0; at < content.length; at += WRITEV_CHUNKS) {
          written += (await handle.writev(content.slice(at, at + WRITEV_CHUNKS) as Uint8Array[])).bytesWritten;
        }
        if (written !== expected) throw new Error(`short write to ${temp}: ${written} of ${expected} bytes`);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (backups > 0) await rotateBackups(file, backups);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

/** Step 2 of writeFileDurably: shift the backups up one slot and keep the current file as .bak.1. */
async function rotateBackups(file: string, backups: number): Promise<void> {
  const current = await statIfExists(file);
  if (!current) return;
  const first = await statIfExists(backupPath(file, 1));
  // The last write stopped between its link and its rename: .bak.1 already is the current file.
  if (first && first.ino === current.ino && first.dev === current.dev) return;
  if (backups === 1) await rm(backupPath(file, 1), { force: true });
  for (let n = backups - 1; n >= 1; n -= 1) {
    try {
      await rename(backupPath(file, n), backupPath(file, n + 1));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  try {
    await link(file, backupPath(file, 1));
  } catch (err) {
    // Filesystems without hard links (some network and FUSE mounts): a copy costs more but works.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'ENOSYS') throw err;
    await copyFile(file, backupPath(file, 1));
  }
}

/** Makes the directory's entries (renames, links) durable. Platforms that cannot fsync a directory skip it. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    await handle?.close();
  }
}

/** The file's bytes, or null when it does not exist. */
export async function readBytesIfExists(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The file's text, or null when it does not exist. */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Removes temp files that a killed writer left beside `file`: ours (pid + counter) when that process is
 * gone or the file is stale, and steno's fixed `.<name>.tmp` (earlier builds wrote through it) when stale.
 * Returns how many were removed. Never touches `file` or its backups.
 */
export async function sweepTempFiles(file: string): Promise<number> {
  const prefix = `.${path.basename(file)}.tmp`;
  return sweep(path.dirname(file), (name) => name === prefix || (name.startsWith(prefix) && /^-\d+-\d+$/.test(name.slice(prefix.length))));
}

/** The same for every document of a directory (an archive directory, whose months come and go). */
export async function sweepTempFilesIn(dir: string): Promise<number> {
  return sweep(dir, () => true);
}

async function sweep(dir: string, concerns: (name: string) => boolean): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    const m = /^\..+\.tmp(?:-(\d+)-\d+)?$/.exec(name);
    if (!m || !concerns(name)) continue;
    const full = path.join(dir, name);
    const info = await statIfExists(full);
    if (!info) continue;
    const stale = Date.now() - info.mtimeMs > TEMP_STALE_MS;
    const pid = m[1] !== undefined ? Number(m[1]) : undefined;
    if (stale || (pid !== undefined && pid !== process.pid && !isAlive(pid))) {
      await rm(full, { force: true });
      removed += 1;
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export async function statIfExists(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface DurableFileOptions<T> {
  /** Text → document; throws (with a reason) when the text is not such a document. */
  parse: (text: string) => T;
  /** Document → file content (JSON text, or its UTF-8 bytes in chunks); may take turns of the event loop. */
  serialize: (data: T) => FileContent | Promise<FileContent>;
  backups?: number;
}

/**
 * The lowdb Adapter that JsonDocument uses instead of lowdb's DataFile: the same read, and every write
 * through writeFileDurably (own temp file, fsync, rotated backups, atomic rename, directory fsync).
 */
export class DurableFile<T> implements Adapter<T> {
  constructor(
    readonly file: string,
    private readonly options: DurableFileOptions<T>,
  ) {}

  async read(): Promise<T | null> {
    const text = await readTextIfExists(this.file);
    return text === null ? null : this.options.parse(text);
  }

  async write(data: T): Promise<void> {
    await writeFileDurably(this.file, await this.options.serialize(data), { backups: this.options.backups ?? DEFAULT_BACKUPS });
  }
}
