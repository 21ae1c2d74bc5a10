import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { TracershopConfig } from '@tracershop/config';
import type { EventStore, Position } from '@tracershop/event-store';
import { ProjectionEngine, type Projection } from '@tracershop/projections/engine';
import { CommitSignals } from './commit-signals';
import type { ReadinessCheck } from './health';
import { readOncePerScrape, TracershopMetrics } from './metrics';
import { PROJECTION_POSITIONS, type ProjectionPositions } from './read-your-writes';
import { EVENT_STORE, PINO_LOGGER, RECORD_DATABASE, TRACERSHOP_CONFIG, WEB_DATABASE } from './tokens';

export interface ProjectionsOptions {
  projections: readonly Projection[];
  /** The projector runs them; the api only reads their checkpoints (read-your-writes, health). */
  run: boolean;
}

const PROJECTIONS_OPTIONS = Symbol('PROJECTIONS_OPTIONS');

/**
 * Starts the runners in the projector and stops them cleanly on shutdown. A deployment that bumped
 * a projection's version rebuilds it in the background (the old tables keep serving reads until the
 * swap), so starting the new code is the whole upgrade, as with the migrations.
 */
@Injectable()
class ProjectionRunners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stopping = new AbortController();
  private upgrading: Promise<unknown> | null = null;

  constructor(
    @Inject(ProjectionEngine) private readonly engine: ProjectionEngine,
    @Inject(PROJECTIONS_OPTIONS) private readonly options: ProjectionsOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.run) return;
    this.engine.start();
    // Errors are logged by the engine; a failed rebuild is left for `cli rebuild`.
    this.upgrading = this.engine.rebuildOutdated(this.stopping.signal).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.upgrading;
    await this.engine.stop();
  }
}

/** Ready while no projection has stopped on an event it cannot apply. */
@Injectable()
export class ProjectionsReadiness implements ReadinessCheck {
  readonly name = 'projections';

  constructor(@Inject(ProjectionEngine) private readonly engine: ProjectionEngine) {}

  async check(): Promise<{ healthy: boolean; details: Record<string, unknown> }> {
    const statuses = await this.engine.status();
    const details: Record<string, unknown> = {};
    for (const status of statuses) {
      details[status.name] = {
        state: status.checkpoint?.status ?? 'not started',
        runner: status.runner.state,
        position: status.checkpoint?.position.toString() ?? null,
        lagEvents: status.lag.events,
        lagMs: status.lag.ms,
        ...(status.failure ? { failure: status.failure } : {}),
      };
    }
    return { healthy: statuses.every((status) => status.healthy), details };
  }
}

/** Projection lag, state and throughput as Prometheus gauges, measured when scraped. */
export function registerProjectionMetrics(engine: Pick<ProjectionEngine, 'status'>, metrics: TracershopMetrics): void {
  const statuses = readOncePerScrape(() => engine.status());
  type ProjectionStatus = Awaited<ReturnType<ProjectionEngine['status']>>[number];
  const gauge = (name: string, help: string, valueOf: (status: ProjectionStatus) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [metrics.registry],
      async collect() {
        for (const status of await statuses()) {
          const value = valueOf(status);
          if (value !== null) this.set({ projection: status.name }, value);
        }
      },
    });
  gauge(
    'tracershop_projection_lag_events',
    'Events in $all after the projection checkpoint',
    (status) => status.lag.events,
  );
  gauge('tracershop_projection_lag_seconds', 'How long the oldest unapplied event has waited', (status) =>
    status.lag.ms === null ? null : status.lag.ms / 1000,
  );
  gauge('tracershop_projection_failed', '1 when the projection stopped on an event it cannot apply', (status) =>
    status.healthy ? 0 : 1,
  );
  gauge(
    'tracershop_projection_events_applied',
    'Events applied by the live tables',
    (status) => status.checkpoint?.eventsApplied ?? 0,
  );
  gauge(
    'tracershop_projection_last_batch_events',
    'Events in the last committed batch',
    (status) => status.checkpoint?.lastBatchSize ?? 0,
  );
}

@Module({})
export class ProjectionsModule {
  static register(options: ProjectionsOptions): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      providers: [
        { provide: PROJECTIONS_OPTIONS, useValue: options },
        {
          provide: ProjectionEngine,
          useFactory: (
            eventStore: EventStore,
            record: Pool,
            web: Pool,
            config: TracershopConfig,
            logger: Logger,
            metrics: TracershopMetrics,
          ) => {
            const engine = new ProjectionEngine({
              eventStore,
              databases: {
                record: { pool: record, database: config.databases.record },
                web: { pool: web, database: config.databases.web },
              },
              projections: options.projections,
              lagCounting: config.eventStoreUrl ? 'read-count' : 'position-difference',
              logger: {
                info: (message, fields) => logger.info({ ...fields }, message),
                warn: (message, fields) => logger.warn({ ...fields }, message),
                error: (message, fields) => logger.error({ ...fields }, message),
              },
            });
            registerProjectionMetrics(engine, metrics);
            return engine;
          },
          inject: [EVENT_STORE, RECORD_DATABASE, WEB_DATABASE, TRACERSHOP_CONFIG, PINO_LOGGER, TracershopMetrics],
        },
        {
          provide: PROJECTION_POSITIONS,
          useFactory: (engine: ProjectionEngine): ProjectionPositions => ({
            waitFor: async (names: string[], position: Position, timeoutMs: number) => {
              await Promise.all(names.map((name) => engine.waitForPosition(name, position, timeoutMs)));
            },
          }),
          inject: [ProjectionEngine],
        },
        ProjectionRunners,
        ProjectionsReadiness,
        CommitSignals,
      ],
      exports: [ProjectionEngine, PROJECTION_POSITIONS, ProjectionsReadiness, CommitSignals],
    };
  }
}
