import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { withFileLock } from './file-lock.js';
import { StoreError } from './store.js';

export interface DocumentOptions<T> {
  /** The document when its file does not exist yet. */
  empty: () => T;
  /** Checks a parsed file and returns it typed; throws (with a reason) when it is not such a document. */
  check: (parsed: unknown) => T;
}

/**
 * One JSON document on disk, kept through lowdb, shared safely by several processes (the server and
 * the CLI): every change is a read-modify-write under a lock file, starting from what is on disk now,
 * and written atomically (temp file + rename); changes made by another process are picked up by
 * sync(). A file that cannot be read is an error naming the file — never a silent reset to empty.
 */
export class JsonDocument<T> {
  readonly #db: Low<T>;
  #seen: FileSignature | undefined;
  #revision = 0;
  /** Serializes this process's changes to the file. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly options: DocumentOptions<T>,
  ) {
    const adapter = new DataFile<T>(file, {
      parse: (text) => options.check(JSON.parse(text)),
      stringify: (data) => JSON.stringify(data),
    });
    this.#db = new Low(adapter, options.empty());
  }

  /** Reads the file (without writing anything); a missing file is the empty document. */
  static async open<T>(file: string, options: DocumentOptions<T>): Promise<JsonDocument<T>> {
    await mkdir(path.dirname(file), { recursive: true });
    const doc = new JsonDocument(file, options);
    await doc.#reload();
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

  /** Applies fn (which mutates the data in place) to the newest data on disk and writes the result, all under the lock. */
  update<R>(fn: (data: T) => R): Promise<R> {
    const run = this.#queue.then(() =>
      withFileLock(`${this.file}.lock`, async () => {
        await this.#reloadIfChanged();
        const result = fn(this.#db.data);
        await this.#db.write();
        this.#seen = await fileSignature(this.file);
        this.#revision += 1;
        return result;
      }),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Picks up a change another process wrote; resolves true when the data was reloaded. */
  async sync(): Promise<boolean> {
    await this.#queue;
    return this.#reloadIfChanged();
  }

  /** Waits for this process's pending writes. */
  async flush(): Promise<void> {
    await this.#queue;
  }

  async #reloadIfChanged(): Promise<boolean> {
    const now = await fileSignature(this.file);
    if (now?.ino === this.#seen?.ino && now?.mtimeMs === this.#seen?.mtimeMs && now?.size === this.#seen?.size) return false;
    await this.#reload();
    return true;
  }

  async #reload(): Promise<void> {
    const signature = await fileSignature(this.file);
    try {
      await this.#db.read();
    } catch (err) {
      throw new StoreError(`${this.file} is damaged and was not loaded (${(err as Error).message})`, { cause: err });
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
