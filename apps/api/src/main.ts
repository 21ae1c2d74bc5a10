import 'reflect-metadata';
import { createHttpApp, listen, runService } from '@tracershop/platform';
import { ApiModule } from './api.module';
import { SESSION_COOKIE } from './identity/session-cookie';
import { useRealtimeAdapter } from './realtime/realtime-io.adapter';

void runService('api', async (config, logger) => {
  const app = await createHttpApp(ApiModule.register(config, logger), {
    config,
    logger,
    docs: {
      title: 'Tracershop API',
      description:
        'Commands answer with the stream revision and global position; pass the position as minPosition to a query to read your own write. Errors: { error: { code, message, details } }. Idempotency-Key makes a retried command return the first answer.',
      sessionCookie: SESSION_COOKIE,
    },
  });
  // Websockets fan out across api instances through Redis.
  useRealtimeAdapter(app, config, logger);
  const url = await listen(app, config.ports.api);
  logger.info({ url }, 'api ready: /docs, /health, /metrics');
});
