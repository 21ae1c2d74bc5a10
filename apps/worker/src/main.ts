import 'reflect-metadata';
import { createHttpApp, listen, runService } from '@tracershop/platform';
import { WorkerModule } from './worker.module';

void runService('worker', async (config, logger) => {
  const app = await createHttpApp(WorkerModule.register(config, logger), { config, logger });
  const url = await listen(app, config.ports.worker);
  logger.info({ url }, 'worker ready: /health, /metrics');
});
