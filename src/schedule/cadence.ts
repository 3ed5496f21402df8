import cron from 'node-cron';

/** The next `count` instants at which a cron schedule fires in the given time zone. */
export function nextRuns(schedule: string, timeZone: string, count: number): Date[] {
  const task = cron.createTask(schedule, () => undefined, { timezone: timeZone });
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}

/** Bounds of the freshness lifetime a feed response advertises (Cache-Control max-age), in seconds. */
export const MIN_MAX_AGE = 60;
export const MAX_MAX_AGE = 3600;

/**
 * How a channel's schedule translates into freshness for readers and caches: a feed cannot change
 * before the next scheduled ingest (short of an operator's manual run), so a response stays fresh
 * until then, within [MIN_MAX_AGE, MAX_MAX_AGE]. `interval` is the shortest gap between upcoming
 * runs, for RSS <ttl> and similar hints.
 */
export class Cadence {
  readonly #runs: Date[];
  readonly intervalSeconds: number;

  constructor(
    readonly schedule: string,
    readonly timeZone: string,
  ) {
    this.#runs = nextRuns(schedule, timeZone, 6);
    const gaps = this.#runs.slice(1).map((run, i) => (run.getTime() - this.#runs[i]!.getTime()) / 1000);
    this.intervalSeconds = Math.max(1, Math.round(Math.min(...gaps, 86_400)));
  }

  #memo = { second: -1, maxAge: 0 };

  /** Seconds a response served at `now` stays fresh (computed once per second: feeds are polled often). */
  maxAge(now: Date): number {
    const second = Math.floor(now.getTime() / 1000);
    if (second !== this.#memo.second) this.#memo = { second, maxAge: this.#compute(now) };
    return this.#memo.maxAge;
  }

  #compute(now: Date): number {
    let next = this.#runs.find((run) => run.getTime() > now.getTime());
    if (!next) {
      this.#runs.splice(0, this.#runs.length, ...nextRuns(this.schedule, this.timeZone, 6));
      next = this.#runs.find((run) => run.getTime() > now.getTime());
    }
    const untilNext = next ? Math.ceil((next.getTime() - now.getTime()) / 1000) : MAX_MAX_AGE;
    return Math.min(MAX_MAX_AGE, Math.max(MIN_MAX_AGE, untilNext));
  }
}
