import assert from 'node:assert/strict';
import { appendFile, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Ledger, type LedgerEntry, type LedgerProblem } from '../../src/partners/ledger.js';
import { writeLedgerReport } from '../../src/cli/ledger-report.js';
import { tempDir } from '../helpers/temp.js';

function entry(time: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return { time, partner: 'hebei-daily', channel: 'enterprise', format: 'rss', grant: 'g-1', items: ['id1', 'id2'], contentLevel: 'full', ...overrides };
}

async function collect(iterable: AsyncIterable<LedgerEntry>): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

async function report(entries: LedgerEntry[], format: 'table' | 'csv' | 'json'): Promise<string> {
  let text = '';
  await writeLedgerReport((async function* () {
    yield* entries;
  })(), format, (chunk) => (text += chunk));
  return text;
}

test('each delivery is one JSON line appended to the file of its month; earlier lines are never rewritten', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const ledger = new Ledger(path.join(dir, 'ledger'));
  await ledger.append(entry('2026-02-28T23:59:59.000Z'));
  const before = await readFile(path.join(dir, 'ledger', '2026-02.ndjson'), 'utf8');
  await ledger.append(entry('2026-02-28T23:59:59.500Z', { partner: 'xinhua', format: 'json' }));
  await ledger.append(entry('2026-03-01T00:00:00.000Z', { contentLevel: 'excerpt', items: [] }));

  assert.deepEqual(await readdir(path.join(dir, 'ledger')), ['2026-02.ndjson', '2026-03.ndjson']);
  const february = await readFile(path.join(dir, 'ledger', '2026-02.ndjson'), 'utf8');
  assert.ok(february.startsWith(before), 'appended, not rewritten');
  assert.deepEqual(february.trimEnd().split('\n').map((l) => JSON.parse(l)), [
    entry('2026-02-28T23:59:59.000Z'),
    entry('2026-02-28T23:59:59.500Z', { partner: 'xinhua', format: 'json' }),
  ]);
  assert.equal((await collect(ledger.entries())).length, 3);
});

test('entries are read back in order, filtered by partner and by --since (whole months before it are skipped)', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const ledger = new Ledger(dir);
  const all = [
    entry('2026-01-10T00:00:00.000Z'),
    entry('2026-02-10T00:00:00.000Z', { partner: 'xinhua' }),
    entry('2026-02-20T00:00:00.000Z'),
    entry('2026-03-05T00:00:00.000Z', { partner: 'xinhua' }),
  ];
  for (const e of all) await ledger.append(e);
  assert.deepEqual(await collect(ledger.entries()), all);
  assert.deepEqual(await collect(ledger.entries({ partner: 'xinhua' })), [all[1], all[3]]);
  assert.deepEqual(await collect(ledger.entries({ since: new Date('2026-02-15T00:00:00Z') })), [all[2], all[3]]);
  assert.deepEqual(await collect(ledger.entries({ partner: 'hebei-daily', since: new Date('2026-02-15T00:00:00Z') })), [all[2]]);
  assert.deepEqual(await collect(new Ledger(path.join(dir, 'missing')).entries()), [], 'no ledger yet: no entries');
});

test('a line that is not an entry is reported with its file and line, and the rest is still read', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const ledger = new Ledger(dir);
  await ledger.append(entry('2026-02-01T00:00:00.000Z'));
  await appendFile(path.join(dir, '2026-02.ndjson'), '{"time":"2026-02-01T00:00:01.000Z","partn\n{"time":"x"}\n');
  await ledger.append(entry('2026-02-02T00:00:00.000Z'));
  const problems: LedgerProblem[] = [];
  const read = await collect(ledger.entries({}, (p) => problems.push(p)));
  assert.equal(read.length, 2);
  assert.deepEqual(problems.map((p) => [path.basename(p.file), p.line, p.reason]), [
    ['2026-02.ndjson', 2, 'not JSON'],
    ['2026-02.ndjson', 3, 'no "partner"'],
  ]);
});

test('reports: CSV (RFC 4180), JSON (an array of the entries) and a table, one row per delivery with its item ids', async () => {
  const entries = [entry('2026-02-01T00:00:00.000Z'), entry('2026-02-02T00:00:00.000Z', { grant: 'g,"2"', items: ['a'] })];
  assert.equal(
    await report(entries, 'csv'),
    'time,partner,channel,format,grant,content,item_count,items\r\n' +
      '2026-02-01T00:00:00.000Z,hebei-daily,enterprise,rss,g-1,full,2,id1 id2\r\n' +
      '2026-02-02T00:00:00.000Z,hebei-daily,enterprise,rss,"g,""2""",full,1,a\r\n',
  );
  assert.deepEqual(JSON.parse(await report(entries, 'json')), entries);
  assert.deepEqual(JSON.parse(await report([], 'json')), []);
  const lines = (await report(entries, 'table')).trimEnd().split('\n');
  assert.match(lines[0]!, /^TIME\s+PARTNER\s+CHANNEL\s+FORMAT\s+GRANT\s+CONTENT\s+ITEM_COUNT\s+ITEMS$/);
  assert.match(lines[1]!, /^2026-02-01T00:00:00\.000Z\s+hebei-daily\s+enterprise\s+rss\s+g-1\s+full\s+2\s+id1 id2$/);
  assert.equal(lines.length, 3);
});
