import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { CommandPipeline, derivedEventId, type CommandContext, type CommandResult } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import {
  customerDecider,
  customerStreamName,
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  isoWeekdayOf,
  repeatMatches,
  tracerPermissionDecider,
  tracerPermissionStreamName,
} from '@tracershop/domain/catalog';
import { DomainError } from '@tracershop/domain/kernel';
import { OLD_SYSTEM_SOURCE, type CaptureOutcome } from '@tracershop/domain/legacy';
import { deliveryDayDecider, deliveryDayStreamName, parseOrderingDeadline } from '@tracershop/domain/ordering';
import { Position, StreamNotFoundError, type Actor, type EventStore } from '@tracershop/event-store';
import {
  EVENT_STORE,
  PINO_LOGGER,
  RECORD_DATABASE,
  TracershopMetrics,
  TRACERSHOP_CONFIG,
  type ReadinessCheck,
} from '@tracershop/platform';
import { abortableSleep, CheckpointStore, fitLockName, ProjectionLock } from '@tracershop/projections/engine';
import { CATALOG_PROJECTION_NAME, CatalogReadModel } from '@tracershop/projections/record';
import { catalogCommands } from '../../../api/src/catalog/catalog-commands';
import { LegacyIdAllocator } from '../../../api/src/legacy-ids/legacy-id-allocator';
import { localMomentOf } from '../../../api/src/ordering/business-clock';
import { deliveryDayCommand, vialCommand } from '../../../api/src/ordering/ordering-commands';
import { capturedChangeOf, type CapturedChange, type CaptureRecord } from './captured-change';
import { planCapturedChange } from './captured-change-commands';
import type { CapturePlanning, PlannedCommand } from './captured-change-plan';
import { failedSync } from './failed-sync';
import { OldSystemUsers } from './old-system-users';

const STANDBY_POLL_MS = 2_000;

/** How long a change waits for the catalogue read model to show what the sync's last change registered. */
const CATALOG_WAIT_MS = 10_000;
const CATALOG_POLL_MS = 20;

/** The catalogue's streams (`<context>.<aggregate>-<id>`, DESIGN.md): what the catalogue read model shows. */
const isCatalogStream = (streamId: string) => streamId.startsWith('catalog.');

interface Outcome {
  outcome: Exclude<CaptureOutcome, 'pending'>;
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
  results?: CommandResult[];
}

const lastPosition = (results: CommandResult[] = []): string | null =>
  results.reduce<string | null>((last, result) => result.position ?? last, null);

/**
 * Turns the old system's captured writes into commands (DESIGN.md, "Legacy parallel run"): reads
 * `legacy_capture` in id order, sends each change's commands through the pipeline and records the
 * outcome on its row. One worker at a time does it (a MySQL named lock); others stand by.
 *
 * - Exactly once: a change's commands carry a causation id made from the change, so their event
 *   ids are too; a change sent again after a crash appends nothing a second time.
 * - Never dropped: a change the domain refuses is `rejected` with the rule's code, one the sync
 *   does not translate is `unsupported`; both stay listed for reconciliation (GET /legacy/captured-changes).
 * - A passing fault (database, event store, a concurrent write) leaves the change pending and the
 *   sync tries again; the changes after it wait, so one row's changes keep their order.
 * - A change after one that wrote to the catalogue is planned once the catalogue read model shows
 *   that write (for a while at most): a customer the old system just made is known to its orders.
 */
