import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Low } from 'lowdb';
import { damagedFileError, missingFileError } from './backups.js';
import type { DocumentReader } from './backups.js';
import { DEFAULT_BACKUPS, DurableFile, sweepTempFiles } from './durable-file.js';
import type { FileContent } from './durable-file.js';
import { withFileLock } from './file-lock.js';

export interface DocumentOptions<T> {
  /** The document when its file does not exist yet. */
  empty: () => T;
  /** Checks a parsed file and returns it typed; throws (with a reason) when it is not such a document. */
  check: (parsed: unknown) => T;
  /** Previous versions kept as <file>.bak.1 … .bak.N (1 = newest); default 3, 0 for none. */
  backups?: number;
  /**
   * How long the writer waits for more updates to join a write (default 0: only the updates queued by
   * then, or while the previous write ran, join it).
   */
  debounceMs?: number;
  /** A short summary of a good document for messages, e.g. "1234 items". */
  describe?: (data: T) => string;
  /** The command that restores this file from a backup, quoted in the damaged-file message. */
  restoreCommand?: string;
  /** How the document is written: default compact JSON.stringify; the channel store writes cached item bytes. */
  serialize?: (data: T) => FileContent | Promise<FileContent>;
}

interface Pending<T> {
  fn: (data: T) => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * One JSON document on disk, kept through lowdb, shared safely by several processes (the server and
 * the CLI): every change is a read-modify-write under a lock file, starting from what is on disk now;
 * changes made by another process are picked up by sync(). Every write goes through DurableFile: its own
 * temp file, fsync, rotated backups, atomic rename, directory fsync (see durable-file.ts).
 *
 * One writer per document and process, with group commit: updates that queue up while a write runs (or
 * within debounceMs) are applied in order to the same data and written together, once; each caller
 * still gets its own result, and each promise resolves only after the write holding its change is on
 * disk. A file that cannot be read is an error naming the file and its newest good backup — never a
 * silent reset to empty.
 */
export class JsonDocument<T> {
  readonly #db: Low<T>;
  readonly #reader: DocumentReader<T>;
  #seen: FileSignature | undefined;
  #revision = 0;
  #pending: Pending<T>[] = [];
  /** The writer loop, while it runs. */
  #draining: Promise<void> | undefined;
  /** Serializes commits and reloads of this process, so a reload never lands in the middle of a change. */
  #exclusive: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly options: DocumentOptions<T>,
  ) {
    const parse = (text: string): T => options.check(JSON.parse(text));
    this.#reader = { parse, ...(options.describe && { describe: options.describe }) };
    const adapter = new DurableFile<T>(file, {
      parse,
      serialize: options.serialize ?? ((data) => JSON.stringify(data)),
      backups: options.backups ?? DEFAULT_BACKUPS,
    });
    this.#db = new Low(adapter, options.empty());
  }

  /**
   * Reads the file (writing nothing; temp files that a killed writer left are removed). A missing file is
   * the empty document, unless backups of it exist: then something removed it, and the open fails.
   */
  static async open<T>(file: string, options: DocumentOptions<T>): Promise<JsonDocument<T>> {
    await mkdir(path.dirname(file), { recursive: true });
    await sweepTempFiles(file);
    const doc = new JsonDocument(file, options);
    await doc.#reload('refuse-if-backups');
    return doc;
  }

  /** The current data; treat it as read-only outside update(). */
  get data(): T {
    return this.#db.data;
  }

