import cron from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { Logger } from '../log.js';
import type { Channel } from '../model.js';

/** Runs one channel; `tick` is the instant its schedule fired (absent for the run at start). */
export type RunChannel = (channel: Channel, tick?: Date) => Promise<unknown>;

/**
 * One node-cron task per channel, in the channel's timezone. A channel never runs twice at once: a
 * tick that finds the previous run still going is skipped (node-cron's own noOverlap is set too,
 * but it does not cover runs started outside cron, such as the one at startup). A failing run is
 * logged and never stops the other channels or the next tick.
 */
export class Scheduler {
  readonly #tasks: ScheduledTask[] = [];
  readonly #running = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(
    private readonly channels: readonly Channel[],
    private readonly run: RunChannel,
    private readonly log: Logger,
  ) {}

  /** Schedules every channel and starts a first run of each at once (not awaited). */
  start(): void {
    for (const channel of this.channels) {
      const task = cron.schedule(channel.schedule, (context) => this.runNow(channel, context.date), {
        name: `channel:${channel.id}`,
        timezone: channel.timezone,
        noOverlap: true,
      });
      this.#tasks.push(task);
    }
    for (const channel of this.channels) void this.runNow(channel);
  }

  /** Runs the channel unless it is already running (then resolves with the running one). */
  runNow(channel: Channel, tick?: Date): Promise<void> {
    const current = this.#running.get(channel.id);
    if (current) {
      this.log.info({ channel: channel.id }, 'scheduler: previous run still going; tick skipped');
      return current;
    }
    if (this.#stopped) return Promise.resolve();
    const started = this.run(channel, tick)
      .then(() => undefined)
      .catch((err: unknown) => {
        this.log.error({ channel: channel.id, err: err instanceof Error ? err.message : String(err) }, 'scheduler: run failed');
      })
      .finally(() => this.#running.delete(channel.id));
    this.#running.set(channel.id, started);
    return started;
  }

  /** Whether any channel is ingesting right now. */
  get busy(): boolean {
    return this.#running.size > 0;
  }

  /**
   * Stops every task, then waits up to timeoutMs for runs in progress. Resolves true when they all
   * finished, false when the wait timed out.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.#stopped = true;
    for (const task of this.#tasks) await task.destroy();
    this.#tasks.length = 0;
    const pending = Promise.all(this.#running.values()).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
