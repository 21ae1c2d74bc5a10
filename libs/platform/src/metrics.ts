import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { CommandObserver, CommandOutcome } from '@tracershop/command-pipeline';
import { Public } from './access';

/**
 * One read shared by the gauges of a scrape. The registry collects its metrics concurrently, so
 * each gauge's `collect` calls the returned function and the read under way serves them all.
 */
export function readOncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let reading: Promise<T> | null = null;
  return () =>
    (reading ??= read().finally(() => {
      reading = null;
    }));
}

/** The process's Prometheus metrics; one registry per app instance. */
export class TracershopMetrics implements CommandObserver {
  readonly registry = new Registry();

  private readonly commands = new Counter({
    name: 'tracershop_commands_total',
    help: 'Commands handled, by command type and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly commandDuration = new Histogram({
    name: 'tracershop_command_duration_seconds',
    help: 'Time from a command entering the pipeline to its answer',
    labelNames: ['command'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly appendDuration = new Histogram({
    name: 'tracershop_event_store_append_duration_seconds',
    help: 'Time of one append to the event store',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  commandFinished(name: string, outcome: CommandOutcome, durationMs: number): void {
    this.commands.inc({ command: name, outcome });
    this.commandDuration.observe({ command: name }, durationMs / 1000);
  }

  appendFinished(durationMs: number): void {
    this.appendDuration.observe(durationMs / 1000);
  }
}

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(TracershopMetrics) private readonly metrics: TracershopMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
