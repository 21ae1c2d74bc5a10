import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { loadConfiguration } from '@tracershop/config';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import type { EventStore } from '@tracershop/event-store';
import { createHttpApp, createLogger, EVENT_STORE } from '@tracershop/platform';
import { MAINTENANCE_QUEUE, queuePrefix } from '../../apps/worker/src/maintenance-queue';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { anchorThroughTheQueue, verifyThroughTheQueue } from './maintenance-job';

describe('the worker', () => {
  const suffix = randomBytes(4).toString('hex');
  const config = loadConfiguration({
    ...process.env,
    EVENTS_DATABASE: `e2e_wevents_${suffix}`,
    RECORD_DATABASE: `e2e_wrecord_${suffix}`,
    WEB_DATABASE: `e2e_wweb_${suffix}`,
    LOG_LEVEL: 'silent',
  });
  let worker: NestFastifyApplication;

  beforeAll(async () => {
    const logger = createLogger(config.logLevel, 'e2e-worker');
    worker = await createHttpApp(WorkerModule.register(config, logger), { config, logger });
    await worker.init();
    await worker.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await worker?.close();
    // Leave nothing of this run in Redis.
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: { url: config.redisUrl }, prefix: queuePrefix(config) });
    await queue.obliterate({ force: true });
    await queue.close();
    const admin = await createConnection({ ...config.mysql });
    for (const database of Object.values(config.databases)) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
    }
    await admin.end();
  });

  it('boots and reports its queue on /health', async () => {
    const health = await request(worker.getHttpServer()).get('/health').expect(200);
    expect(health.body.info.maintenanceQueue).toMatchObject({ status: 'up', running: true, queue: MAINTENANCE_QUEUE });
  });

  it('runs a hash-chain verification from its queue and records the result as a metric', async () => {
    const { jobId, result } = await verifyThroughTheQueue(worker, config);
    expect(result).toMatchObject({ broken: [], signatures: { unverified: [] } });
    const metrics = await request(worker.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/tracershop_hash_chain_broken_streams\{[^}]*\} 0/);
    expect(metrics.text).toMatch(/tracershop_signatures_unverified\{[^}]*\} 0/);
    // And as evidence: an event of the month's integrity checks, by the worker, named after the job
    const month = new Date().toISOString().slice(0, 7);
    const [checked] = await worker.get<EventStore>(EVENT_STORE).readStream(`audit.integrityChecks-${month}`);
    expect(checked).toMatchObject({
      type: 'IntegrityChecked',
      data: { checkId: `job-${jobId}`, streamId: null, broken: [], signatures: { unverified: [] } },
      metadata: { actor: { kind: 'system', id: 'worker' } },
    });
  });

  it('anchors the record from its queue, and the nightly verification checks the record against the anchor', async () => {
    const { jobId, result } = await anchorThroughTheQueue(worker, config);
    // No AUDIT_ANCHOR_KEY here: the anchor is recorded, unsigned, and says so
    expect(result).toMatchObject({
      anchorId: `job-${jobId}`,
      signed: false,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const [anchored] = await worker.get<EventStore>(EVENT_STORE).readStream('audit.anchors-deployment');
    expect(anchored).toMatchObject({
      type: 'AuditAnchorRecorded',
      data: { anchorId: `job-${jobId}`, previous: null },
      metadata: { actor: { kind: 'system', id: 'worker' } },
    });
    const metrics = await request(worker.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/tracershop_audit_anchor_last_timestamp_seconds\{[^}]*\} [1-9]/);

    const { result: verified } = await verifyThroughTheQueue(worker, config);
    expect(verified).toMatchObject({
      anchors: { checked: 1, latest: { anchorId: `job-${jobId}` }, disagreements: [] },
      anchorSigning: { keyConfigured: false, unsigned: 1, failures: [] },
    });
  });
});
