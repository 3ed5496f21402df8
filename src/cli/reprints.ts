// The `reprint add`, `reprint check` and `reprints` commands. They open the backend the server uses —
// the files under DATA_DIR (reprints.json under its lock, partners.json, the ledger, the channel store)
// or, with DATABASE_URL, the database's tables — so a report added here is checked by a running server
// on its next look (within 30 seconds).

import { type Command, Option } from 'commander';
import { EXIT, UsageError, table } from './support.js';
import type { Config } from '../config/env.js';
import type { Channel, License } from '../model.js';
import type { ReprintReport, ReprintStore } from '../store/reprints.js';
import type { Store } from '../store/store.js';
import type { LedgerBook } from '../partners/backend.js';
import { reprintState } from '../partners/compliance.js';
import type { PartnerRegistry } from '../partners/registry.js';
import { ReprintError, fileReprint } from '../partners/reprints.js';
import type { SharedHosts } from '../ingest/fetch/polite.js';

/** What the commands use beyond their own tables, loaded when one runs (the checker brings cheerio). */
async function loadParts() {
  const [channels, deps, stores, log, backend, checker] = await Promise.all([
    import('../config/channels.js'),
    import('../ingest/deps.js'),
    import('../ingest/backend.js'),
    import('../log.js'),
    import('../partners/backend.js'),
    import('../partners/attribution-check.js'),
  ]);
  return { ...channels, ...deps, ...stores, ...log, ...backend, ...checker };
}

type Format = 'table' | 'csv' | 'json';

export function registerReprintCommands(program: Command, config: () => Promise<Readonly<Config>>): void {
  const reprint = program.command('reprint').description('reprint reports: where partners republished items, and whether the attribution holds');

  reprint
    .command('add')
    .description("record that a partner republished an item (as the partner's POST /partner/reprints does); its page is checked soon after")
    .argument('<partner>', 'partner id or name')
    .argument('<item>', 'the item id, its urn:uuid guid, or its original link')
    .argument('<reprint-url>', 'where the partner republished it')
    .action((partnerRef: string, item: string, reprintUrl: string) =>
      withReprints(config(), async ({ partners, ledger, reprints, store, channels, licenses }) => {
        const partner = partners.find(partnerRef);
        if (partner === undefined) throw new UsageError(`no partner "${partnerRef}"`);
        const report = await fileReprint(
          { partnerId: partner.id, item, reprintUrl, reportedBy: 'operator' },
          { store, channels, licenses, ledger, grantsOf: (p) => partners.grantsOf(p), reprints },
          new Date(),
        );
        process.stdout.write(`${report.id}\n`);
        process.stderr.write(`reprint ${report.id}: partner "${report.partnerId}", item ${report.itemId}, ${standingText(report)}\n`);
      }),
    );

  reprint
    .command('check')
    .description('check now every reprint whose check is due (or all with --all), politely, and print the results')
    .option('--all', 'check every reported reprint, due or not')
    .option('--allow-private-hosts', 'also fetch pages on loopback, private and link-local addresses (an intranet partner site)')
    .action((opts: { all?: boolean; allowPrivateHosts?: boolean }) =>
      withReprints(config(), async ({ reprints, store, channels, cfg, sharedHosts, parts: { createLogger, hostPolicy, AttributionChecker } }) => {
        const log = createLogger(cfg.logLevel === 'info' ? 'warn' : cfg.logLevel);
        // On a database, per-host politeness holds with the running instances too.
        const hosts = hostPolicy(cfg, sharedHosts);
        const checker = new AttributionChecker({ reprints, store, channels, hosts, log, allowPrivateHosts: opts.allowPrivateHosts === true });
        const due = await reprints.list(opts.all === true ? {} : { dueBy: new Date() });
        let failing = 0;
        for (const report of due) {
          const checked = (await checker.check(report)) ?? report;
          if (reprintState(checked) !== 'passing') failing += 1;
          process.stdout.write(`${checked.id} ${checked.reprintUrl}: ${describeState(checked)}\n`);
        }
        if (failing > 0) process.exitCode = EXIT.failed;
      }),
    );

  program
    .command('reprints')
    .description('list reported reprints with the result of their newest attribution check')
    .option('--partner <partner>', 'only this partner (id or name)')
    .option('--item <id>', 'only this item (id)')
    .option('--failing', 'only reprints whose newest check failed a duty, could not read the page, or that lost their attribution')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action((opts: { partner?: string; item?: string; failing?: boolean; format: Format }) =>
      withReprints(config(), async ({ partners, reprints }) => {
        const partnerId = opts.partner === undefined ? undefined : partners.find(opts.partner)?.id;
        if (opts.partner !== undefined && partnerId === undefined) throw new UsageError(`no partner "${opts.partner}"`);
        let reports = await reprints.list({ ...(partnerId !== undefined && { partnerId }), ...(opts.item !== undefined && { itemId: opts.item }) });
        if (opts.failing === true) reports = reports.filter((r) => ['failing', 'unreachable'].includes(reprintState(r)) || r.flagged !== undefined);
        process.stdout.write(formatReprints(reports, opts.format));
      }),
    );
}

