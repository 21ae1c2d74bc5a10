import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Position } from '@tracershop/event-store';
import { createHttpApp, createLogger } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { ADMIN, as, bootApp, configOnTheSameDatabases, logIn, type BootedApp } from './booted-app';

describe('projectors that split the projections between them', () => {
  let app: BootedApp;
  let liveProjector: NestFastifyApplication;

  beforeAll(async () => {
    // Given the usual projector without the live projection, and a second one running only it
    app = await bootApp({ PROJECTOR_EXCLUDED_PROJECTIONS: LIVE_DASHBOARDS_PROJECTION_NAME });
    const config = configOnTheSameDatabases(app, { PROJECTOR_PROJECTIONS: LIVE_DASHBOARDS_PROJECTION_NAME });
    const logger = createLogger(config.logLevel, 'e2e');
    liveProjector = await createHttpApp(ProjectorModule.register(config, logger), { config, logger });
    await liveProjector.init();
  });

  afterAll(async () => {
    await liveProjector?.close();
    await app?.close();
  });

  const namesRunBy = async (projector: NestFastifyApplication) =>
    (await projector.get(ProjectionEngine).status()).map((status) => status.name);

  it('each runs its own, and between them every read model follows the commands', async () => {
    expect(await namesRunBy(liveProjector)).toEqual([LIVE_DASHBOARDS_PROJECTION_NAME]);
    expect(await namesRunBy(app.projector)).not.toContain(LIVE_DASHBOARDS_PROJECTION_NAME);

    // When an administrator (a session of web.identity) registers an isotope
    const token = await logIn(app.server, ADMIN.username, ADMIN.password);
    const created = await as(app.server, token)
      .post('/catalog/isotopes')
      .send({ name: 'Ga-68', atomicNumber: 31, atomicMass: 68, halfLifeSeconds: 4062.6, metastable: false })
      .expect(201);
    const { id, position } = created.body as { id: string; position: string };

    // Then the first projector's catalog shows it, and the live projection has passed it in the other process
    const read = await as(app.server, token).get(`/catalog/isotopes/${id}?minPosition=${position}`).expect(200);
    expect(read.body).toMatchObject({ id, name: 'Ga-68' });
    await liveProjector
      .get(ProjectionEngine)
      .waitForPosition(LIVE_DASHBOARDS_PROJECTION_NAME, Position.parse(position), 10_000);
  });
});
