import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '@tracershop/platform';
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

/**
 * A worker service whose work is one repeated round: started at bootstrap, stopped at shutdown, and
 * unhealthy once its rounds have failed for `failingLimitMs`.
 */
export abstract class RepeatedRoundService implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  abstract readonly name: string;
  protected abstract readonly rounds: RepeatedRound;
  protected abstract readonly failingLimitMs: number;

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rounds.shutdown();
  }

  async check(): Promise<{ healthy: boolean; details: Record<string, unknown> }> {
    const { failingMs, lastError } = this.rounds.health;
    return { healthy: failingMs < this.failingLimitMs, details: { ...this.healthDetails(), lastError, failingMs } };
  }

  /** What the health check shows of the service's own work, besides its rounds' failures. */
  protected healthDetails(): Record<string, unknown> {
    return {};
  }
}
