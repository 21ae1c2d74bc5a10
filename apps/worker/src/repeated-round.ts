import type { Logger } from 'pino';
import { abortableSleep } from '@tracershop/projections/engine';

/**
 * A round of work a worker service repeats from start to shutdown, every `intervalMs`, and what its
 * health check reports: a failing round is retried at the next one (a database or the event store
 * may be away for a moment), logged once per distinct error, and timed from its first failure.
 */
export class RepeatedRound {
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private lastError: string | null = null;
  /** When rounds began to fail (null while they succeed). */
  private failingSince: number | null = null;

  constructor(
    private readonly round: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    /** What the log says when a round fails. */
    private readonly failure: string,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async shutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  /** How long rounds have been failing (0 while they succeed), and the last failure's message. */
  get health(): { failingMs: number; lastError: string | null } {
    return {
      failingMs: this.failingSince === null ? 0 : Date.now() - this.failingSince,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        await this.round();
        this.lastError = null;
        this.failingSince = null;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== this.lastError) this.logger.warn({ err: error }, this.failure);
        this.lastError = message;
        this.failingSince ??= Date.now();
      }
      await abortableSleep(this.intervalMs, this.stop.signal);
    }
  }
}
