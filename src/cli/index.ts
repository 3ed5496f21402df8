// The `syndicator` command line. Every command loads only the modules it uses, when it runs (dynamic
// import in its action): `--help`, `check`, `status` and `ledger` start without the server stack
// (Express, prom-client) or the page extractors (cheerio); only `serve` loads them.

import { Command, CommanderError, Option } from 'commander';
import { EXIT, UsageError, exitQuietlyOnClosedPipe, flushStdio, table } from './support.js';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/env.js';
import { registerIngestCommands } from './ingest.js';
import type { ChannelReport } from '../ingest/refresh.js';
import type { Channel } from '../model.js';
import { registerPartnerCommands } from './partners.js';
import type { PreviewType } from './preview.js';
import { registerReprintCommands } from './reprints.js';
import { registerCopyCommand, registerStoreCommands } from './store.js';

export { EXIT };

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('syndicator')
    .description('Feed syndication for enterprise news: ingest upstream feeds, serve RSS, Atom and JSON Feed with attribution and reprint terms.')
    .showHelpAfterError()
    .addHelpText('after', '\nEvery command takes --help. Configuration comes from the environment (see the README).\nExit codes: 0 success; 1 the work ran but something failed (a source, a preview); 2 bad usage or configuration.')
    .exitOverride();

  // The environment schema (zod) is loaded by the commands that read the configuration, not for --help.
  const config = async (): Promise<Readonly<Config>> => (await import('../config/env.js')).loadConfig(env);

  program
    .command('serve')
    .description('serve every channel in FEEDS_DIR on HOST:PORT, ingesting at once and then on each channel schedule')
    .action(async () => {
      const cfg = await config();
      const [{ createLogger, flushLogger }, { startService }] = await Promise.all([import('../log.js'), import('../main.js')]);
      const log = createLogger(cfg.logLevel);
      // The handlers are in place before the start completes: the server listens before the ingest side
      // is loaded, and a signal in between still stops it cleanly (once it has started).
      const starting = startService(cfg, log);
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          log.info({ signal }, 'shutting down');
          starting.then((service) => service.stop()).then(
            () => flushLogger(log).then(flushStdio).then(() => process.exit(EXIT.ok)),
            (err: unknown) => {
              log.error({ err: (err as Error).message }, 'shutdown failed');
              void flushLogger(log).then(flushStdio).then(() => process.exit(EXIT.failed));
            },
          );
        });
      }
      await starting;
      await new Promise(() => undefined);
    });

  program
    .command('ingest')
    .description('run the ingest of every channel (or one channel, or one source) once, then exit')
    .option('--channel <id>', 'only this channel')
    .option('--source <id>', 'only this source (with --channel, or in every channel that has it)')
    .option('--force', 'also fetch sources whose next attempt is still ahead (backoff, upstream TTL); disabled ones stay skipped')
    .option('--no-progress', 'no progress lines on stderr (they are written when a run covers more than one channel)')
    .addHelpText('after', '\nPrints one line per source on stdout. Exit 0 when every source succeeded, 1 when any failed, 2 on bad usage or configuration.')
    .action(async (opts: { channel?: string; source?: string; progress: boolean; force?: boolean }) => {
      const cfg = await config();
      const channels = await validChannels(cfg, opts.channel);
      const [{ createLogger }, { ingestOptions }, { openBackend }, { refreshChannel }] = await Promise.all([
        import('../log.js'),
        import('../ingest/deps.js'),
        import('../ingest/backend.js'),
        import('../ingest/refresh.js'),
      ]);
      const log = createLogger(cfg.logLevel === 'info' ? 'warn' : cfg.logLevel);
      const backend = await openBackend(cfg, channels.map((c) => c.id));
      const { store } = backend;
      const ingest = ingestOptions(cfg, log, backend.sharedHosts);
      let failures = 0;
      const selected = channels.filter((c) => !opts.source || c.sources.some((s) => s.id === opts.source));
      const total = selected.reduce((n, c) => n + (opts.source ? 1 : c.sources.length), 0);
      const progress = opts.progress && selected.length > 1 ? ingestProgress(selected.length, total) : undefined;
      for (const channel of selected) {
        const report = await refreshChannel(channel, store, { ...ingest, force: opts.force === true }, { sourceId: opts.source });
        progress?.(report);
        for (const s of report.sources) {
          if (!s.ok) failures += 1;
          process.stdout.write(
            `${channel.id}/${s.sourceId}: ${s.skipped !== undefined ? `skipped: ${s.skipped}` : s.ok ? (s.notModified ? 'not modified' : `${s.fetched} fetched, ${s.added} new, ${s.updated} updated, ${s.unchanged} unchanged`) : `FAILED: ${s.error}`} (${s.durationMs} ms)\n`,
          );
        }
      }
      await backend.close();
      process.exitCode = failures > 0 ? EXIT.failed : EXIT.ok;
    });

  program
    .command('preview')
    .description('fetch one upstream feed, article page or list page and print its normalized items as a JSON array; stores nothing')
    .argument('<url-or-path>', 'an http(s) URL or a local file path')
    .addOption(
      new Option('--type <type>', 'what the document is (default: a feed if its root is rss/feed/rdf, else an article page, else a list page)').choices([
        'feed',
        'page',
        'list',
      ]),
    )
    .option('--channel <id>', "read it as this channel would (timezone, license rules)")
    .option('--base-url <url>', 'for a local file: the http(s) address it was saved from; its relative links resolve against it (without it they stay as written)')
    .option('--explain', 'print, per item and field, the value and the rule that found it (selector, JSON-LD, meta, label, heuristic) instead of JSON')
    .action(async (location: string, opts: { type?: PreviewType; channel?: string; baseUrl?: string; explain?: boolean }) => {
      const cfg = await config();
      const channel = opts.channel ? (await validChannels(cfg, opts.channel))[0]! : undefined;
      const { formatExplanations, previewItems } = await import('./preview.js');
      const { items, failures, explanations, notes } = await previewItems(
        location,
        { ...(channel && { channel }), ...(opts.type && { type: opts.type }), ...(opts.baseUrl !== undefined && { baseUrl: opts.baseUrl }) },
        cfg,
      );
      // An item without a link shows `"link": null`, in its usual place, so a reader of the output
      // sees that the upstream gave none.
      const shown = items.map(({ id, guid, channelIds, sourceId, title, link, ...rest }) => ({ id, guid, channelIds, sourceId, title, link: link ?? null, ...rest }));
      process.stdout.write(opts.explain ? formatExplanations(items, explanations) : `${JSON.stringify(shown, null, 2)}\n`);
      for (const note of notes) process.stderr.write(`syndicator: preview: ${note}\n`);
      if (failures.length > 0) {
        process.stderr.write(`syndicator: preview: ${failures.length} article(s) failed (${failures.join('; ')})\n`);
        process.exitCode = EXIT.failed;
      }
    });

  program
    .command('check')
    .description('validate the channel and license files in FEEDS_DIR; exits 2 naming each bad file and field')
    .action(async () => {
      const cfg = await config();
      const { formatProblems, loadFeeds } = await import('../config/channels.js');
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
    .description('show each source (last run, last success, failures, last error), each feed\'s subscribers, and per partner how its reported reprints keep the terms')
    .action(async () => {
      const cfg = await config();
      const channels = await validChannels(cfg);
      const [{ openBackend }, { openSubscribers }, { collectStatus }, { statusTables }, { openReprints }, { complianceSummary }] = await Promise.all([
        import('../ingest/backend.js'),
        import('../http/pg-subscribers.js'),
        import('../http/status.js'),
        import('./status.js'),
        import('../partners/backend.js'),
        import('../partners/compliance.js'),
      ]);
      const backend = await openBackend(cfg, channels.map((c) => c.id));
      try {
        const { stats } = await openSubscribers(cfg.dataDir, backend.db);
        const reprints = await openReprints(cfg, backend.db);
        const compliance = complianceSummary(await reprints.list().finally(() => reprints.close()));
        const report = { ...collectStatus(channels, backend.store, stats.counts(Date.now())), reprints: compliance };
        process.stdout.write(statusTables(report).map(table).join('\n'));
      } finally {
        await backend.close();
      }
    });

  registerPartnerCommands(program, config);
  registerReprintCommands(program, config);
  registerStoreCommands(program, config);
  registerCopyCommand(program, config);
  registerIngestCommands(program, config);

  return program;
}

/**
 * Runs the CLI; never throws: errors become one line on stderr and an exit code. Resolves only when
 * all output has been written, so the caller may `process.exit` with the code at once.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  exitQuietlyOnClosedPipe();
  const code = await runProgram(argv, env);
  await flushStdio();
  return code;
}

async function runProgram(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
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

/** Progress of an ingest over several channels, on stderr (stdout keeps one result line per source):
 *  `ingest: [2/5 channels, 7/12 sources, 1 failed] enterprise: 4 sources, 3 new, 1 updated (2.1 s)`. */
function ingestProgress(channels: number, sources: number): (report: ChannelReport) => void {
  let doneChannels = 0;
  let doneSources = 0;
  let failed = 0;
  const started = performance.now();
  process.stderr.write(`ingest: ${sources} source(s) in ${channels} channel(s)\n`);
  return (report) => {
    doneChannels += 1;
    doneSources += report.sources.length;
    failed += report.sources.filter((s) => !s.ok).length;
    const sum = (f: (s: ChannelReport['sources'][number]) => number) => report.sources.reduce((n, s) => n + f(s), 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `ingest: [${doneChannels}/${channels} channels, ${doneSources}/${sources} sources, ${failed} failed] ${report.channelId}: ${sum((s) => s.added)} new, ${sum((s) => s.updated)} updated, ${sum((s) => (s.ok ? 0 : 1))} failed (${seconds} s elapsed)\n`,
    );
  };
}

async function validChannels(cfg: Readonly<Config>, only?: string): Promise<Channel[]> {
  const { formatProblems, loadFeeds } = await import('../config/channels.js');
  const feeds = await loadFeeds(cfg.feedsDir);
  for (const line of formatProblems(feeds.problems)) process.stderr.write(`${line}\n`);
  if (only === undefined) return feeds.channels;
  const channel = feeds.channels.find((c) => c.id === only);
  if (!channel) throw new UsageError(`no valid channel "${only}" in ${cfg.feedsDir}`);
  return [channel];
}


