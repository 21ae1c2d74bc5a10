import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import { PINO_LOGGER, RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { LiveLogPruner, type PruneReport } from '@tracershop/projections/live';
import { messageKeyText } from '@tracershop/realtime';

/**
 * Keeps the live message log to `REALTIME_LOG_RETENTION_HOURS`. It runs here because the projector
 * owns the log (the live projection is its only writer); the pruning itself stays out of the
 * projection's batches (see `LiveLogPruner`), and one projector at a time prunes.
 */
@Injectable()
export class LiveLogRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly pruner: LiveLogPruner;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private failures = 0;

  constructor(
    @Inject(RECORD_DATABASE) pool: Pool,
    @Inject(TRACERSHOP_CONFIG) config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.pruner = new LiveLogPruner({
      pool,
      database: config.databases.record,
      retentionHours: config.realtime.logRetentionHours,
      chunkRows: config.realtime.logPrune.chunkRows,
      pauseMs: config.realtime.logPrune.pauseMs,
    });
    this.intervalMs = config.realtime.logPrune.intervalSeconds * 1_000;
  }

  onApplicationBootstrap(): void {
    // Each run removes about an interval's worth of the log's oldest end.
    this.timer = setInterval(() => void this.pruneNow().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  /** Stops between two chunks and waits for the run in flight: the pool closes after this. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
  }

  /** One pruning run, after the one in flight; `now` is when the retention is measured from. */
  pruneNow(now?: Date): Promise<PruneReport> {
    const run = this.running.catch(() => undefined).then(() => this.run(now));
    this.running = run;
    return run;
  }

  private async run(now = new Date()): Promise<PruneReport> {
    try {
      const report = await this.pruner.prune(now, () => this.stopped);
      this.failures = 0;
      if (report.deleted > 0) {
        this.logger.info(
          {
            deleted: report.deleted,
            prunedThrough: report.prunedThrough && messageKeyText(report.prunedThrough),
            cutoff: report.cutoff,
          },
          'live log pruned',
        );
      }
      return report;
    } catch (error) {
      // A deadlock with a rebuild's table swap, a lost connection: the next run tries again.
      this.failures++;
      if (this.failures === 1 || this.failures % 60 === 0) {
        this.logger.warn({ err: error, failures: this.failures }, 'pruning the live log failed; retrying');
      }
      throw error;
    }
  }
}
