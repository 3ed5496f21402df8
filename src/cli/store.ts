// The `store …` commands: list a data file's rotated backups with what each holds, and put one back.
// They work on DATA_DIR alone (not feeds/), so they still help when the configuration is broken too.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, UsageError, table } from './support.js';
import type { Config } from '../config/env.js';
import type { DocumentReader, FileReport } from '../store/files/backups.js';

/** The file store's modules, loaded when a `store` command runs (not for `--help` or other commands). */
async function files() {
  const [archive, backups, fileStore] = await Promise.all([
    import('../store/files/archive.js'),
    import('../store/files/backups.js'),
    import('../store/files/file-store.js'),
  ]);
  return { ...archive, ...backups, ...fileStore };
}
type Files = Awaited<ReturnType<typeof files>>;

const CHANNEL_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Adds `store backups` and `store restore` to the program. */
export function registerStoreCommands(program: Command, config: () => Promise<Readonly<Config>>): void {
  const store = program
    .command('store')
    .description('the data files under DATA_DIR: list their backups, restore one (see "Data and backups" in the README)');

  store
    .command('backups')
    .description('list each channel file (or one archive month) with its backups: when written, items, or why it does not load; exits 1 when a current file is damaged')
    .argument('[channel]', 'only this channel (default: every channel file in DATA_DIR/channels)')
    .option('--month <YYYY-MM>', "this archive month of the channel instead of its live file")
    .action(async (channel: string | undefined, opts: { month?: string }) => {
      const cfg = await config();
      const f = await files();
      const { inspectWithBackups, listArchiveMonths, displayPath } = f;
      if (opts.month !== undefined && channel === undefined) throw new UsageError('store backups: --month needs a channel');
      const channels = channel !== undefined ? [checkChannelId(channel)] : await channelFiles(cfg.dataDir);
      const rows = [['FILE', 'WRITTEN', 'STATUS']];
      let damaged = 0;
      for (const id of channels) {
        const { file, reader } = target(f, cfg.dataDir, id, opts.month);
        const reports = await inspectWithBackups(file, reader);
        if (reports[0]!.exists && !reports[0]!.ok) damaged += 1;
        for (const r of reports) if (r.exists || r.index === 0) rows.push(row(f, r));
        if (opts.month === undefined) {
          const months = await listArchiveMonths(cfg.dataDir, id);
          if (months.length > 0) rows.push([`  archive: ${months.length} month(s), ${months[0]} … ${months.at(-1)}`, '', '']);
        }
      }
      if (channels.length === 0) {
        process.stdout.write(`no channel files in ${displayPath(path.join(cfg.dataDir, 'channels'))}\n`);
        return;
      }
      process.stdout.write(table(rows));
      if (damaged > 0) process.exitCode = EXIT.failed;
    });

  store
    .command('restore')
    .description('put a backup back in place of a channel file (or an archive month); the replaced file is kept beside it')
    .argument('<channel>', 'the channel id (the file DATA_DIR/channels/<channel>.json)')
    .option('--backup <n>', 'which backup: 1 is the newest (default: the newest one that loads)', backupNumber)
    .option('--month <YYYY-MM>', 'restore this archive month of the channel instead of its live file')
    .action(async (channel: string, opts: { backup?: number; month?: string }) => {
      const cfg = await config();
      const id = checkChannelId(channel);
      const f = await files();
      const { restoreBackup, channelFile, displayPath, describeReport } = f;
      const { file, reader } = target(f, cfg.dataDir, id, opts.month);
      const result = await restoreBackup(file, reader, {
        lockPath: `${channelFile(cfg.dataDir, id)}.lock`,
        ...(opts.backup !== undefined && { index: opts.backup }),
      });
      process.stdout.write(
        `restored ${displayPath(file)} from ${describeReport(result.from)}` +
          `${result.keptAs ? `; the file it replaced is kept as ${displayPath(result.keptAs)}` : ''}\n`,
      );
    });
}

/** Adds `store copy` to the `store` command group; its code (both backends) is loaded when it runs. */
export function registerCopyCommand(program: Command, config: () => Promise<Readonly<Config>>): void {
  const store = program.commands.find((c) => c.name() === 'store');
  if (!store) throw new Error('the store command group must be registered first');
  store
    .command('copy')
    .description('copy all data (items, archives, tombstones, source states, partners, ledger, reprint reports) from the configured backend to an empty other one, then compare counts')
    .requiredOption('--to <target>', 'a postgres:// URL (from DATA_DIR), or a directory (from DATABASE_URL)')
    .addHelpText('after', '\nFrom DATA_DIR to PostgreSQL: unset DATABASE_URL, --to postgres://…\nBack: set DATABASE_URL, --to /new/data/dir\nExit 0 when every count matches, 1 when one does not.')
    .action(async (opts: { to: string }) => {
      const { runCopy } = await import('./store-copy.js');
      await runCopy(await config(), opts.to);
    });
}

function target(
  { channelFile, channelReader, archiveFile, archiveReader, MONTH_PATTERN }: Files,
  dataDir: string,
  channelId: string,
  month: string | undefined,
): { file: string; reader: DocumentReader<unknown> } {
  if (month === undefined) {
    const file = channelFile(dataDir, channelId);
    return { file, reader: channelReader(file, channelId) as DocumentReader<unknown> };
  }
  if (!MONTH_PATTERN.test(month)) throw new UsageError(`--month: expected a month such as 2026-01, not "${month}"`);
  const file = archiveFile(dataDir, channelId, month);
  return { file, reader: archiveReader(file, channelId, month) as DocumentReader<unknown> };
}

function row({ displayPath }: Files, r: FileReport): string[] {
  const status = r.ok ? `ok${r.description ? `, ${r.description}` : ''}` : r.exists ? `DOES NOT LOAD: ${r.error}` : 'missing';
  return [displayPath(r.path), r.mtime?.toISOString() ?? '-', status];
}

async function channelFiles(dataDir: string): Promise<string[]> {
  try {
    const names = await readdir(path.join(dataDir, 'channels'));
    const ids = new Set<string>();
    for (const name of names) {
      const m = /^([a-z0-9][a-z0-9-]*)\.json(?:\.bak\.\d+)?$/.exec(name);
      if (m) ids.add(m[1]!);
    }
    return [...ids].sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function checkChannelId(id: string): string {
  if (!CHANNEL_ID.test(id)) throw new UsageError(`"${id}" is not a channel id (a lowercase slug)`);
  return id;
}

function backupNumber(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--backup: expected a backup number such as 1, not "${value}"`);
  return Number(value);
}
