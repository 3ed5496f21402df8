// The attribution checker: reads each reported reprint page as a person would see it and judges the
// duties of the terms — the source outlet named, the author named (when the item has one), a link to
// the original, and for excerpt grants no more than an excerpt reprinted. Pages are fetched through
// the ingest's HostPolicy (robots.txt, one request at a time per host with a pause, time and size
// limits), then decoded with its charset rules and read (ingest/page/page-text.ts) in an ingest worker,
// never on the serving thread; each check is recorded with its evidence.

import type { Logger } from '../log.js';
import type { Channel } from '../model.js';
import type { PageText } from '../ingest/page/page-text.js';
import { runInWorker } from '../ingest/worker/pool.js';
import type { HostPolicy } from '../ingest/fetch/polite.js';
import { refusePrivateHost } from '../ingest/fetch/private-hosts.js';
import type { AttributionCheck, DutyResult, ReprintReport, ReprintStore } from '../store/reprints.js';
import type { Store } from '../store/store.js';
import { findItem, sameDocument } from './reprints.js';

/** What the page must show, from the report and, when the item is still live, its full text. */
export interface Expectation {
  sourceName: string;
  authors: readonly string[];
  /** Absent when the item has no original URL: the link duty is then met by nothing and not judged. */
  originalLink?: string;
  /** For an excerpt grant: the original's full text (plain) and the public excerpt, to measure the share reprinted. */
  excerpt?: { fullText: string; publicExcerpt: string };
}

/** The least share of the original's sentences an excerpt grant allows, whatever the public excerpt covers. */
export const EXCERPT_MIN_ALLOWED_SHARE = 0.3;
/** Sentences shorter than this (without spaces) are too common to count as reprinted text. */
const MIN_SENTENCE_CHARS = 8;
const SNIPPET = 40;

/** Judges each duty against the page; pure (the time of the check is the caller's). Each text of the
 *  page is prepared for search once (see `searchable`), so the work is linear in the page's size. */
export function judgePage(page: PageText, expect: Expectation): DutyResult[] {
  const body = searchable(page.body);
  const captions = searchable(page.captions);
  const results: DutyResult[] = [nameDuty('source', expect.sourceName, body, captions)];
  if (expect.authors.length === 0) results.push({ duty: 'author', ok: true, evidence: 'the item names no author' });
  else {
    const found = expect.authors.map((a) => [a, find(body, a)] as const);
    const missing = found.filter(([, at]) => at === undefined).map(([a]) => a);
    results.push(
      missing.length === 0
        ? { duty: 'author', ok: true, evidence: found.map(([a, at]) => `«${at ?? a}»`).join(' ') }
        : nameDuty('author', missing.join('、'), body, captions),
    );
  }
  if (expect.originalLink !== undefined) results.push(linkDuty(expect.originalLink, page.links, body));
  if (expect.excerpt !== undefined) results.push(excerptDuty(expect.excerpt, body));
  return results;
}

function nameDuty(duty: 'source' | 'author', name: string, body: Searchable, captions: Searchable): DutyResult {
  const inBody = find(body, name);
  if (inBody !== undefined) return { duty, ok: true, evidence: `«${inBody}»` };
  const inCaption = find(captions, name);
  if (inCaption !== undefined) return { duty, ok: false, evidence: `"${name}" appears only in an image caption: «${inCaption}»` };
  return { duty, ok: false, evidence: `"${name}" not found on the page` };
}

function linkDuty(original: string, links: PageText['links'], body: Searchable): DutyResult {
  const wanted = linkKey(original);
  const hit = links.find((l) => linkKey(l.href) === wanted);
  if (hit !== undefined) return { duty: 'link', ok: true, evidence: `<a href="${hit.href}">${hit.text.slice(0, SNIPPET)}</a>` };
  const mentioned = find(body, original);
  return { duty: 'link', ok: false, evidence: mentioned !== undefined ? `${original} is written on the page but not linked` : `no link to ${original}` };
}

