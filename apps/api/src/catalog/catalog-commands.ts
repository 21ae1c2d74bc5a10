import { randomUUID } from 'node:crypto';
import type { CommandDefinition, CommandPipeline, StateChange } from '@tracershop/command-pipeline';
import {
  catalogEventSchemaVersions,
  closedDateDecider,
  closedDateStreamName,
  customerDecider,
  customerNameClaims,
  customerStreamName,
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  deliveryTimeSlotDecider,
  deliveryTimeSlotNameClaims,
  deliveryTimeSlotStreamName,
  isotopeDecider,
  isotopeNameClaims,
  isotopeStreamName,
  nameClaimChanges,
  nameClaimDecider,
  nameClaimStreamName,
  productionRunDecider,
  productionRunNameClaims,
  productionRunStreamName,
  tracerDecider,
  tracerNameClaims,
  tracerPermissionDecider,
  tracerPermissionStreamName,
  tracerStreamName,
  weeklyCloseDaysDecider,
  weeklyCloseDaysStreamName,
  type CatalogEventType,
  type NameClaimCommand,
  type NameClaimRef,
  type ServedSlot,
} from '@tracershop/domain/catalog';
import type { Decider, DomainEvent } from '@tracershop/domain/kernel';

/** What the catalog's command handlers read from the catalog read model (no stream holds it). */
export interface CatalogLookups {
  servedSlots(productionRunId: string): Promise<ServedSlot[]>;
  activeEndpointIds(customerId: string): Promise<string[]>;
}

const schemaVersionOf = (type: string) => catalogEventSchemaVersions[type as CatalogEventType] ?? 1;

// Catalog data is reference data edited by few people: a concurrent edit is re-decided on the fresh
// state, which is safe because every decision is made from state alone.
const RETRY = true;

export const nameClaimCommand: CommandDefinition<NameClaimCommand, DomainEvent & { type: string }, unknown> = {
  name: 'NameClaim',
  decider: nameClaimDecider as unknown as Decider<NameClaimCommand, DomainEvent, unknown>,
  streamOf: (command) => nameClaimStreamName(command.kind, command.key),
  retryOnConflict: RETRY,
  schemaVersionOf,
};

/**
 * Unique names: claim the new keys on their own streams before the owner's events, release the
 * old ones after, and give back what was claimed when the owner's append fails.
 */
function uniqueNames<S extends { status: string }>(pipeline: CommandPipeline, claimsOf: (state: S) => NameClaimRef[]) {
  const ownerOf = (change: StateChange<S>) => ((change.after as { id?: string }).id ?? '') as string;
  const send = (change: StateChange<S>, type: 'ClaimName' | 'ReleaseName', ref: NameClaimRef) =>
    pipeline.execute(
      nameClaimCommand,
      { type, kind: ref.kind, key: ref.key, ownerId: ownerOf(change), at: new Date().toISOString() },
      // Claims are idempotent by owner in the decider; a fresh cause keeps a re-claim after a release
      // (a retried owner append) from looking like a replay of the first claim.
      { ...change.context, causationId: `${change.context.causationId}:${type}:${randomUUID()}` },
    );
  const release = async (change: StateChange<S>, refs: NameClaimRef[]) => {
    for (const ref of refs) await send(change, 'ReleaseName', ref);
  };
  /** All or nothing: when one key is taken, the keys claimed before it are given back. */
  const claimAll = async (change: StateChange<S>, refs: NameClaimRef[]) => {
    const claimed: NameClaimRef[] = [];
    try {
      for (const ref of refs) {
        await send(change, 'ClaimName', ref);
        claimed.push(ref);
      }
    } catch (error) {
      await release(change, claimed);
      throw error;
    }
  };
  const changes = (change: StateChange<S>) => nameClaimChanges(claimsOf(change.before), claimsOf(change.after));
  return {
    beforeAppend: (change: StateChange<S>) => claimAll(change, changes(change).claim),
    afterAppend: (change: StateChange<S>) => release(change, changes(change).release),
    appendFailed: (change: StateChange<S>) => release(change, changes(change).claim),
  };
}

/** Infers the command, event and state types from the decider. */
const define = <C, E extends DomainEvent, S>(definition: CommandDefinition<C, E, S>) => definition;

