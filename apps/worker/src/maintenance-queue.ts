import { CommandPipeline } from '@tracershop/command-pipeline';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { TracershopConfig } from '@tracershop/config';
import type { EventStore } from '@tracershop/event-store';
import type { ReadinessCheck } from '@tracershop/platform';
import { signatureHolds } from '../../api/src/ordering/signed-content';
import { recordIntegrityCheck } from './audit-evidence';
import { EVENT_STORE, PINO_LOGGER, TracershopMetrics, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { verifyAllStreams, type VerificationReport } from '@tracershop/event-store';

export const MAINTENANCE_QUEUE = 'tracershop-maintenance';
export const VERIFY_HASH_CHAINS = 'verify-hash-chains';

/** A verification job's result: the report, with each broken chain's revision as a decimal string. */
export type VerificationResult = Omit<VerificationReport, 'broken'> & {
  broken: Array<Omit<VerificationReport['broken'][number], 'brokenAt'> & { brokenAt: string }>;
};

export const queuePrefix = (config: TracershopConfig) => `tracershop:${config.databases.events}`;

const WORKER_ACTOR = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' } as const;

/**
 * The worker's queue on Redis (BullMQ). Today it verifies every stream's hash chain nightly; the
 * later contexts (simulations, exports, rebuilds, legacy sync) add their jobs here.
 */
@Injectable()
export class MaintenanceQueue implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'maintenanceQueue';
  private queue?: Queue;
  private worker?: Worker;
  private readonly brokenChains: Gauge;
  private readonly unverifiedSignatures: Gauge;
  private readonly lastVerification: Gauge;

  constructor(
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Inject(TracershopMetrics) metrics: TracershopMetrics,
  ) {
    this.brokenChains = new Gauge({
      name: 'tracershop_hash_chain_broken_streams',
      help: 'Streams whose hash chain failed the last verification',
      registers: [metrics.registry],
    });
    this.unverifiedSignatures = new Gauge({
      name: 'tracershop_signatures_unverified',
      help: 'Signed events whose signature did not verify against the event in the last verification',
      registers: [metrics.registry],
    });
    this.lastVerification = new Gauge({
      name: 'tracershop_hash_chain_last_verification_timestamp_seconds',
      help: 'When the last full hash-chain verification finished',
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const connection = { url: this.config.redisUrl, maxRetriesPerRequest: null };
    // One Redis may serve several deployments (or test runs): queues are kept apart by event store.
    const prefix = queuePrefix(this.config);
    this.queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
    // Idempotent: the scheduler id makes every worker instance register the same nightly job once.
    await this.queue.upsertJobScheduler(VERIFY_HASH_CHAINS, { pattern: '0 2 * * *' }, { name: VERIFY_HASH_CHAINS });
    this.worker = new Worker(MAINTENANCE_QUEUE, (job) => this.process(job), { connection, prefix, concurrency: 1 });
    this.worker.on('failed', (job, error) =>
      this.logger.error({ err: error, job: job?.name }, 'maintenance job failed'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }

  /** Queues a verification now (the CLI and operators use it). */
  async enqueueVerification(): Promise<string | undefined> {
    return (await this.queue?.add(VERIFY_HASH_CHAINS, {}))?.id;
  }

  async check(): Promise<{ healthy: boolean; details: Record<string, unknown> }> {
    const running = this.worker?.isRunning() ?? false;
    const counts = this.queue ? await this.queue.getJobCounts('waiting', 'active', 'failed', 'delayed') : {};
    return { healthy: running, details: { running, queue: MAINTENANCE_QUEUE, ...counts } };
  }

  private async process(job: Job): Promise<VerificationResult> {
    if (job.name !== VERIFY_HASH_CHAINS) throw new Error(`Unknown maintenance job ${job.name}`);
    const report = await verifyAllStreams(this.store, (streams) => void job.updateProgress(streams), signatureHolds);
    // A gap in $all counts as a broken chain: events are missing.
    this.brokenChains.set(report.broken.length + (report.gap ? 1 : 0));
    this.unverifiedSignatures.set(report.signatures?.unverified.length ?? 0);
    this.lastVerification.set(Date.now() / 1000);
    // The result is evidence: kept as an event, attributed to the worker (GMP: integrity verification).
    await recordIntegrityCheck(
      new CommandPipeline({ store: this.store }),
      WORKER_ACTOR,
      { all: report },
      `job-${job.id}`,
    );
    const unverified = report.signatures?.unverified ?? [];
    const summary = {
      streams: report.streams,
      events: report.events,
      broken: report.broken.length,
      signatures: report.signatures?.checked ?? 0,
      unverifiedSignatures: unverified.length,
      gap: report.gap,
    };
    if (report.broken.length > 0 || unverified.length > 0 || report.gap)
      this.logger.error({ ...summary, broken: report.broken, unverified }, 'hash chain verification FAILED');
    else this.logger.info(summary, 'hash chain verification passed');
    // The job's result is stored as JSON in Redis: revisions go as decimal strings, as in the event.
    return { ...report, broken: report.broken.map((chain) => ({ ...chain, brokenAt: chain.brokenAt.toString() })) };
  }
}