function excerptDuty(excerpt: { fullText: string; publicExcerpt: string }, body: Searchable): DutyResult {
  const sentences = splitSentences(excerpt.fullText);
  if (sentences.length === 0) return { duty: 'excerpt', ok: true, evidence: 'the original has no sentence long enough to measure' };
  const publicText = squeeze(excerpt.publicExcerpt);
  const present = sentences.filter((s) => body.squeezed.includes(s)).length;
  const inPublic = sentences.filter((s) => publicText.includes(s)).length;
  const allowed = Math.max(EXCERPT_MIN_ALLOWED_SHARE, inPublic / sentences.length);
  const share = present / sentences.length;
  const text = `${present} of ${sentences.length} sentences of the original (${Math.round(share * 100)}%) are on the page; only an excerpt may be reprinted: at most ${Math.round(allowed * 100)}%`;
  return { duty: 'excerpt', ok: share <= allowed, evidence: text };
}

/** The original's sentences (split at Chinese and Latin sentence ends), squeezed for comparison. */
function splitSentences(text: string): string[] {
  return [...new Set(text.split(/[。！？!?；;\n]+/).map(squeeze).filter((s) => s.length >= MIN_SENTENCE_CHARS))];
}

/** A text prepared for search: its NFKC form (what evidence quotes), the form searched (case folded
 *  where that keeps the length), and a squeezed copy of it — no whitespace, dashes unified. */
interface Searchable {
  text: string;
  folded: string;
  squeezed: string;
}

const SPACES = /\s+/g;
// Dash-like characters written for one another in names such as 中国冶金报—中国钢铁新闻网.
const DASHES = /[\u2010-\u2015\u2212\u2500\uff0d]/g;

/** Linear in the text's length: native normalization and two global replacements. */
function searchable(raw: string): Searchable {
  const text = raw.normalize('NFKC');
  const lower = text.toLowerCase();
  // Case folding keeps the length of almost every text; where it does not, search the unfolded text.
  const folded = lower.length === text.length ? lower : text;
  return { text, folded, squeezed: folded.replace(SPACES, '').replace(DASHES, '-') };
}

function squeeze(text: string): string {
  return searchable(text).squeezed;
}

/** The text around the first occurrence of `needle` (compared squeezed), or undefined. */
function find(haystack: Searchable, needle: string): string | undefined {
  const n = squeeze(needle);
  if (n === '') return undefined;
  const i = haystack.squeezed.indexOf(n);
  if (i < 0) return undefined;
  // Back to positions in the text: the i-th and (i + n.length − 1)-th characters that are not spaces
  // (dash unification keeps lengths). One pass, only for a hit.
  let from = -1;
  let to = -1;
  const last = i + n.length - 1;
  let seen = -1;
  const { folded } = haystack;
  for (let k = 0; k < folded.length && to < 0; k += 1) {
    if (isSpaceChar(folded.charCodeAt(k))) continue;
    seen += 1;
    if (seen === i) from = k;
    if (seen === last) to = k + 1;
  }
  return haystack.text.slice(Math.max(0, from - SNIPPET), to + SNIPPET).replace(SPACES, ' ').trim();
}