  /** Moves every time the in-memory data is replaced or changed. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * Applies fn (which mutates the data in place, and may be async) to the newest data on disk and writes
   * the result, all under the lock; resolves with fn's result once that write is durable. fn must do
   * nothing but change the data (and effects that are safe to repeat): when another update of the same
   * write throws, the data is reloaded from disk and the others are applied again.
   */
  update<R>(fn: (data: T) => R | Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Picks up a change another process wrote; resolves true when the data was reloaded. */
  async sync(): Promise<boolean> {
    await this.flush();
    return this.#serially(() => this.#reloadIfChanged());
  }

  /** Waits for this process's pending writes. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
    await this.#exclusive;
  }

  async #drain(): Promise<void> {
    for (;;) {
      await ((this.options.debounceMs ?? 0) > 0 ? sleep(this.options.debounceMs) : nextTurn());
      const batch = this.#pending.splice(0);
      if (batch.length > 0) await this.#serially(() => this.#commit(batch));
      if (this.#pending.length === 0) {
        this.#draining = undefined;
        return;
      }
    }
  }

  /** Applies a batch of updates and writes once; settles every promise of the batch, never throws. */
  async #commit(batch: Pending<T>[]): Promise<void> {
    let live = batch;
    let values: unknown[] = [];
    try {
      await withFileLock(`${this.file}.lock`, async () => {
        await this.#reloadIfChanged();
        for (;;) {
          values = [];
          let failed = -1;
          let failure: unknown;
          for (const [i, entry] of live.entries()) {
            try {
              values.push(await entry.fn(this.#db.data));
            } catch (err) {
              failed = i;
              failure = err;
              break;
            }
          }
          if (failed < 0) break;
          // fn may have changed the data before it threw: go back to what is on disk, without it — before
          // its caller hears of the failure, so that it never sees the half-made change.
          const rejected = live[failed]!;
          live = live.filter((_, i) => i !== failed);
          try {
            await this.#reload('empty');
          } finally {
            rejected.reject(failure);
          }
          if (live.length === 0) return;
        }
        try {
          await this.#db.write();
        } catch (err) {
          // Nothing of this batch is on disk; neither may it stay in memory (a later write would carry it).
          await this.#reload('empty').catch(() => undefined);
          throw err;
        }
        this.#seen = await fileSignature(this.file);
        this.#revision += 1;
      });
    } catch (err) {
      for (const entry of live) entry.reject(err);
      return;
    }
    for (const [i, entry] of live.entries()) entry.resolve(values[i]);
  }

  #serially<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.#exclusive.then(fn);
    this.#exclusive = run.catch(() => undefined);
    return run;
  }

  async #reloadIfChanged(): Promise<boolean> {
    const now = await fileSignature(this.file);
    if (now?.ino === this.#seen?.ino && now?.mtimeMs === this.#seen?.mtimeMs && now?.size === this.#seen?.size) return false;
    await this.#reload('keep');
    return true;
  }

  /**
   * Replaces the in-memory data with the file. When the file is missing: at open, refuse if backups of
   * it exist (something removed it) and start empty otherwise; on a sync, keep serving what is in memory
   * (the next write puts it back); when rolling back a change that was not written, start empty.
   */
  async #reload(whenMissing: 'refuse-if-backups' | 'keep' | 'empty'): Promise<void> {
    // The signature is taken before the read: a write landing in between is then seen as a change later.
    const signature = await fileSignature(this.file);
    let data: T | null;
    try {
      data = await this.#db.adapter.read();
    } catch (err) {
      throw await damagedFileError(this.file, err, this.#reader, this.options.restoreCommand);
    }
    if (data !== null) {
      this.#db.data = data;
    } else if (whenMissing === 'refuse-if-backups') {
      const missing = await missingFileError(this.file, this.#reader, this.options.restoreCommand);
      if (missing) throw missing;
    } else if (whenMissing === 'empty') {
      this.#db.data = this.options.empty();
    }
    this.#seen = signature;
    this.#revision += 1;
  }
}

/** Every write renames a new file into place, so the inode alone tells a write apart; mtime and size back it up. */
interface FileSignature {
  ino: number;
  mtimeMs: number;
  size: number;
}

async function fileSignature(file: string): Promise<FileSignature | undefined> {
  try {
    const info = await stat(file);
    return { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
