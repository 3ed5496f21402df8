// Errors raised by the ingest stages. Every message starts with the stage that failed
// ("fetcher: …", "parse-feed: …") so a source's lastError and a CLI one-liner say where it broke
// without a stack trace.

export type IngestStage = 'fetcher' | 'parse-feed' | 'robots' | 'crawl-list' | 'extract-page';

export class IngestError extends Error {
  readonly stage: IngestStage;

  constructor(stage: IngestStage, message: string, options?: { cause?: unknown }) {
    super(`${stage}: ${message}`, options);
    this.name = new.target.name;
    this.stage = stage;
  }
}

/** The document could not be fetched. `status` is set when the upstream answered with an HTTP error. */
export class FetchError extends IngestError {
  readonly status: number | undefined;
  /** The Retry-After header of an error answer (429, 503), raw. */
  readonly retryAfter: string | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number; retryAfter?: string }) {
    super('fetcher', message, options);
    this.status = options?.status;
    this.retryAfter = options?.retryAfter;
  }
}

/** The document was fetched but is not a feed rss-parser can read. */
export class ParseError extends IngestError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('parse-feed', message, options);
  }
}

/** robots.txt stops the request: the URL is disallowed for us, or the host's robots.txt could not be read. */
export class RobotsError extends IngestError {
  /** true: robots.txt disallows the URL (a policy, not a failure); false: robots.txt was unreachable. */
  readonly disallowed: boolean;

  constructor(message: string, options: { disallowed: boolean; cause?: unknown }) {
    super('robots', message, options);
    this.disallowed = options.disallowed;
  }
}

/** A list page could not be crawled. */
export class CrawlError extends IngestError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('crawl-list', message, options);
  }
}

/** The document is not an article page we can read. */
export class ExtractError extends IngestError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('extract-page', message, options);
  }
}
