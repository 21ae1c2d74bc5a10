import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import Redis from 'ioredis';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { CommandPipeline } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import type { EventStore } from '@tracershop/event-store';
import { openReadModelDatabase } from './databases';
import { ExecuteDomainCommandHandler, UnhandledCommandExceptions } from './domain-command';
import { openEventStore } from './event-store.factory';
import { TracershopMetrics } from './metrics';
import { EVENT_STORE, PINO_LOGGER, RECORD_DATABASE, REDIS, TRACERSHOP_CONFIG, WEB_DATABASE } from './tokens';

export interface PlatformOptions {
  service: string;
  config: TracershopConfig;
  logger: Logger;
  /**
   * The read-model pools may send several statements in one round trip: for the process that runs
   * the projections (their batch transactions), not for those that serve requests.
   */
  batchStatements?: boolean;
}

/** Closes what the platform opened, in reverse order of need. */
@Injectable()
class PlatformShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(RECORD_DATABASE) private readonly record: Pool,
    @Inject(WEB_DATABASE) private readonly web: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.store.close(), this.record.end(), this.web.end()]);
    this.redis.disconnect();
  }
}

/** The services every app stands on: configuration, logs, metrics, the event store, databases, Redis, the command bus. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot({ service, config, logger, batchStatements = false }: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: TRACERSHOP_CONFIG, useValue: config },
        { provide: PINO_LOGGER, useValue: logger },
        { provide: TracershopMetrics, useValue: new TracershopMetrics(service) },
        { provide: EVENT_STORE, useFactory: () => openEventStore(config) },
        {
          provide: REDIS,
          useFactory: () => new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableReadyCheck: true }),
        },
        {
          provide: RECORD_DATABASE,
          useFactory: () => openReadModelDatabase(config, 'record', 20, { batchStatements }),
        },
        { provide: WEB_DATABASE, useFactory: () => openReadModelDatabase(config, 'web', 20, { batchStatements }) },
        {
          provide: CommandPipeline,
          useFactory: (store: EventStore, metrics: TracershopMetrics) =>
            new CommandPipeline({ store, observer: metrics, conflictRetries: config.commands.conflictRetries }),
          inject: [EVENT_STORE, TracershopMetrics],
        },
        ExecuteDomainCommandHandler,
        UnhandledCommandExceptions,
        PlatformShutdown,
      ],
      exports: [
        TRACERSHOP_CONFIG,
        PINO_LOGGER,
        TracershopMetrics,
        EVENT_STORE,
        REDIS,
        RECORD_DATABASE,
        WEB_DATABASE,
        CommandPipeline,
        CqrsModule,
      ],
    };
  }
}
