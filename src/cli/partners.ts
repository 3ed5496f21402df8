// The `partner …` and `ledger` commands. They write and read the same data the server uses
// (partners.json under its lock and the ledger directory, or the database's tables), so a change takes
// effect in a running server on its next partner request.

import { type Command, Option } from 'commander';
import { EXIT, UsageError, table } from './support.js';
import type { Config } from '../config/env.js';
import { parseDate } from '../ingest/dates.js';
import type { Grant, GrantContent, Partner } from '../model.js';
import type { LedgerBook } from '../partners/backend.js';
import type { LedgerProblem } from '../partners/ledger.js';
import type { LedgerReportFormat } from './ledger-report.js';
import type { PartnerRegistry } from '../partners/registry.js';

/** Adds `partner add|list|revoke|rotate|grant|ungrant` and `ledger` to the program. */
export function registerPartnerCommands(program: Command, config: () => Promise<Readonly<Config>>): void {
  const partner = program.command('partner').description('partner media: keys and grants for the partner feeds /partner/feeds/:id.{rss,atom,json}');

  partner
    .command('add')
    .description('add a partner and print its new key, once (only its hash is kept)')
    .argument('<name>', 'the medium, e.g. "Hebei Daily" or 河北日报')
    .option('--id <slug>', 'the partner id (default: a slug of the name, or a random one)')
    .action((name: string, opts: { id?: string }) =>
      withPartners(config(), async (store) => {
        const { partner: added, key } = await store.add(name, new Date(), opts.id);
        process.stdout.write(`${key}\n`);
        process.stderr.write(`partner "${added.name}" added as "${added.id}"; its key is shown only this once: store it now\n`);
      }),
    );

  partner
    .command('list')
    .description('show every partner: id, name, created, status and grants')
    .action(() =>
      withPartners(config(), async (store) => {
        const now = new Date();
        const rows = [['ID', 'NAME', 'CREATED', 'STATUS', 'GRANTS']];
        for (const p of store.partners()) rows.push([p.id, p.name, p.createdAt, status(p), grantsSummary(store.grantsOf(p.id), now)]);
        process.stdout.write(table(rows));
      }),
    );

  partner
    .command('revoke')
    .description("revoke a partner: its key is refused from the server's next request on")
    .argument('<partner>', 'partner id or name')
    .action((ref: string) =>
      withPartners(config(), async (store) => {
        const revoked = await store.revoke(ref, new Date());
        process.stdout.write(`revoked partner "${revoked.id}" (${revoked.name}) on ${revoked.revokedAt ?? ''}\n`);
      }),
    );

  partner
    .command('rotate')
    .description('give a partner a new key and print it, once; the old key stops working at once')
    .argument('<partner>', 'partner id or name')
    .action((ref: string) =>
      withPartners(config(), async (store) => {
        const { partner: rotated, key } = await store.rotate(ref, new Date());
        process.stdout.write(`${key}\n`);
        process.stderr.write(`partner "${rotated.id}" has a new key, shown only this once; the old one no longer works\n`);
      }),
    );

  partner
    .command('grant')
    .description("grant a partner a channel's partner feed; replaces the partner's current grant of that channel")
    .argument('<partner>', 'partner id or name')
    .requiredOption('--channel <id>', 'the channel')
    .option('--until <date>', "last day (YYYY-MM-DD, through its end in the channel's time zone) or an ISO 8601 time")
    .addOption(new Option('--content <level>', 'full text, or what the public gets').choices(['full', 'excerpt']).default('full'))
    .action((ref: string, opts: { channel: string; until?: string; content: GrantContent }) =>
      withPartners(config(), async (store, cfg) => {
        const timeZone = await channelTimeZone(cfg, opts.channel);
        const until = opts.until === undefined ? undefined : parseUntil(opts.until, timeZone);
        const now = new Date();
        const { grant, replaced } = await store.grant(ref, { channelId: opts.channel, content: opts.content, ...(until !== undefined && { until }) }, now);
        process.stdout.write(
          `granted ${grant.id}: partner "${grant.partnerId}", channel "${grant.channelId}", ${grant.content === 'full' ? 'full text' : 'excerpts'}, ${grant.until === undefined ? 'no end' : `until ${grant.until}`}${replaced ? `; replaces ${replaced.id}` : ''}\n`,
        );
        if (until !== undefined && until <= now) process.stderr.write(`warning: grant ${grant.id} has already expired (until ${grant.until ?? ''})\n`);
      }),
    );

  partner
    .command('ungrant')
    .description("revoke a partner's grant of a channel, at once")
    .argument('<partner>', 'partner id or name')
    .requiredOption('--channel <id>', 'the channel')
    .action((ref: string, opts: { channel: string }) =>
      withPartners(config(), async (store) => {
        const grant = await store.ungrant(ref, opts.channel, new Date());
        process.stdout.write(`revoked ${grant.id}: partner "${grant.partnerId}", channel "${grant.channelId}", on ${grant.revokedAt ?? ''}\n`);
      }),
    );

  program
    .command('ledger')
    .description('list partner deliveries: which partner received which items, under which grant')
    .option('--partner <partner>', 'only this partner (id or name)')
    .option('--since <date>', 'only deliveries at or after this time (YYYY-MM-DD is midnight UTC, or an ISO 8601 time)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action((opts: { partner?: string; since?: string; format: LedgerReportFormat }) =>
      withPartners(config(), async (store, _cfg, ledger) => {
        const partnerId = opts.partner === undefined ? undefined : store.find(opts.partner)?.id;
        if (opts.partner !== undefined && partnerId === undefined) throw new UsageError(`no partner "${opts.partner}"`);
        const since = opts.since === undefined ? undefined : parseSince(opts.since);
        let problems = 0;
        const entries = ledger.entries(
          { ...(partnerId !== undefined && { partner: partnerId }), ...(since !== undefined && { since }) },
          (p: LedgerProblem) => {
            problems += 1;
            process.stderr.write(`ledger: ${p.file}:${p.line}: ${p.reason}; skipped\n`);
          },
        );
        const { writeLedgerReport } = await import('./ledger-report.js');
        await writeLedgerReport(entries, opts.format, (chunk) => process.stdout.write(chunk));
        if (problems > 0) process.exitCode = EXIT.failed;
      }),
    );
}