@Injectable()
export class LegacyInboundSync implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'legacyInboundSync';
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private lock: ProjectionLock | null = null;
  /** Failures of the change at the head of the queue (a passing fault, or not yet known). */
  private readonly failures = new Map<number, { attempts: number; first: number }>();
  /** Ghost OIDs allocated for the change being synced, by change id: its retries reuse them. */
  private readonly ghostOids = new Map<number, Promise<number>>();
  /** Position of the sync's last catalogue write the catalogue read model may not show yet. */
  private catalogWrite: Position | null = null;
  private readonly catalogCheckpoints: CheckpointStore;
  private lastError: string | null = null;
  private readonly processed: Counter<'table' | 'outcome'>;
  private readonly pending: Gauge;
  private readonly planning: CapturePlanning;

  constructor(
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(RECORD_DATABASE) private readonly record: Pool,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Inject(TracershopMetrics) metrics: TracershopMetrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    this.catalogCheckpoints = new CheckpointStore(record, config.databases.record);
    // The api's definitions: a captured change is decided by the same rules as a request.
    const catalog = new CatalogReadModel(record, config.databases.record);
    const legacyIds = new LegacyIdAllocator(pipeline, record, config);
    const timeZone = config.ordering.timeZone;
    const catalogDefinitions = catalogCommands(pipeline, catalog, legacyIds);
    const oldSystemUsers = new OldSystemUsers(record);
    this.planning = {
      definitions: {
        closedDate: catalogDefinitions.closedDate,
        customer: catalogDefinitions.customer,
        deliveryEndpoint: catalogDefinitions.deliveryEndpoint,
        deliveryTimeSlot: catalogDefinitions.deliveryTimeSlot,
        productionRun: catalogDefinitions.productionRun,
        tracer: catalogDefinitions.tracer,
        tracerPermission: catalogDefinitions.tracerPermission,
        vial: vialCommand,
        deliveryDay: deliveryDayCommand(pipeline),
      },
      lookups: {
        customerIdOfLegacyUser: (legacyId) => catalog.customerIdOfLegacyUser(legacyId),
        legacyUserRow: (legacyId) => oldSystemUsers.row(legacyId),
        tracerIdOfLegacyTracer: (legacyId) => catalog.tracerIdOfLegacyTracer(legacyId),
        activeEndpointIds: (customerId) => catalog.activeEndpointIds(customerId),
        productionRunIdsOf: (tracerId, weekday, runNumber) => catalog.productionRunIdsOf(tracerId, weekday, runNumber),
        productionRunOfLegacyId: (legacyId) => catalog.productionRunOfLegacyId(legacyId),
        deliveryTimeSlotOfLegacyId: (legacyId) => catalog.deliveryTimeSlotOfLegacyId(legacyId),
        tracerPermissionOfLegacyId: (legacyId) => catalog.tracerPermissionOfLegacyId(legacyId),
        slotsAt: async (endpointId, date, time) => {
          const slots = await catalog.listDeliveryTimeSlots({ endpointId, weekday: isoWeekdayOf(date), limit: 500 });
          const found = slots.items
            .filter((slot) => slot.deliveryTime === time && repeatMatches(slot.repeat, date))
            .filter((slot) => slot.expiryDate === null || date < slot.expiryDate);
          const withRuns = await Promise.all(
            found.map(async (slot) => ({ slot, run: await catalog.getProductionRun(slot.productionRunId) })),
          );
          return withRuns.flatMap(({ slot, run }) =>
            run ? [{ slotId: slot.id, tracerId: run.tracerId, runNumber: run.runNumber }] : [],
          );
        },
        deliveryDay: (endpointId, date) =>
          pipeline.loadState(deliveryDayStreamName(endpointId, date), deliveryDayDecider),
        newOrdersLegacyId: (changeId) => {
          let oid = this.ghostOids.get(changeId);
          if (!oid) {
            oid = legacyIds.allocate('orders');
            this.ghostOids.set(changeId, oid);
            oid.catch(() => this.ghostOids.delete(changeId));
          }
          return oid;
        },
        customerRegistered: async (customerId) =>
          (await pipeline.loadState(customerStreamName(customerId), customerDecider)).status !== 'absent',
        deliveryEndpointRegistered: async (endpointId) =>
          (await pipeline.loadState(deliveryEndpointStreamName(endpointId), deliveryEndpointDecider)).status !==
          'absent',
        tracerPermissionStatus: async (endpointId, tracerId) =>
          (await pipeline.loadState(tracerPermissionStreamName(endpointId, tracerId), tracerPermissionDecider)).status,
        localMomentOf: (instant) => localMomentOf(new Date(instant), timeZone),
        activityDeadline: parseOrderingDeadline(config.ordering.activityDeadline),
        injectionDeadline: parseOrderingDeadline(config.ordering.injectionDeadline),
      },
    };
    this.processed = new Counter({
      name: 'tracershop_legacy_changes_synced_total',
      help: "The old system's captured changes the sync finished, by table and outcome",
      labelNames: ['table', 'outcome'],
      registers: [metrics.registry],
    });
    this.pending = new Gauge({
      name: 'tracershop_legacy_changes_pending',
      help: "The old system's captured changes not yet synced (as of the active sync's last read)",
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.legacySync.enabled) return;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
    await this.lock?.release();
  }

  async check(): Promise<{ healthy: boolean; details: Record<string, unknown> }> {
    if (!this.config.legacySync.enabled) return { healthy: true, details: { enabled: false } };
    const active = this.lock?.held ?? false;
    return {
      healthy: this.loop !== null,
      details: { enabled: true, active, pending: active ? await this.countPending() : null, lastError: this.lastError },
    };
  }

  /** Syncs what is pending now; the loop calls it, and tests call it directly. Returns how many changes it finished. */
  async syncPending(signal: AbortSignal = this.stop.signal): Promise<number> {
    let finished = 0;
    for (;;) {
      const changes = await this.readPending();
      this.pending.set(changes.length < this.config.legacySync.batchSize ? changes.length : await this.countPending());
      if (changes.length === 0) return finished;
      for (const change of changes) {
        if (signal.aborted) return finished;
        const outcome = await this.sync(change);
        await this.record.query(
          `UPDATE legacy_capture SET outcome = ?, outcome_code = ?, outcome_message = ?, outcome_details = ?,
             events = ?, position = ?, processed_at = UTC_TIMESTAMP(6)
           WHERE id = ? AND outcome = 'pending'`,
          [
            outcome.outcome,
            outcome.code ?? null,
            outcome.message?.slice(0, 2000) ?? null,
            outcome.details ? JSON.stringify(outcome.details) : null,
            outcome.results ? outcome.results.flatMap((result) => result.events).join(',') : null,
            lastPosition(outcome.results),
            change.id,
          ],
        );
        this.failures.delete(change.id);
        this.ghostOids.delete(change.id);
        this.processed.inc({ table: change.table, outcome: outcome.outcome });
        finished++;
      }
    }
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    const lockName = fitLockName(`tracershop:legacy-sync:${this.config.databases.record}`);
    while (!signal.aborted) {
      try {
        if (!this.lock?.held) {
          await this.lock?.release();
          this.lock = await ProjectionLock.tryAcquire(this.record, lockName);
          if (!this.lock) {
            await abortableSleep(STANDBY_POLL_MS, signal);
            continue;
          }
          this.logger.info({ lock: lockName }, 'legacy sync active');
        }
        const finished = await this.syncPending(AbortSignal.any([signal, this.lock.lost]));
        this.lastError = null;
        if (finished === 0) await abortableSleep(this.config.legacySync.intervalMs, signal);
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.warn({ err: error }, 'legacy sync paused by a fault; it tries again');
        await abortableSleep(Math.max(this.config.legacySync.intervalMs, 1_000), signal);
      }
    }
  }

  private async readPending(): Promise<CapturedChange[]> {
    const [rows] = await this.record.query(
      `SELECT id, table_name, operation, row_key, before_row, after_row,
              DATE_FORMAT(captured_at, '%Y-%m-%d %H:%i:%s.%f') AS captured_at, captured_by
       FROM legacy_capture WHERE outcome = 'pending' ORDER BY id LIMIT ?`,
      [this.config.legacySync.batchSize],
    );
    return (rows as CaptureRecord[]).map(capturedChangeOf);
  }

  private async countPending(): Promise<number> {
    const [rows] = await this.record.query("SELECT COUNT(*) AS pending FROM legacy_capture WHERE outcome = 'pending'");
    return Number((rows as Array<{ pending: unknown }>)[0]?.pending ?? 0);
  }

  /** The outcome of one change; throws on a passing fault, so the change stays pending. */
  private async sync(change: CapturedChange): Promise<Outcome> {
    const results: CommandResult[] = [];
    try {
      await this.catalogShowsTheLastWrite();
      const plan = await planCapturedChange(change, this.planning);
      if (plan.kind === 'unsupported') return { outcome: 'unsupported', code: plan.code, message: plan.message };
      const seen = new Map<string, number>();
      for (const planned of plan.commands) {
        // Named by what it is, not by its place in the plan: a plan made again after a partial run
        // leaves out what is done, and a command must not take the ids of another's events.
        const type = (planned.command as { type?: unknown }).type;
        const what = `${planned.definition.name}:${this.streamOf(planned) ?? '-'}:${String(type)}`;
        const repeat = seen.get(what) ?? 0;
        seen.set(what, repeat + 1);
        const result = await this.execute(
          planned,
          this.contextOf(change, repeat === 0 ? what : `${what}#${repeat}`, planned.reason),
        );
        results.push(result);
        if (result.events.length > 0 && result.position && isCatalogStream(result.streamId)) {
          this.catalogWrite = Position.parse(result.position);
        }
      }
      const changed = results.some((result) => result.events.length > 0);
      return { outcome: changed ? 'applied' : 'unchanged', results };
    } catch (error) {
      const now = Date.now();
      const failures = this.failures.get(change.id) ?? { attempts: 0, first: now };
      failures.attempts++;
      this.failures.set(change.id, failures);
      const failed = failedSync(error, {
        attempts: failures.attempts,
        firstFailureAgoMs: now - failures.first,
      });
      if (failed.kind === 'retry') throw error;
      // A change of several commands may be refused after the first ones were applied: the row says which.
      return { outcome: 'rejected', code: failed.code, message: failed.message, details: failed.details, results };
    }
  }

  /**
   * Runs a planned command. A command refused although its own events are in its stream already
   * was run before: an attempt cut off (a crash) after its append, before the outcome was written.
   * Decided again on the state it made (e.g. a reinstate of an order it reinstated), it would be
   * refused; it is done, and counts as unchanged.
   */
  private async execute(planned: PlannedCommand, context: CommandContext): Promise<CommandResult> {
    try {
      return await this.pipeline.execute(planned.definition, planned.command, context);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const streamId = this.streamOf(planned);
      if (streamId === null || !(await this.holdsEvent(streamId, derivedEventId(context.causationId, 0)))) throw error;
      const current = await this.pipeline.load(streamId, planned.definition.decider);
      return { streamId, revision: current.revision.toString(), position: current.position, events: [] };
    }
  }

  private streamOf(planned: PlannedCommand): string | null {
    try {
      return planned.definition.streamOf(planned.command);
    } catch {
      return null;
    }
  }

  private async holdsEvent(streamId: string, eventId: string): Promise<boolean> {
    try {
      const events = await this.store.readStream(streamId);
      return events.some((event) => event.metadata.eventId === eventId);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return false;
      throw error;
    }
  }

  /**
   * Waits (for a while at most) until the catalogue read model shows the sync's last catalogue
   * write, which the next change's lookups may need (a customer the old system made moments
   * before it ordered). Without a catalogue projection there is nothing to wait for; after the
   * wait the change is planned anyway, and a not-yet-known refusal is tried again for a while.
   */
  private async catalogShowsTheLastWrite(): Promise<void> {
    const wanted = this.catalogWrite;
    if (!wanted) return;
    const deadline = Date.now() + CATALOG_WAIT_MS;
    for (;;) {
      const checkpoint = await this.catalogCheckpoints.read(CATALOG_PROJECTION_NAME).catch(() => null);
      if (!checkpoint || !checkpoint.position.isBefore(wanted) || checkpoint.status === 'failed') break;
      if (Date.now() >= deadline || this.stop.signal.aborted) break;
      await abortableSleep(CATALOG_POLL_MS, this.stop.signal);
    }
    // Waited for once: a catalogue projection that is stopped holds up one change, not each.
    if (this.catalogWrite === wanted) this.catalogWrite = null;
  }

  /**
   * The old system is the actor (its database account); the change's time is when it was made.
   * The causation id names the change and its capture time, so it stays unique even if the capture
   * table were ever created anew.
   */
  private contextOf(change: CapturedChange, command: string, reason: string): CommandContext {
    const actor: Actor = {
      kind: 'system',
      id: `old-tracershop:${change.capturedBy}`,
      printedName: 'Old Tracershop',
      role: 'legacy',
    };
    const cause = `legacy-capture:${change.id}:${change.capturedAt}`;
    return {
      actor,
      correlationId: cause,
      causationId: `${cause}:${command}`,
      occurredAt: change.capturedAt,
      reason,
      source: {
        system: OLD_SYSTEM_SOURCE,
        table: change.table,
        primaryKey: change.rowKey,
        operation: change.operation,
      },
    };
  }
}
