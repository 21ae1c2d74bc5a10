import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection } from 'mysql2/promise';
import { loadConfiguration, type TracershopConfig } from '@tracershop/config';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { createHttpApp, createLogger } from '@tracershop/platform';
import { ApiModule } from '../../apps/api/src/api.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';

export interface BootedApp {
  api: NestFastifyApplication;
  projector: NestFastifyApplication;
  config: TracershopConfig;
  /** Supertest target. */
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  close(): Promise<void>;
}

/**
 * The api and the projector, booted as in production but in this process, on databases of their
 * own (random names, dropped by `close`), so an e2e spec never sees another run's data.
 */
export async function bootApp(env: Record<string, string> = {}): Promise<BootedApp> {
  const suffix = randomBytes(4).toString('hex');
  const config = loadConfiguration({
    ...process.env,
    EVENTS_DATABASE: `e2e_events_${suffix}`,
    RECORD_DATABASE: `e2e_record_${suffix}`,
    WEB_DATABASE: `e2e_web_${suffix}`,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = createLogger(config.logLevel, 'e2e');
  const projector = await createHttpApp(ProjectorModule.register(config, logger), { config, logger });
  await projector.init();
  const api = await createHttpApp(ApiModule.register(config, logger), {
    config,
    logger,
    docs: { title: 'Tracershop API', description: 'e2e' },
  });
  await api.init();
  await api.getHttpAdapter().getInstance().ready();
  return {
    api,
    projector,
    config,
    server: api.getHttpServer(),
    close: async () => {
      await api.close();
      await projector.close();
      const admin = await createConnection({ ...config.mysql });
      try {
        for (const database of Object.values(config.databases)) {
          await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
        }
      } finally {
        await admin.end();
      }
    },
  };
}
