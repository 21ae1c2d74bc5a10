import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { CommandPipeline } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import type { IncidentKind, RaiseIncident } from '@tracershop/domain/audit';
import type { Actor } from '@tracershop/event-store';
import { PINO_LOGGER, RECORD_DATABASE, TracershopMetrics, TRACERSHOP_CONFIG, WEB_DATABASE } from '@tracershop/platform';
import { allProjections } from '@tracershop/projections/all';
import { CheckpointStore, type ProjectionTarget } from '@tracershop/projections/engine';
import { AuditReadModel } from '@tracershop/projections/record';
import { incidentCommand } from '../../../api/src/audit/incident-commands';
import { RepeatedRound, RepeatedRoundService } from '../repeated-round';
import { projectionStopIncidentId } from './projection-stop-incident';

/** Unhealthy when no round has succeeded for a minute: incidents would go unraised. */
const FAILING_LIMIT_MS = 60_000;
const INCIDENT_ACTOR: Actor = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' };

/** An incident to raise, whatever found it. */
interface Cause {
  incidentId: string;
  kind: IncidentKind;
  summary: string;
  details: Record<string, unknown>;
}

/**
 * Raises incidents (GMP, Annex 11 §13), and alerts: an error in the log and the metrics
 * `tracershop_incidents_raised_total` and `tracershop_incidents_open`. It polls two places:
 *
 * - `record.audit`'s causes without an incident yet: an account locked out by repeated wrong
 *   passwords, an integrity check that found a broken chain or a signature that does not verify;
 * - the projection checkpoints of the record and web databases: a read model stopped at an event it
 *   could not apply (a poison event).
 *
 * Each cause names its incident (`incidentIds`), so raising it again, after a crash or from a second
 * worker, adds nothing: every cause is raised exactly once. A projection that stops again at the
 * same event after its incident was closed is a new cause, with an incident of its own.
 */
@Injectable()
export class IncidentRaiser extends RepeatedRoundService {
  readonly name = 'incidentRaiser';
  protected readonly rounds: RepeatedRound;
  protected readonly failingLimitMs = FAILING_LIMIT_MS;
  private readonly readModel: AuditReadModel;
  private readonly checkpoints: Array<{ store: CheckpointStore; projections: string[] }>;
  private readonly raised: Counter<'kind'>;
  private readonly open: Gauge;

  constructor(
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(RECORD_DATABASE) record: Pool,
    @Inject(WEB_DATABASE) web: Pool,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Inject(TracershopMetrics) metrics: TracershopMetrics,
  ) {
    super();
    this.readModel = new AuditReadModel(record, config.databases.record);
    const namesOf = (target: ProjectionTarget) =>
      allProjections.filter((projection) => projection.target === target).map((projection) => projection.name);
    this.checkpoints = [
      { store: new CheckpointStore(record, config.databases.record), projections: namesOf('record') },
      { store: new CheckpointStore(web, config.databases.web), projections: namesOf('web') },
    ];
    this.raised = new Counter({
      name: 'tracershop_incidents_raised_total',
      help: 'Incidents raised, by kind',
      labelNames: ['kind'],
      registers: [metrics.registry],
    });
    this.open = new Gauge({
      name: 'tracershop_incidents_open',
      help: 'Incidents raised and not closed yet',
      registers: [metrics.registry],
    });
    // The read models may not exist yet (a new deployment) or a database may be away: try again.
    this.rounds = new RepeatedRound(
      () => this.raisePending(),
      config.incidents.pollMs,
      logger,
      'incidents: a round failed; retrying',
    );
  }

  /** One round: every cause found now is raised. Returns the ids of incidents raised by this round. */
  async raisePending(): Promise<string[]> {
    const causes: Cause[] = [...(await this.readModel.pendingIncidentSignals()), ...(await this.stoppedProjections())];
    const raisedNow: string[] = [];
    for (const cause of causes) {
      if (await this.raise(cause)) raisedNow.push(cause.incidentId);
    }
    this.open.set(await this.readModel.openIncidentCount());
    return raisedNow;
  }

  private async stoppedProjections(): Promise<Cause[]> {
    const causes: Cause[] = [];
    for (const { store, projections } of this.checkpoints) {
      for (const checkpoint of await store.readAll(projections)) {
        const { failure } = checkpoint;
        if (!failure) continue;
        const { incidentId, recurrence, previousIncidentId } = await projectionStopIncidentId(
          checkpoint.name,
          failure.eventId,
          failure.at,
          async (earlierId) => {
            const earlier = await this.readModel.getIncident(earlierId);
            return earlier && { status: earlier.status, closedAt: earlier.closed?.at ?? null };
          },
        );
        causes.push({
          incidentId,
          kind: 'projection-stopped',
          summary:
            `${checkpoint.name} (${checkpoint.slot}) stopped at ${failure.eventType} ${failure.eventId}` +
            (previousIncidentId ? ` again, after incident ${previousIncidentId} was closed` : ''),
          details: {
            ...(previousIncidentId ? { recurrence, previousIncidentId } : {}),
            stoppedAt: failure.at.toISOString(),
            projection: checkpoint.name,
            slot: checkpoint.slot,
            version: checkpoint.version,
            position: failure.position.toString(),
            eventId: failure.eventId,
            eventType: failure.eventType,
            message: failure.message,
          },
        });
      }
    }
    return causes;
  }

  /** True when this call raised it (an alert); false when it had been raised before. */
  private async raise(cause: Cause): Promise<boolean> {
    const at = new Date().toISOString();
    const command: RaiseIncident = { type: 'RaiseIncident', ...cause, at };
    const result = await this.pipeline.execute(incidentCommand, command, {
      actor: INCIDENT_ACTOR,
      occurredAt: at,
      correlationId: `incident:${cause.incidentId}`,
      causationId: `incident:${cause.incidentId}`,
    });
    if (result.events.length === 0) return false;
    this.raised.inc({ kind: cause.kind });
    this.logger.error(
      { incident: { id: cause.incidentId, kind: cause.kind, details: cause.details } },
      `INCIDENT raised: ${cause.summary}`,
    );
    return true;
  }
}