/** Runs fn with the partner registry and ledger of the configured backend; a refused change is a usage error. */
async function withPartners(config: Promise<Readonly<Config>>, fn: (store: PartnerRegistry, cfg: Readonly<Config>, ledger: LedgerBook) => Promise<void>): Promise<void> {
  const cfg = await config;
  // The partner stores are loaded when a partner command runs, not for --help or the other commands.
  const [{ openPartners, withDatabase }, { PartnerError }] = await Promise.all([import('../partners/backend.js'), import('../partners/registry.js')]);
  await withDatabase(cfg.databaseUrl, async (db) => {
    const { registry, ledger } = await openPartners(cfg, db);
    try {
      await fn(registry, cfg, ledger);
    } catch (err) {
      if (err instanceof PartnerError) throw new UsageError(err.message, { cause: err });
      throw err;
    }
  });
}

/** The time zone of a valid channel in FEEDS_DIR; a usage error naming the valid channels otherwise. */
async function channelTimeZone(cfg: Readonly<Config>, channelId: string): Promise<string> {
  const { loadFeeds } = await import('../config/channels.js');
  const { channels } = await loadFeeds(cfg.feedsDir);
  const channel = channels.find((c) => c.id === channelId);
  if (channel === undefined) {
    const valid = channels.map((c) => c.id).join(', ');
    throw new UsageError(`no valid channel "${channelId}" in ${cfg.feedsDir}; valid channels: ${valid === '' ? 'none' : valid}`);
  }
  return channel.timezone;
}

/**
 * The instant a grant ends. A date alone (YYYY-MM-DD) is the last day of the grant: it ends at the
 * next midnight in the channel's time zone, as a contract "until 30 June" reads. A time without an
 * offset is also read in that zone.
 */
export function parseUntil(raw: string, timeZone: string): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (day !== null && parseDate(raw, timeZone) !== undefined) {
    const next = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1)).toISOString().slice(0, 10);
    return new Date(parseDate(next, timeZone)!);
  }
  const instant = parseDate(raw, timeZone);
  if (instant === undefined) throw new UsageError(`--until "${raw}" is not a date; use YYYY-MM-DD or an ISO 8601 time`);
  return new Date(instant);
}

/** The instant --since names: a date alone is midnight UTC, the zone the ledger's times are written in. */
export function parseSince(raw: string): Date {
  const instant = parseDate(raw, 'UTC');
  if (instant === undefined) throw new UsageError(`--since "${raw}" is not a date; use YYYY-MM-DD or an ISO 8601 time`);
  return new Date(instant);
}

function status(p: Partner): string {
  return p.revokedAt === undefined ? 'active' : `revoked ${p.revokedAt}`;
}

/** The grants a partner holds now or held until they expired: "enterprise:full until …"; revoked ones are left out. */
function grantsSummary(grants: readonly Grant[], now: Date): string {
  const shown = grants
    .filter((g) => g.revokedAt === undefined)
    .map((g) => {
      if (g.until === undefined) return `${g.channelId}:${g.content} (${g.id})`;
      const ended = Date.parse(g.until) <= now.getTime();
      return `${g.channelId}:${g.content} (${g.id}) ${ended ? 'expired' : 'until'} ${g.until}`;
    });
  return shown.length === 0 ? 'none' : shown.join(', ');
}
