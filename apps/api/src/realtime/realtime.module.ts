import { Module } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { LiveReadModel } from '@tracershop/projections/live';
import { IdentityModule } from '../identity/identity.module';
import { IdentityWatch } from './identity-watch';
import { LiveLogPublisher } from './live-log-publisher';
import { ProjectionStatusFeed } from './projection-status-feed';
import { RealtimeAccess } from './realtime-access';
import { RealtimeGateway } from './realtime.gateway';
import { LIVE_READ_MODEL, RealtimeHub } from './realtime-hub';
import { ORDER_SESSION_LOCATIONS, RealtimeSessions } from './realtime-sessions';
import { noOrderSessions } from './topic-access';

/**
 * Websockets: the gateway, the hub of this instance's sockets, the publisher of the live log
 * (fanned out over the Socket.IO Redis adapter, see `RealtimeIoAdapter`), projection status and
 * the re-authentication of sockets.
 */
@Module({
  imports: [IdentityModule],
  providers: [
    {
      provide: LIVE_READ_MODEL,
      useFactory: (pool: Pool, config: TracershopConfig) => new LiveReadModel(pool, config.databases.record),
      inject: [RECORD_DATABASE, TRACERSHOP_CONFIG],
    },
    { provide: ORDER_SESSION_LOCATIONS, useValue: noOrderSessions },
    RealtimeAccess,
    RealtimeHub,
    LiveLogPublisher,
    ProjectionStatusFeed,
    RealtimeSessions,
    IdentityWatch,
    RealtimeGateway,
  ],
})
export class RealtimeModule {}