/** What \s matches (ECMAScript WhiteSpace and LineTerminator). */
function isSpaceChar(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Links compared without scheme, fragment, trailing slash or host case. */
function linkKey(url: string): string | undefined {
  const doc = sameDocument(url);
  if (doc === undefined) return undefined;
  const u = new URL(doc);
  return `${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}${u.search}`;
}

export interface CheckerOptions {
  reprints: ReprintStore;
  store: Pick<Store, 'items'>;
  channels: readonly Channel[];
  hosts: HostPolicy;
  log: Logger;
  /** Pause between two requests to one host (ms; default 1000). */
  delayMs?: number;
  /** Time between two checks of a page that was read (default one day). */
  intervalMs?: number;
  /** Time before trying again a page that could not be read (default one hour). */
  retryMs?: number;
  /** How often the checker looks for due reports (default 30 s). */
  pollMs?: number;
  /**
   * Which loopback, private and link-local hosts may be fetched (default none: a partner's report must
   * not make the service request its own network). `true`: every one; a list: those hosts only, each
   * as a URL writes it, `host` (any port) or `host:port` (an intranet partner site). Every hop is held
   * to this — the reported URL, each redirect's target and robots.txt's redirects — before it is requested.
   */
  allowPrivateHosts?: boolean | readonly string[];
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The largest reprint page the checker parses (4 MiB; article pages are typically well under 1 MiB). */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * Runs the checks: `runDue()` checks every report whose next check is due, one at a time; `start()`
 * runs it on a timer (never two runs at once), `kick()` soon after a new report.
 */
export class AttributionChecker {
  readonly #opts: CheckerOptions;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #again = false;

  /** The private hosts the checker may request (see CheckerOptions.allowPrivateHosts); undefined: all. */
  readonly #privateHostsAllowed: readonly string[] | undefined;

  constructor(opts: CheckerOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => new Date());
    const allowed = opts.allowPrivateHosts ?? false;
    this.#privateHostsAllowed = allowed === true ? undefined : allowed === false ? [] : allowed;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.kick(), this.#opts.pollMs ?? 30_000);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress (each fetch is bounded by the fetch timeout). */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Runs the due checks now, or right after the run in progress. */
  kick(): void {
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    void this.runDue().catch((err: unknown) => this.#opts.log.error({ err: (err as Error).message }, 'reprints: check run failed'));
  }

  /** Checks every due report; resolves with how many were checked. */
  runDue(): Promise<number> {
    if (this.#running !== undefined) return this.#running;
    const run = (async () => {
      let n = 0;
      do {
        this.#again = false;
        const due = await this.#opts.reprints.list({ dueBy: this.#now() });
        for (const report of due) {
          await this.check(report);
          n += 1;
        }
      } while (this.#again);
      return n;
    })();
    this.#running = run;
    return run.finally(() => {
      this.#running = undefined;
    });
  }

  /** Fetches the reprint page politely, judges it and records the check. */
  async check(report: ReprintReport): Promise<ReprintReport | undefined> {
    const session = this.#opts.hosts.session();
    let check: AttributionCheck;
    try {
      const allowed = this.#privateHostsAllowed;
      if (allowed !== undefined) await refusePrivateHost(new URL(report.reprintUrl), allowed);
      const result = await session.fetch(report.reprintUrl, {
        feedsDir: '.',
        delayMs: this.#opts.delayMs ?? 1000,
        accept: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5',
        // A public page that redirects into the service's own network is refused at that hop.
        ...(allowed !== undefined && { privateHostsAllowed: allowed }),
      });
      if (result.kind !== 'ok') throw new Error(`${report.reprintUrl} answered 304 to a request without validators`);
      // A page far beyond any article's size is not read; the others are decoded and read in an ingest
      // worker (worker/pool.ts), within its time and memory budget, never on the serving thread.
      if (result.body.length > MAX_PAGE_BYTES) throw new Error(`${report.reprintUrl} is ${result.body.length} bytes; pages over ${MAX_PAGE_BYTES} bytes are not checked`);
      const { page } = await runInWorker({ kind: 'page-text', content: { body: result.body, ...(result.contentType !== undefined && { contentType: result.contentType }) }, url: result.url });
      const duties = judgePage(page, await this.#expectation(report));
      check = { at: this.#now().toISOString(), outcome: 'checked', ok: duties.every((d) => d.ok), duties };
    } catch (err) {
      check = { at: this.#now().toISOString(), outcome: 'unreachable', ok: false, duties: [], error: err instanceof Error ? err.message : String(err) };
    }
    const wait = check.outcome === 'checked' ? (this.#opts.intervalMs ?? DAY_MS) : (this.#opts.retryMs ?? DAY_MS / 24);
    const saved = await this.#opts.reprints.recordCheck(report.id, check, new Date(Date.parse(check.at) + wait));
    this.#opts.log.info({ report: report.id, partner: report.partnerId, url: report.reprintUrl, ok: check.ok, outcome: check.outcome }, 'reprints: checked');
    return saved;
  }

  /** What the page must show; the excerpt measure only where the partner may reprint an excerpt and the item is still live with its full text. */
  async #expectation(report: ReprintReport): Promise<Expectation> {
    const base = { sourceName: report.sourceName, authors: report.authors, ...(report.originalLink !== undefined && { originalLink: report.originalLink }) };
    if (report.allowed !== 'excerpt') return base;
    const item = findItem(report.itemId, this.#opts)?.item;
    if (item?.contentHtml === undefined) return base;
    // Read in a worker too, as the reprinted page is: the serving thread never loads an HTML parser.
    const { page } = await runInWorker({ kind: 'page-text', content: { html: item.contentHtml }, url: item.link ?? 'http://invalid/' });
    return { ...base, excerpt: { fullText: page.body, publicExcerpt: item.summary ?? '' } };
  }
}
