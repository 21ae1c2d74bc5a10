import { Controller, Get, Inject, Module, type DynamicModule, type Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckError,
  HealthCheckService,
  HealthIndicator,
  TerminusModule,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type Redis from 'ioredis';
import type { Pool } from 'mysql2/promise';
import type { EventStore } from '@tracershop/event-store';
import { Public } from './access';
import { EVENT_STORE, RECORD_DATABASE, REDIS } from './tokens';

const DEPENDENCY_TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${DEPENDENCY_TIMEOUT_MS} ms`)),
        DEPENDENCY_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A readiness check an app adds beside the dependency checks (e.g. the projections' state). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ healthy: boolean; details: Record<string, unknown> }>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export class DependencyHealth extends HealthIndicator {
  constructor(
    @Inject(RECORD_DATABASE) private readonly record: Pool,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {
    super();
  }

  async probe(name: string, run: () => Promise<Record<string, unknown>>): Promise<HealthIndicatorResult> {
    try {
      return this.getStatus(name, true, await within(run(), name));
    } catch (error) {
      const result = this.getStatus(name, false, { message: (error as Error).message });
      throw new HealthCheckError(`${name} is not ready`, result);
    }
  }

  mysql = () => this.probe('mysql', async () => (await this.record.query('SELECT 1'), {}));
  redisPing = () => this.probe('redis', async () => ({ reply: await this.redis.ping() }));
  eventStore = () =>
    this.probe('eventStore', async () => ({ head: (await this.store.headPosition())?.toString() ?? null }));

  extra(): Array<() => Promise<HealthIndicatorResult>> {
    return this.checks.map((readiness) => async () => {
      const { healthy, details } = await within(readiness.check(), readiness.name);
      const result = this.getStatus(readiness.name, healthy, details);
      if (!healthy) throw new HealthCheckError(`${readiness.name} is not healthy`, result);
      return result;
    });
  }
}

@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(DependencyHealth) private readonly dependencies: DependencyHealth,
  ) {}

  /** Liveness: the process answers. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: MySQL, Redis, the event store and the app's own checks (projections). */
  @Get()
  @HealthCheck()
  ready() {
    return this.health.check([
      this.dependencies.mysql,
      this.dependencies.redisPing,
      this.dependencies.eventStore,
      ...this.dependencies.extra(),
    ]);
  }
}

@Module({})
export class HealthModule {
  static register(readinessChecks: Type<ReadinessCheck>[] = []): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        ...readinessChecks,
        {
          provide: READINESS_CHECKS,
          useFactory: (...checks: ReadinessCheck[]) => checks,
          inject: readinessChecks,
        },
        DependencyHealth,
      ],
    };
  }
}
