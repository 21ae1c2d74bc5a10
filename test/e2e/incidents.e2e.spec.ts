import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { userStreamName } from '@tracershop/domain/identity';
import { MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { createHttpApp, createLogger } from '@tracershop/platform';
import { MAINTENANCE_QUEUE, queuePrefix } from '../../apps/worker/src/maintenance-queue';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { shapeMismatches, type OpenApiDocument } from './documented-shape';
import { verifyThroughTheQueue } from './maintenance-job';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';
import { ADMIN, as, bootApp, configOnTheSameDatabases, createPerson, logIn, type BootedApp } from './booted-app';

interface Incident {
  incidentId: string;
  kind: string;
  status: string;
  summary: string;
  details: Record<string, unknown>;
}

describe('incidents: the worker raises what went wrong, and a person closes it with the root cause', () => {
  let app: BootedApp;
  let worker: NestFastifyApplication;
  let admin: ReturnType<typeof as>;
  let auditor: ReturnType<typeof as>;
  let production: ReturnType<typeof as>;
  let config: ReturnType<typeof configOnTheSameDatabases>;
  let eve = '';
  /** An auditor's dashboard following the incidents topic. */
  let dashboard: RealtimeTestClient;

  beforeAll(async () => {
    app = await bootApp({}, { listen: true });
    config = configOnTheSameDatabases(app, { INCIDENT_POLL_MS: '50' });
    const logger = createLogger(config.logLevel, 'e2e-worker');
    worker = await createHttpApp(WorkerModule.register(config, logger), { config, logger });
    await worker.init();
    await worker.getHttpAdapter().getInstance().ready();
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const auditorPerson = await createPerson(app.server, admin, 'aud.itor', { role: 'auditor' });
    auditor = auditorPerson.client;
    dashboard = await connectRealtime(app.url as string, { token: auditorPerson.token });
    expect(await dashboard.join('incidents')).toMatchObject({ ok: true });
    expect((await dashboard.next('incidents.snapshot')).payload).toEqual({ incidents: [] });
    production = (await createPerson(app.server, admin, 'paula.production', { role: 'production' })).client;
    eve = (await createPerson(app.server, admin, 'eve.shop', { role: 'auditor' })).id;
  }, 60_000);

  afterAll(async () => {
    dashboard?.close();
    await worker?.close();
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: { url: config.redisUrl }, prefix: queuePrefix(config) });
    await queue.obliterate({ force: true });
    await queue.close();
    await app?.close();
  });

  /** The incident of a kind, once the worker has raised it and the read model shows it. */
  async function incidentOf(kind: string, timeoutMs = 15_000): Promise<Incident> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await auditor.get('/audit/incidents').query({ kind }).expect(200);
      const [found] = answer.body.items as Incident[];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${kind} incident within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('given an account locked out by wrong passwords, then an incident is raised, and closed with its root cause', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      await request(app.server).post('/auth/login').send({ username: 'eve.shop', password: 'not the password' });
    }
    const incident = await incidentOf('account-locked-out');
    expect(incident).toMatchObject({ status: 'open', details: { userId: eve } });
    expect(incident.summary).toMatch(/^Account locked out after repeated wrong passwords, until /);
    // Dashboards following the incidents topic hear of it
    const announced = await dashboard.next(
      'incident.updated',
      (m) => m.payload.incident.incidentId === incident.incidentId,
    );
    expect(announced.payload.incident).toMatchObject({ kind: 'account-locked-out', status: 'open', closedBy: null });
    const open = await production.get('/audit/incidents').query({ status: 'open' }).expect(200);
    expect(open.body.items.map((item: Incident) => item.incidentId)).toContain(incident.incidentId);

    // Closing needs a root cause and an action, from an administrator or a releaser
    const path = `/audit/incidents/${incident.incidentId}/close`;
    const closing = {
      rootCause: 'Eve forgot her new password',
      correctiveAction: 'Password reset after identity check',
    };
    await production.post(path).send(closing).expect(403);
    const unexplained = await admin
      .post(path)
      .send({ ...closing, rootCause: ' ' })
      .expect(422);
    expect(unexplained.body.error.code).toBe('FIELD_REQUIRED');
    await admin.post(path).send({ rootCause: 'x' }).expect(400);
    const closed = await admin.post(path).send(closing).expect(200);
    expect(closed.body.events).toEqual(['IncidentClosed']);
    const after = await auditor
      .get(`/audit/incidents/${incident.incidentId}`)
      .query({ minPosition: closed.body.position })
      .expect(200);
    expect(after.body).toMatchObject({
      status: 'closed',
      raisedBy: 'Tracershop worker',
      closed: { by: { printedName: ADMIN.printedName }, ...closing },
    });
    // An incident and a page of them answer as the OpenAPI document describes them, at every depth
    const openApi = (await auditor.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    expect(shapeMismatches(openApi, 'IncidentViewDto', after.body)).toEqual([]);
    const listed = await auditor.get('/audit/incidents').query({ minPosition: closed.body.position }).expect(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(shapeMismatches(openApi, 'IncidentPageDto', listed.body)).toEqual([]);
    const closedNews = await dashboard.next(
      'incident.updated',
      (m) => m.payload.incident.incidentId === incident.incidentId && m.payload.incident.status === 'closed',
    );
    expect(closedNews.payload.incident.closedBy).toBe(ADMIN.printedName);
    const again = await admin.post(path).send(closing).expect(409);
    expect(again.body.error.code).toBe('INCIDENT_CLOSED');
    await admin.post('/audit/incidents/no-such-incident/close').send(closing).expect(404);
    await auditor.get('/audit/incidents/no-such-incident').expect(404);
  });

  it('given a verification that finds a broken chain, then an integrity incident is raised', async () => {
    // A privileged DBA changed a stored event behind the system's back, past the append-only guard
    const database = await createConnection({ ...config.mysql, database: config.databases.events });
    try {
      await database.query('DROP TRIGGER IF EXISTS events_refuse_update');
      await database.query(
        `UPDATE ${quoteIdentifier('events')} SET data = JSON_SET(data, '$.tampered', true)
          WHERE stream_id = ? ORDER BY revision LIMIT 1`,
        [userStreamName(eve)],
      );
    } finally {
      await database.end();
    }
    // The job's own result names the broken chain too
    const { result } = await verifyThroughTheQueue(worker, config);
    expect(result).toMatchObject({ broken: [{ streamId: userStreamName(eve), brokenAt: '0' }] });
    const incident = await incidentOf('integrity-check-failed');
    expect(incident).toMatchObject({
      status: 'open',
      details: { broken: [expect.objectContaining({ streamId: userStreamName(eve), brokenAt: '0' })] },
    });
  });

  it('given a read model stopped at an event it cannot read, then the incident names the projection and the event', async () => {
    const store = await MysqlEventStore.open({ connection: { ...config.mysql }, database: config.databases.events });
    const eventId = randomUUID();
    try {
      // A booking of a schema version no projection knows yet: record.bookings stops there
      await store.append(
        'bookings.booking-POISON-1',
        [
          {
            type: 'BookingImported',
            data: { accessionNumber: 'POISON-1' },
            metadata: {
              eventId,
              schemaVersion: 99,
              occurredAt: new Date().toISOString(),
              recordedAt: new Date().toISOString(),
              actor: { kind: 'system', id: 'e2e', printedName: 'e2e', role: 'system' },
              correlationId: eventId,
              causationId: eventId,
            },
          },
        ],
        'no_stream',
      );
    } finally {
      await store.close();
    }
    const incident = await incidentOf('projection-stopped');
    expect(incident).toMatchObject({
      incidentId: `projection-record.bookings-${eventId}`,
      status: 'open',
      details: { projection: 'record.bookings', eventId, eventType: 'BookingImported' },
    });
    const metrics = await request(worker.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/tracershop_incidents_raised_total\{[^}]*kind="projection-stopped"[^}]*\} 1/);
    expect(metrics.text).toMatch(/tracershop_incidents_open\{[^}]*\} [1-9]/);
  });
});
