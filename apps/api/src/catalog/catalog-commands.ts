import { createHash, randomUUID } from 'node:crypto';
import type { CommandDefinition, CommandPipeline, StateChange } from '@tracershop/command-pipeline';
import {
  catalogEventSchemaVersions,
  closedDateDecider,
  closedDateNameClaims,
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
  tracerPermissionNameClaims,
  tracerPermissionStreamName,
  tracerStreamName,
  weeklyCloseDaysDecider,
  weeklyCloseDaysStreamName,
  orderingDeadlinesDecider,
  orderingDeadlinesStreamName,
  type CatalogEventType,
  type ClosedDateState,
  type NameClaimCommand,
  type NameClaimRef,
  type ServedSlot,
  type TracerPermissionState,
} from '@tracershop/domain/catalog';
import { conflict, DomainError, type Decider, type DomainEvent } from '@tracershop/domain/kernel';
import { requireGivenLegacyIdHeld, type LegacyIdTable } from '@tracershop/domain/legacy';
import type { LegacyIdSource } from '../legacy-ids/legacy-id-allocator';

export { legacyIdAllocatedByHandler } from '../legacy-ids/legacy-id-allocator';

/**
 * What the catalog's command handlers read from the catalog read model (no stream holds it). A rule
 * decided on these must not pass on a stale read: the api's lookups wait for the read model to reach
 * the store's head first (`CatalogLookupsAtHead`).
 */
