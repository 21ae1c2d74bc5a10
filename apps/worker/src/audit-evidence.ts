import { randomUUID } from 'node:crypto';
import type { CommandDefinition, CommandPipeline, CommandResult } from '@tracershop/command-pipeline';
import {
  auditEventSchemaVersions,
  integrityChecksDecider,
  integrityChecksStreamOf,
  reconciliationsDecider,
  reconciliationsStreamOf,
  type IntegrityCheckEvent,
  type IntegrityChecksState,
  type ReconciledTable,
  type ReconciliationEvent,
  type ReconciliationsState,
  type RecordIntegrityCheck,
  type RecordReconciliation,
} from '@tracershop/domain/audit';
import type { Actor, ChainVerification, SignatureReport } from '@tracershop/event-store';
import type { RecordVerification } from './audit-anchor';

export const integrityCheckCommand: CommandDefinition<RecordIntegrityCheck, IntegrityCheckEvent, IntegrityChecksState> =
  {
    name: 'RecordIntegrityCheck',
    decider: integrityChecksDecider,
    streamOf: (command) => integrityChecksStreamOf(command.at),
    retryOnConflict: true,
    schemaVersionOf: (type) => auditEventSchemaVersions[type],
  };

const brokenChain = (broken: Extract<ChainVerification, { ok: false }>) => ({
  streamId: broken.streamId,
  brokenAt: broken.brokenAt.toString(),
  problem: broken.problem,
});

/**
 * Keeps a verification's result as evidence (`IntegrityChecked` on the month's
 * `audit.integrityChecks-<YYYY-MM>`), attributed to whoever ran it. `checkId` names the run: a
 * job retried with the same id is recorded once.
 */
export function recordIntegrityCheck(
  pipeline: CommandPipeline,
  actor: Actor,
  result: { all: RecordVerification } | { stream: ChainVerification; signatures?: SignatureReport },
  checkId: string = randomUUID(),
  at: string = new Date().toISOString(),
): Promise<CommandResult> {
  const command: RecordIntegrityCheck =
    'all' in result
      ? {
          type: 'RecordIntegrityCheck',
          checkId,
          streamId: null,
          streams: result.all.streams,
          events: result.all.events,
          upTo: result.all.upTo,
          broken: result.all.broken.map(brokenChain),
          ...(result.all.signatures ? { signatures: result.all.signatures } : {}),
          gap: result.all.gap,
          ...(result.all.anchors ? { anchors: { ...result.all.anchors, signing: result.all.anchorSigning } } : {}),
          ...(result.all.retention ? { retention: result.all.retention } : {}),
          at,
        }
      : {
          type: 'RecordIntegrityCheck',
          checkId,
          streamId: result.stream.streamId,
          streams: 1,
          events: result.stream.ok ? result.stream.eventCount : 0,
          upTo: null,
          broken: result.stream.ok ? [] : [brokenChain(result.stream)],
          ...(result.signatures ? { signatures: result.signatures } : {}),
          at,
        };
  return pipeline.execute(integrityCheckCommand, command, {
    actor,
    occurredAt: at,
    correlationId: checkId,
    causationId: `integrity-check:${checkId}`,
  });
}

export const reconciliationCommand: CommandDefinition<RecordReconciliation, ReconciliationEvent, ReconciliationsState> =
  {
    name: 'RecordReconciliation',
    decider: reconciliationsDecider,
    streamOf: (command) => reconciliationsStreamOf(command.at),
    retryOnConflict: true,
    schemaVersionOf: (type) => auditEventSchemaVersions[type],
  };

/** Keeps a projection reconciliation's result as evidence (`ProjectionReconciled`), by whoever ran it. */
export function recordReconciliation(
  pipeline: CommandPipeline,
  actor: Actor,
  result: { projection: string; position: string; tables: ReconciledTable[] },
  reconciliationId: string = randomUUID(),
  at: string = new Date().toISOString(),
): Promise<CommandResult> {
  return pipeline.execute(
    reconciliationCommand,
    { type: 'RecordReconciliation' as const, reconciliationId, ...result, at },
    { actor, occurredAt: at, correlationId: reconciliationId, causationId: `reconciliation:${reconciliationId}` },
  );
}
