import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { formatProblems, loadFeeds } from './channels.js';
import { ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';
import { decodeDocument } from './ingest/decode.js';
import { fetchDocument } from './ingest/fetcher.js';
import { normalizeFeed } from './ingest/normalize.js';
import { parseFeed } from './ingest/parse-feed.js';
import { refreshChannel } from './ingest/refresh.js';
import { createLogger } from './log.js';
import { startService } from './main.js';
import type { Channel, FeedSource } from './model.js';
import { LowdbStore } from './store/lowdb-store.js';

/** Exit codes: 0 success; 1 the work ran but something failed (a source, a preview); 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

class UsageError extends Error {}

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('syndicator')
    .description('Feed syndication for enterprise news: ingest upstream feeds, serve RSS, Atom and JSON Feed with attribution and reprint terms.')
    .showHelpAfterError()
    .exitOverride();

  const config = () => loadConfig(env);

  program
    .command('serve')
    .description('serve every channel in FEEDS_DIR on HOST:PORT, ingesting at once and then on each channel schedule')
    .action(async () => {
      const cfg = config();
      const log = createLogger(cfg.logLevel);
      const service = await startService(cfg, log);
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          log.info({ signal }, 'shutting down');
          service.stop().then(
            () => process.exit(EXIT.ok),
            (err: unknown) => {
              log.error({ err: (err as Error).message }, 'shutdown failed');
              process.exit(EXIT.failed);
            },
          );
        });
      }
      await new Promise(() => undefined);
    });

  program
    .command('ingest')
    .description('run the ingest of every channel (or one channel, or one source) once, then exit')
    .option('--channel <id>', 'only this channel')
    .option('--source <id>', 'only this source (with --channel, or in every channel that has it)')
    .action(async (opts: { channel?: string; source?: string }) => {
      const cfg = config();
      const channels = await validChannels(cfg, opts.channel);
      const log = createLogger(cfg.logLevel === 'info' ? 'warn' : cfg.logLevel);
      const store = await LowdbStore.open(cfg.dataDir, channels.map((c) => c.id));
      let failures = 0;
      for (const channel of channels) {
        if (opts.source && !channel.sources.some((s) => s.id === opts.source)) continue;
        const report = await refreshChannel(channel, store, { ...ingestOptions(cfg), log }, { sourceId: opts.source });
        for (const s of report.sources) {
          if (!s.ok) failures += 1;
          process.stdout.write(
            `${channel.id}/${s.sourceId}: ${s.ok ? (s.notModified ? 'not modified' : `${s.fetched} fetched, ${s.added} new, ${s.updated} updated, ${s.unchanged} unchanged`) : `FAILED: ${s.error}`} (${s.durationMs} ms)\n`,
          );
        }
      }
      await store.close();
      process.exitCode = failures > 0 ? EXIT.failed : EXIT.ok;
    });

  program
    .command('preview')
    .description('fetch one upstream document and print its normalized items as a JSON array; stores nothing')
    .argument('<url-or-path>', 'an http(s) URL or a local file path')
    .addOption(new Option('--type <type>', 'what the document is').choices(['feed']).default('feed'))
    .option('--channel <id>', "read it as this channel would (timezone, license rules)")
    .action(async (location: string, opts: { type: 'feed'; channel?: string }) => {
      const cfg = config();
      const channel = opts.channel ? (await validChannels(cfg, opts.channel))[0]! : previewChannel();
      const source: FeedSource = { id: 'preview', type: 'feed', url: location };
      const fetched = await fetchForPreview(location, cfg);
      const { text } = decodeDocument(fetched.body, fetched.contentType);
      const parsed = await parseFeed(text);
      const items = normalizeFeed(parsed, { channel, source, documentUrl: fetched.url, now: new Date() });
      process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    });

  program
    .command('check')
    .description('validate the channel and license files in FEEDS_DIR; exits 2 naming each bad file and field')
    .action(async () => {
      const cfg = config();
      const feeds = await loadFeeds(cfg.feedsDir);
      for (const line of formatProblems(feeds.problems)) process.stderr.write(`${line}\n`);
      if (feeds.problems.length > 0) {
        process.stderr.write(`check: ${feeds.problems.length} problem(s) in ${cfg.feedsDir}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      process.stdout.write(`ok: ${feeds.channels.length} channel(s), ${feeds.licenses.size} license(s) in ${cfg.feedsDir}\n`);
    });

  program
    .command('status')
    .description('show each source: last run, last success, last error, counts')
    .action(async () => {
      const cfg = config();
      const channels = await validChannels(cfg);
      const store = await LowdbStore.open(cfg.dataDir, channels.map((c) => c.id));
      const rows = [['CHANNEL', 'SOURCE', 'ITEMS', 'LAST RUN', 'LAST SUCCESS', 'FAILURES', 'LAST ERROR']];
      for (const channel of channels) {
        const states = new Map(store.sourceStates(channel.id).map((s) => [s.sourceId, s]));
        for (const source of channel.sources) {
          const s = states.get(source.id);
          rows.push([
            channel.id,
            source.id,
            String(store.items(channel.id).filter((i) => i.sourceId === source.id).length),
            s?.lastRunAt ?? 'never',
            s?.lastSuccessAt ?? '-',
            String(s?.consecutiveFailures ?? 0),
            s?.lastError ?? '',
          ]);
        }
      }
      process.stdout.write(table(rows));
      await store.close();
    });

  return program;
}

/** Runs the CLI; never throws: errors become one line on stderr and an exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram(env);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const usage = err instanceof UsageError || err instanceof ConfigError;
    process.stderr.write(`syndicator: ${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}

function ingestOptions(cfg: Readonly<Config>) {
  return {
    feedsDir: cfg.feedsDir,
    fetchTimeoutMs: cfg.fetchTimeoutMs,
    maxBodyBytes: cfg.maxBodyBytes,
    userAgent: cfg.userAgent,
  };
}

async function validChannels(cfg: Readonly<Config>, only?: string): Promise<Channel[]> {
  const feeds = await loadFeeds(cfg.feedsDir);
  for (const line of formatProblems(feeds.problems)) process.stderr.write(`${line}\n`);
  if (only === undefined) return feeds.channels;
  const channel = feeds.channels.find((c) => c.id === only);
  if (!channel) throw new UsageError(`no valid channel "${only}" in ${cfg.feedsDir}`);
  return [channel];
}

/** A local path is read relative to the current directory; a URL is fetched with the usual limits. */
async function fetchForPreview(location: string, cfg: Readonly<Config>): Promise<{ body: Buffer; contentType?: string; url: string }> {
  if (/^https?:\/\//i.test(location)) {
    const result = await fetchDocument(location, { ...ingestOptions(cfg), timeoutMs: cfg.fetchTimeoutMs, maxBytes: cfg.maxBodyBytes });
    if (result.kind !== 'ok') throw new Error(`preview: ${location} answered 304 Not Modified`);
    return result;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) throw new UsageError(`preview: unsupported location "${location}" (use http, https or a file path)`);
  const file = path.resolve(location);
  try {
    return { body: await readFile(file), url: new URL(`file://${file}`).href };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`preview: cannot read ${location} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message})`);
  }
}

function previewChannel(): Channel {
  return {
    id: 'preview',
    title: 'preview',
    description: 'preview',
    language: 'zh-CN',
    link: 'http://localhost/',
    timezone: 'Asia/Shanghai',
    schedule: '0 * * * *',
    license: 'unspecified',
    licenseRules: [],
    maxItems: 100_000,
    sources: [],
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

