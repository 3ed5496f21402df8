// The file backend of ReprintStore: one JsonDocument at <DATA_DIR>/reprints.json, written durably
// under its lock file (so the CLI and the server can both add reports) with three backups. lowdb
// rewrites the whole file on each write: each report keeps at most REPRINT_CHECKS_KEPT checks, which
// bounds a report's size; a newsroom's reports (hundreds to a few thousand) stay a small file.

import path from 'node:path';
import { JsonDocument } from './json-document.js';
import { type AttributionCheck, type ReprintFilter, type ReprintReport, type ReprintStore, withCheck } from '../reprints.js';

const REPRINTS_SCHEMA_VERSION = 1;

interface ReprintDocument {
  schemaVersion: number;
  reports: ReprintReport[];
}

export class ReprintFileStore implements ReprintStore {
  private constructor(private readonly doc: JsonDocument<ReprintDocument>) {}

  /** Opens <dataDir>/reprints.json; a missing file is no report yet, a damaged one an error naming it. */
  static async open(dataDir: string): Promise<ReprintFileStore> {
    const file = path.join(dataDir, 'reprints.json');
    const doc = await JsonDocument.open<ReprintDocument>(file, {
      empty: () => ({ schemaVersion: REPRINTS_SCHEMA_VERSION, reports: [] }),
      check: (parsed) => checkDocument(parsed, file),
      describe: (d) => `${d.reports.length} reprint reports`,
    });
    return new ReprintFileStore(doc);
  }

  async add(report: ReprintReport): Promise<ReprintReport> {
    return this.doc.update((data) => {
      if (data.reports.some((r) => r.id === report.id)) throw new Error(`reprints: report id "${report.id}" is taken`);
      data.reports.push(structuredClone(report));
      return structuredClone(report);
    });
  }

  async list(filter: ReprintFilter = {}): Promise<ReprintReport[]> {
    await this.doc.sync();
    const due = filter.dueBy?.getTime();
    return this.doc.data.reports
      .filter(
        (r) =>
          (filter.partnerId === undefined || r.partnerId === filter.partnerId) &&
          (filter.itemId === undefined || r.itemId === filter.itemId) &&
          (due === undefined || Date.parse(r.nextCheckAt) <= due),
      )
      // Oldest report first, as the contract says (stable: reports of one instant stay in the order added).
      .sort((a, b) => Date.parse(a.reportedAt) - Date.parse(b.reportedAt))
      .map((r) => structuredClone(r));
  }

  async recordCheck(id: string, check: AttributionCheck, nextCheckAt: Date): Promise<ReprintReport | undefined> {
    return this.doc.update((data) => {
      const i = data.reports.findIndex((r) => r.id === id);
      const current = data.reports[i];
      if (current === undefined) return undefined;
      const next = withCheck(current, check, nextCheckAt);
      data.reports[i] = next;
      return structuredClone(next);
    });
  }

  async close(): Promise<void> {
    await this.doc.flush();
  }
}

function checkDocument(parsed: unknown, file: string): ReprintDocument {
  const doc = parsed as Partial<ReprintDocument> | null;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.reports)) throw new Error('not a reprint document (expected an object with "reports")');
  if (doc.schemaVersion !== REPRINTS_SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${String(doc.schemaVersion)}; this build reads ${REPRINTS_SCHEMA_VERSION}`);
  }
  for (const r of doc.reports) {
    if (typeof r?.id !== 'string' || typeof r.partnerId !== 'string' || typeof r.reprintUrl !== 'string' || !Array.isArray(r.checks)) {
      throw new Error(`a report lacks an id, a partnerId, a reprintUrl or its checks: ${JSON.stringify(r).slice(0, 200)}`);
    }
  }
  return doc as ReprintDocument;
}