export interface CatalogLookups {
  servedSlots(productionRunId: string): Promise<ServedSlot[]>;
  activeEndpointIds(customerId: string): Promise<string[]>;
  /** Tracers (archived ones too) whose vial tag is this one, compared without case. */
  tracerIdsWithVialTag(vialTag: string): Promise<string[]>;
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

/** The owner of an entity's claims: the entity. */
const entityId = (state: unknown) => (state as { id?: string }).id ?? '';

/**
 * Records from before a kind of claim existed hold their values unclaimed. For a key an attempt has
 * just claimed, such a record's id (other than `ownerId`), or null when none holds it.
 */
type UnclaimedHolderOf = (ref: NameClaimRef, ownerId: string) => Promise<string | null>;

/**
 * Unique names: claim the new keys on their own streams before the owner's events, release the
 * old ones after, and give back what was claimed when the owner's append fails. Legacy ids are
 * claimed the same way (kind `legacyId`), so an explicit id a client gives cannot take one another
 * record holds, allocated or given.
 */
function uniqueNames<S>(
  pipeline: CommandPipeline,
  claimsOf: (state: S) => NameClaimRef[],
  ownerIdOf: (state: S) => string = entityId,
  unclaimedHolderOf: UnclaimedHolderOf = () => Promise.resolve(null),
) {
  const ownerOf = (change: StateChange<S>) => ownerIdOf(change.after);
  const send = (change: StateChange<S>, type: 'ClaimName' | 'ReleaseName', ref: NameClaimRef) =>
    pipeline.execute(
      nameClaimCommand,
      { type, kind: ref.kind, key: ref.key, ownerId: ownerOf(change), at: new Date().toISOString() },
      // Claims are idempotent by owner in the decider; a fresh cause keeps a re-claim after a release
      // (a retried owner append) from looking like a replay of the first claim.
      { ...change.context, causationId: `${change.context.causationId}:${type}:${randomUUID()}` },
    );
  const release = async (change: StateChange<S>, refs: NameClaimRef[]) => {
    for (const ref of refs) {
      try {
        await send(change, 'ReleaseName', ref);
      } catch (error) {
        // Held by another owner: this one never claimed it (a record from before that kind of
        // claim existed), so there is nothing of its own to give back, and its change stands.
        if (!(error instanceof DomainError && error.code === 'NAME_NOT_OWNED')) throw error;
      }
    }
  };
  /**
   * The keys each attempt claimed itself. A key its owner already held (another request giving the
   * same name to the same record, or an earlier run) is not this attempt's to give back.
   */
  const claimedBy = new WeakMap<StateChange<S>, NameClaimRef[]>();
  /** All or nothing: when one key is taken, the keys claimed before it are given back. */
  const claimAll = async (change: StateChange<S>, refs: NameClaimRef[]) => {
    const claimed: NameClaimRef[] = [];
    claimedBy.set(change, claimed);
    try {
      for (const ref of refs) {
        const result = await send(change, 'ClaimName', ref);
        if (result.events.length === 0) continue;
        claimed.push(ref);
        const holder = await unclaimedHolderOf(ref, ownerOf(change));
        if (holder !== null) {
          throw conflict('NAME_TAKEN', `${ref.key} is already in use`, {
            kind: ref.kind,
            key: ref.key,
            ownerId: holder,
          });
        }
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
    appendFailed: (change: StateChange<S>) => release(change, claimedBy.get(change) ?? []),
  };
}

/** Infers the command, event and state types from the decider. */
const define = <C, E extends DomainEvent, S>(definition: CommandDefinition<C, E, S>) => definition;

/** Owner ids are ids (at most 128 of `A-Za-z0-9._:-`); a permission's pair id may not be one, so it is hashed then. */
const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
function tracerPermissionOwner(state: TracerPermissionState): string {
  const id = state.status === 'absent' ? '' : state.id;
  return OWNER_ID.test(id) ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

const heldLegacyId = (state: { status: string; legacyId?: number }) =>
  state.status === 'absent' ? undefined : state.legacyId;

/**
 * Supplies the legacy id of a creating command: the one the record holds already (a repeated
 * registration, a re-grant, a re-close), else the one the client gave for a row carried over from
 * the old system, else a new one from the allocator. An explicit id other than the held one is a 409.
 */
async function legacyIdFor(
  legacyIds: LegacyIdSource,
  table: LegacyIdTable,
  given: number | undefined,
  held: number | null | undefined,
): Promise<number> {
  requireGivenLegacyIdHeld(held, given);
  return held ?? given ?? legacyIds.allocate(table);
}

export function catalogCommands(pipeline: CommandPipeline, lookups: CatalogLookups, legacyIds: LegacyIdSource) {
  const isotope = define({
    name: 'Isotope',
    decider: isotopeDecider,
    streamOf: (command) => isotopeStreamName(command.isotopeId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if (command.type !== 'RegisterIsotope') return command;
      const current = await load(isotopeStreamName(command.isotopeId), isotopeDecider);
      return {
        ...command,
        legacyId: await legacyIdFor(legacyIds, 'isotopes', command.legacyId, heldLegacyId(current)),
      };
    },
    ...uniqueNames(pipeline, isotopeNameClaims),
  });

  const tracer = define({
    name: 'Tracer',
    decider: tracerDecider,
    streamOf: (command) => tracerStreamName(command.tracerId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if (command.type === 'RegisterTracer') {
        const current = await load(tracerStreamName(command.tracerId), tracerDecider);
        return {
          ...command,
          legacyId: await legacyIdFor(legacyIds, 'Tracers', command.legacyId, heldLegacyId(current)),
          refs: { isotope: await load(isotopeStreamName(command.isotopeId), isotopeDecider) },
        };
      }
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
    // Tracers registered before tags were claimed hold theirs unclaimed; the read model knows them.
    ...uniqueNames(pipeline, tracerNameClaims, entityId, async (ref, ownerId) =>
      ref.kind === 'tracerVialTag'
        ? ((await lookups.tracerIdsWithVialTag(ref.key)).find((id) => id !== ownerId) ?? null)
        : null,
    ),
  });

  const customer = define({
    name: 'Customer',
    decider: customerDecider,
    streamOf: (command) => customerStreamName(command.customerId),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if (command.type !== 'RegisterCustomer') return command;
      const current = await load(customerStreamName(command.customerId), customerDecider);
      // Customers and staff users share the old system's `Users.Id` space.
      return { ...command, legacyId: await legacyIdFor(legacyIds, 'Users', command.legacyId, heldLegacyId(current)) };
    },
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
        case 'ScheduleProductionRun': {
          const current = await load(productionRunStreamName(command.productionRunId), productionRunDecider);
          return {
            ...command,
            legacyId: await legacyIdFor(legacyIds, 'productionTimes', command.legacyId, heldLegacyId(current)),
            refs: { tracer: await load(tracerStreamName(command.tracerId), tracerDecider) },
          };
        }
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
      const refs = { endpoint: endpointState, productionRun: productionRunState };
      if (command.type === 'RestoreDeliveryTimeSlot') return { ...command, refs };
      const legacyId = await legacyIdFor(legacyIds, 'deliverTimes', command.legacyId, present?.legacyId);
      return { ...command, legacyId, refs };
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
      const current = await load(
        tracerPermissionStreamName(command.endpointId, command.tracerId),
        tracerPermissionDecider,
      );
      return {
        ...command,
        // Only the first grant of the pair takes a new id; a re-grant after a revoke keeps it, unless
        // it names a row (the old system granted the pair again): the permission takes that row over.
        legacyId:
          current.status === 'archived' && command.legacyId !== undefined
            ? command.legacyId
            : await legacyIdFor(legacyIds, 'TracerCustomer', command.legacyId, heldLegacyId(current)),
        refs: {
          endpoint: await load(deliveryEndpointStreamName(command.endpointId), deliveryEndpointDecider),
          tracer: await load(tracerStreamName(command.tracerId), tracerDecider),
        },
      };
    },
    ...uniqueNames(pipeline, tracerPermissionNameClaims, tracerPermissionOwner),
  });

  const closedDate = define({
    name: 'ClosedDate',
    decider: closedDateDecider,
    streamOf: (command) => closedDateStreamName(command.date),
    retryOnConflict: RETRY,
    schemaVersionOf,
    enrich: async (command, load) => {
      if (command.type !== 'CloseDate') return command;
      const current = await load(closedDateStreamName(command.date), closedDateDecider);
      // Only the first close of the date takes a new id; a re-close after a reopening keeps it, unless
      // it names a row (the old system closed the date again): the date takes that row over.
      const reopened = current.legacyId !== null && !current.closed;
      return {
        ...command,
        legacyId:
          reopened && command.legacyId !== undefined
            ? command.legacyId
            : await legacyIdFor(legacyIds, 'blockDeliverDate', command.legacyId, current.legacyId),
      };
    },
    ...uniqueNames(pipeline, closedDateNameClaims, (state: ClosedDateState) => state.date ?? ''),
  });

  const weeklyCloseDays = define({
    name: 'WeeklyCloseDays',
    decider: weeklyCloseDaysDecider,
    streamOf: () => weeklyCloseDaysStreamName(),
    retryOnConflict: RETRY,
    schemaVersionOf,
  });

  const orderingDeadlines = define({
    name: 'OrderingDeadlines',
    decider: orderingDeadlinesDecider,
    streamOf: () => orderingDeadlinesStreamName(),
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
    orderingDeadlines,
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
