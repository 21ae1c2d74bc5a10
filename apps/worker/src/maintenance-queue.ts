import { CommandPipeline } from '@tracershop/command-pipeline';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { TracershopConfig } from '@tracershop/config';
import type { EventStore } from '@tracershop/event-store';
import type { ReadinessCheck } from '@tracershop/platform';
import {
  AnchorChainNotTrustedError,
  describeAnchors,
  integrityFindings,
  recordAuditAnchor,
  verifyRecord,
  type RecordVerification,
} from './audit-anchor';
import { recordIntegrityCheck } from './audit-evidence';
import { EVENT_STORE, PINO_LOGGER, TracershopMetrics, TRACERSHOP_CONFIG } from '@tracershop/platform';

export const MAINTENANCE_QUEUE = 'tracershop-maintenance';
export const VERIFY_HASH_CHAINS = 'verify-hash-chains';
export const RECORD_AUDIT_ANCHOR = 'record-audit-anchor';

/** A verification job's result: the report, with each broken chain's revision as a decimal string. */
export type VerificationResult = Omit<RecordVerification, 'broken'> & {
  broken: Array<Omit<RecordVerification['broken'][number], 'brokenAt'> & { brokenAt: string }>;
};

/** An anchor job's result: the anchor recorded (or found recorded by an earlier attempt). */
export interface AnchorResult {
  anchorId: string;
  position: string;
  eventCount: number;
  digest: string;
  signed: boolean;
  recordedAt: string | null;
}

export const queuePrefix = (config: TracershopConfig) => `tracershop:${config.databases.events}`;

const WORKER_ACTOR = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' } as const;

/**
 * The worker's queue on Redis (BullMQ). It anchors the record daily (01:30) and then verifies every
 * stream's hash chain and the record against the anchors nightly (02:00); the later contexts
 * (simulations, exports, rebuilds, legacy sync) add their jobs here.
 */
@Injectable()
export class MaintenanceQueue implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'maintenanceQueue';
  private queue?: Queue;
  private worker?: Worker;
  private readonly brokenChains: Gauge;
  private readonly unverifiedSignatures: Gauge;
  private readonly lastVerification: Gauge;
  private readonly lastAnchor: Gauge;

  constructor(
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Inject(TracershopMetrics) metrics: TracershopMetrics,
  ) {
    this.brokenChains = new Gauge({
      name: 'tracershop_hash_chain_broken_streams',
      help:
        'Findings of the last verification: streams whose hash chain failed, a gap in $all, anchors the record ' +
        'disagrees with or whose MAC fails, GMP streams set to forget',
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
    this.lastAnchor = new Gauge({
      name: 'tracershop_audit_anchor_last_timestamp_seconds',
      help: 'When the worker last anchored the record',
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const connection = { url: this.config.redisUrl, maxRetriesPerRequest: null };
    // One Redis may serve several deployments (or test runs): queues are kept apart by event store.
    const prefix = queuePrefix(this.config);
    this.queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
    // Idempotent: the scheduler id makes every worker instance register the same nightly job once.
    await this.queue.upsertJobScheduler(RECORD_AUDIT_ANCHOR, { pattern: '30 1 * * *' }, { name: RECORD_AUDIT_ANCHOR });
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

  /** Queues an anchor of the record now. */
  async enqueueAnchor(): Promise<string | undefined> {
    return (await this.queue?.add(RECORD_AUDIT_ANCHOR, {}))?.id;
  }

  async check(): Promise<{ healthy: boolean; details: Record<string, unknown> }> {
    const running = this.worker?.isRunning() ?? false;
    const counts = this.queue ? await this.queue.getJobCounts('waiting', 'active', 'failed', 'delayed') : {};
    return { healthy: running, details: { running, queue: MAINTENANCE_QUEUE, ...counts } };
  }

  private async process(job: Job): Promise<VerificationResult | AnchorResult> {
    if (job.name === RECORD_AUDIT_ANCHOR) return this.anchor(job);
    if (job.name !== VERIFY_HASH_CHAINS) throw new Error(`Unknown maintenance job ${job.name}`);
    const report = await verifyRecord(
      this.store,
      this.config.audit.anchorKey,
      (streams) => void job.updateProgress(streams),
    );
    // A gap in $all, an anchor the record disagrees with, a failing MAC and a GMP stream set to forget
    // count as broken chains: the record is not what it was.
    const findings = integrityFindings(report);
    this.brokenChains.set(findings);
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
      anchors: describeAnchors(report),
    };
    if (findings > 0 || unverified.length > 0)
      this.logger.error(
        {
          ...summary,
          broken: report.broken,
          unverified,
          anchorDisagreements: report.anchors?.disagreements ?? [],
          anchorSignatureFailures: report.anchorSigning.failures,
          retention: report.retention ?? [],
        },
        'hash chain verification FAILED',
      );
    else this.logger.info(summary, 'hash chain verification passed');
    // The job's result is stored as JSON in Redis: revisions go as decimal strings, as in the event.
    return { ...report, broken: report.broken.map((chain) => ({ ...chain, brokenAt: chain.brokenAt.toString() })) };
  }

  /**
   * Anchors the record, attributed to the worker. The log line is the anchor's copy outside the
   * database: with it, even anchors deleted together with the history they cover are found out.
   */
  private async anchor(job: Job): Promise<AnchorResult> {
    let recorded;
    try {
      recorded = await recordAuditAnchor(
        this.store,
        new CommandPipeline({ store: this.store }),
        WORKER_ACTOR,
        this.config.audit.anchorKey,
        `job-${job.id}`,
      );
    } catch (error) {
      // The job fails; the refusal's verification is already on record and raises the incident.
      if (error instanceof AnchorChainNotTrustedError) {
        this.logger.error({ reasons: error.reasons, checkId: error.checkId }, 'audit anchor REFUSED');
      }
      throw error;
    }
    const { result, anchor } = recorded;
    this.lastAnchor.set(Date.now() / 1000);
    const summary: AnchorResult = {
      anchorId: anchor.anchorId,
      position: anchor.position,
      eventCount: anchor.eventCount,
      digest: anchor.digest,
      signed: anchor.mac !== null,
      recordedAt: result.position ?? null,
    };
    this.logger.info(
      { anchor: { ...summary, keyId: anchor.mac?.keyId ?? null, mac: anchor.mac?.value ?? null } },
      anchor.mac ? 'audit anchor recorded' : 'audit anchor recorded UNSIGNED: AUDIT_ANCHOR_KEY is not set',
    );
    return summary;
  }
}
