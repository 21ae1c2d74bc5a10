import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { CAPTURE_OUTCOMES } from '@tracershop/domain/legacy';
import { PINO_LOGGER, readOncePerScrape, TracershopMetrics } from '@tracershop/platform';
import { CapturedChangesReport } from './captured-changes-report';

/**
 * The old system's captured changes as Prometheus gauges, counted when scraped: by outcome, and
 * how many are open (rejected or unsupported, not reconciled), so that operations can alert when
 * the parallel run needs a person.
 */
@Injectable()
export class CapturedChangesMetrics implements OnModuleInit {
  constructor(
    @Inject(CapturedChangesReport) private readonly report: CapturedChangesReport,
    @Inject(TracershopMetrics) private readonly metrics: TracershopMetrics,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const counts = readOncePerScrape(() =>
      this.report.counts().catch((error: unknown) => {
        // A scrape must not fail with the record database: the gauges keep their last values.
        this.logger.warn({ err: error }, 'captured changes not counted for /metrics');
        return null;
      }),
    );
    const registers = [this.metrics.registry];
    new Gauge({
      name: 'tracershop_legacy_changes',
      help: "The old system's captured changes, by what the sync made of them",
      labelNames: ['outcome'] as const,
      registers,
      async collect() {
        const counted = await counts();
        if (counted) for (const outcome of CAPTURE_OUTCOMES) this.set({ outcome }, counted[outcome]);
      },
    });
    new Gauge({
      name: 'tracershop_legacy_changes_open',
      help: "The old system's captured changes rejected or not translated, and not reconciled yet",
      registers,
      async collect() {
        const counted = await counts();
        if (counted) this.set(counted.open);
      },
    });
  }
}