export function catalogCommands(pipeline: CommandPipeline, lookups: CatalogLookups) {
  const isotope = define({
    name: 'Isotope',
    decider: isotopeDecider,
    streamOf: (command) => isotopeStreamName(command.isotopeId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    ...uniqueNames(pipeline, isotopeNameClaims),
  });

  const tracer = define({
    name: 'Tracer',
    decider: tracerDecider,
    streamOf: (command) => tracerStreamName(command.tracerId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if ('refs' in command && 'isotopeId' in command) {
        return { ...command, refs: { isotope: await load(isotopeStreamName(command.isotopeId), isotopeDecider) } };
      }
      if (command.type === 'RestoreTracer') {
        const current = await load(tracerStreamName(command.tracerId), tracerDecider);
        const isotopeId = current.status === 'absent' ? '' : current.isotopeId;
        return { ...command, refs: { isotope: await load(isotopeStreamName(isotopeId), isotopeDecider) } };
      }
      return command;
    },
    ...uniqueNames(pipeline, tracerNameClaims),
  });

  const customer = define({
    name: 'Customer',
    decider: customerDecider,
    streamOf: (command) => customerStreamName(command.customerId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    ...uniqueNames(pipeline, customerNameClaims),
  });

  const deliveryEndpoint = define({
    name: 'DeliveryEndpoint',
    decider: deliveryEndpointDecider,
    streamOf: (command) => deliveryEndpointStreamName(command.endpointId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if (command.type === 'UpdateDeliveryEndpoint') return command;
      const customerId =
        command.type === 'RegisterDeliveryEndpoint'
          ? command.customerId
          : await endpointCustomerId(command.endpointId, load);
      const customerState = await load(customerStreamName(customerId), customerDecider);
      if (command.type === 'ArchiveDeliveryEndpoint') {
        const others = (await lookups.activeEndpointIds(customerId)).filter((id) => id !== command.endpointId);
        return { ...command, refs: { customer: customerState, otherActiveEndpointIds: others } };
      }
      return { ...command, refs: { customer: customerState } };
    },
  });

  const productionRun = define({
    name: 'ProductionRun',
    decider: productionRunDecider,
    streamOf: (command) => productionRunStreamName(command.productionRunId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      switch (command.type) {
        case 'ScheduleProductionRun':
          return { ...command, refs: { tracer: await load(tracerStreamName(command.tracerId), tracerDecider) } };
        case 'RestoreProductionRun': {
          const run = await load(productionRunStreamName(command.productionRunId), productionRunDecider);
          const tracerId = run.status === 'absent' ? '' : run.tracerId;
          return { ...command, refs: { tracer: await load(tracerStreamName(tracerId), tracerDecider) } };
        }
        default:
          return { ...command, refs: { servedSlots: await lookups.servedSlots(command.productionRunId) } };
      }
    },
    ...uniqueNames(pipeline, productionRunNameClaims),
  });

  const deliveryTimeSlot = define({
    name: 'DeliveryTimeSlot',
    decider: deliveryTimeSlotDecider,
    streamOf: (command) => deliveryTimeSlotStreamName(command.slotId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if (command.type === 'ArchiveDeliveryTimeSlot') return command;
      const existing = await load(deliveryTimeSlotStreamName(command.slotId), deliveryTimeSlotDecider);
      const present = existing.status === 'absent' ? undefined : existing;
      const endpointId = command.type === 'ScheduleDeliveryTimeSlot' ? command.endpointId : (present?.endpointId ?? '');
      const runId =
        command.type === 'ScheduleDeliveryTimeSlot' ? command.productionRunId : (present?.productionRunId ?? '');
      const productionRunState = await load(productionRunStreamName(runId), productionRunDecider);
      if (command.type === 'UpdateDeliveryTimeSlot') return { ...command, refs: { productionRun: productionRunState } };
      const endpointState = await load(deliveryEndpointStreamName(endpointId), deliveryEndpointDecider);
      return { ...command, refs: { endpoint: endpointState, productionRun: productionRunState } };
    },
    ...uniqueNames(pipeline, deliveryTimeSlotNameClaims),
  });

  const tracerPermission = define({
    name: 'TracerPermission',
    decider: tracerPermissionDecider,
    streamOf: (command) => tracerPermissionStreamName(command.endpointId, command.tracerId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if (command.type !== 'GrantTracerPermission') return command;
      return {
        ...command,
        refs: {
          endpoint: await load(deliveryEndpointStreamName(command.endpointId), deliveryEndpointDecider),
          tracer: await load(tracerStreamName(command.tracerId), tracerDecider),
        },
      };
    },
  });

  const closedDate = define({
    name: 'ClosedDate',
    decider: closedDateDecider,
    streamOf: (command) => closedDateStreamName(command.date),
    retryOnConflict: RETRY,
    schemaVersionOf,
  });

  const weeklyCloseDays = define({
    name: 'WeeklyCloseDays',
    decider: weeklyCloseDaysDecider,
    streamOf: () => weeklyCloseDaysStreamName(),
    retryOnConflict: RETRY,
    schemaVersionOf,
  });

  return {
    isotope,
    tracer,
    customer,
    deliveryEndpoint,
    productionRun,
    deliveryTimeSlot,
    tracerPermission,
    closedDate,
    weeklyCloseDays,
  };
}

async function endpointCustomerId(
  endpointId: string,
  load: Parameters<NonNullable<CommandDefinition<unknown, DomainEvent, unknown>['enrich']>>[1],
): Promise<string> {
  const endpoint = await load(deliveryEndpointStreamName(endpointId), deliveryEndpointDecider);
  return endpoint.status === 'absent' ? '' : endpoint.customerId;
}

export type CatalogCommands = ReturnType<typeof catalogCommands>;

/** Stands for `refs` in a command built from a request: the definition's `enrich` loads them. */
export const refsLoadedByHandler = undefined as never;
