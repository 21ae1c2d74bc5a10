import 'reflect-metadata';
import { createHttpApp, listen, runService } from '@tracershop/platform';
import { ProjectorModule } from './projector.module';

void runService('projector', async (config, logger) => {
  const app = await createHttpApp(ProjectorModule.register(config, logger), { config, logger });
  const url = await listen(app, config.ports.projector);
  logger.info({ url }, 'projector ready: /health, /metrics');
});