const COLUMNS = ['id', 'partner', 'item', 'reprint_url', 'reported', 'standing', 'grant', 'allowed', 'state', 'flagged', 'checked', 'failing_duties'];

/** The reports as a table, RFC 4180 CSV, or a JSON array (whole reports, checks and evidence included). */
export function formatReprints(reports: readonly ReprintReport[], format: Format): string {
  if (format === 'json') return `${JSON.stringify(reports, null, 2)}\n`;
  const rows = reports.map((r) => {
    const last = r.checks[r.checks.length - 1];
    const failing = last?.duties.filter((d) => !d.ok).map((d) => `${d.duty}: ${d.evidence}`) ?? [];
    if (last?.outcome === 'unreachable') failing.push(`page: ${last.error ?? 'unreachable'}`);
    return [r.id, r.partnerId, r.itemId, r.reprintUrl, r.reportedAt, r.standing, r.grantId ?? '', r.allowed, reprintState(r), r.flagged?.at ?? '', last?.at ?? '', failing.join('; ')];
  });
  if (format === 'csv') return [COLUMNS, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
  return table([COLUMNS.map((c) => c.toUpperCase()), ...rows]);
}

function standingText(r: ReprintReport): string {
  if (r.standing === 'never-delivered') return 'NEVER DELIVERED to this partner (recorded as such)';
  if (r.standing === 'grant-ended') return `delivered ${r.deliveredAt ?? ''} under ${r.grantId ?? ''}, which had ENDED (recorded as such)`;
  return `delivered ${r.deliveredAt ?? ''} under ${r.grantId ?? ''} (${r.contentLevel ?? ''})`;
}

function describeState(r: ReprintReport): string {
  const last = r.checks[r.checks.length - 1];
  const state = reprintState(r);
  if (last === undefined) return state;
  if (last.outcome === 'unreachable') return `unreachable: ${last.error ?? ''}`;
  return `${state}${r.flagged ? ' (FLAGGED: lost attribution)' : ''} — ${last.duties.map((d) => `${d.duty} ${d.ok ? 'ok' : 'FAIL'}: ${d.evidence}`).join('; ')}`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

interface Context {
  cfg: Readonly<Config>;
  partners: PartnerRegistry;
  ledger: LedgerBook;
  reprints: ReprintStore;
  store: Store;
  sharedHosts: SharedHosts | undefined;
  channels: Channel[];
  licenses: ReadonlyMap<string, License>;
  parts: Awaited<ReturnType<typeof loadParts>>;
}

async function withReprints(config: Promise<Readonly<Config>>, fn: (ctx: Context) => Promise<void>): Promise<void> {
  const cfg = await config;
  const parts = await loadParts();
  const feeds = await parts.loadFeeds(cfg.feedsDir);
  for (const line of parts.formatProblems(feeds.problems)) process.stderr.write(`${line}\n`);
  // The server's backend: the files under DATA_DIR, or the database of DATABASE_URL.
  const backend = await parts.openBackend(cfg, feeds.channels.map((c) => c.id));
  try {
    const { registry, ledger } = await parts.openPartners(cfg, backend.db);
    const reprints = await parts.openReprints(cfg, backend.db);
    try {
      await fn({ cfg, partners: registry, ledger, reprints, store: backend.store, sharedHosts: backend.sharedHosts, channels: feeds.channels, licenses: feeds.licenses, parts });
    } finally {
      await reprints.close();
    }
  } catch (err) {
    if (err instanceof ReprintError) throw new UsageError(err.message, { cause: err });
    throw err;
  } finally {
    await backend.close();
  }
}
