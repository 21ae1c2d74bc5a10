import { randomUUID } from 'node:crypto';
import {
  catalogEventSchemaVersions,
  closedDateStreamName,
  customerStreamName,
  deliveryEndpointStreamName,
  deliveryTimeSlotStreamName,
  isotopeStreamName,
  nameClaimOf,
  nameClaimStreamName,
  productionRunStreamName,
  tracerPermissionStreamName,
  tracerStreamName,
  type CatalogEvent,
  type ClockTime,
  type IsoWeekday,
  type NameClaimRef,
} from '@tracershop/domain/catalog';
import type { EventStore, NewEvent } from '@tracershop/event-store';
import { inParallel } from './in-parallel';

/**
 * A catalogue history of exactly `totalEvents` events, shaped like years of use: reference data
 * registered first (with the name claims the api writes before each unique name), then many
 * updates, most of them to customers, endpoints, delivery slots and tracer permissions.
 */
export interface CatalogHistoryPlan {
  totalEvents: number;
  isotopes: number;
  tracers: number;
  customers: number;
  endpointsPerCustomer: number;
  runsPerTracer: number;
  slotsPerEndpoint: number;
  permissionsPerEndpoint: number;
  closedDates: number;
  /** Rounds the updates come in; each round appends one batch of updates per entity. */
  updateRounds: number;
}

export function planCatalogHistory(totalEvents: number): CatalogHistoryPlan {
  return {
    totalEvents,
    isotopes: 3,
    tracers: 40,
    customers: Math.max(10, Math.round(totalEvents / 100)),
    endpointsPerCustomer: 2,
    runsPerTracer: 5,
    slotsPerEndpoint: 2,
    permissionsPerEndpoint: 2,
    closedDates: Math.max(10, Math.round(totalEvents / 200)),
    updateRounds: 2,
  };
}

/** Shares of the update events by entity kind. */
const UPDATE_SHARES = {
  customer: 0.35,
  endpoint: 0.2,
  slot: 0.15,
  permission: 0.15,
  tracer: 0.05,
  run: 0.05,
  closedDate: 0.05,
} as const;
type UpdatedKind = keyof typeof UPDATE_SHARES;

export interface AppendedHistory {
  events: number;
  /** Events `record.catalog` handles (name claims only guard uniqueness and are skipped). */
  recordEvents: number;
  streams: number;
  appends: number;
  seconds: number;
  eventsByType: Record<string, number>;
}

interface PlannedAppend {
  streamId: string;
  events: CatalogEvent[];
}

/** An owner's creating append and the unique names the api claims before it. */
interface OwnedAppend {
  ownerId: string;
  claims: NameClaimRef[];
  append: PlannedAppend;
}

const ACTOR = { kind: 'user', id: 'user-catalog-admin', printedName: 'Catalogue Admin', role: 'admin' } as const;
/** Appends in flight: enough for the store to fill its group transactions (500 appends, 5,000 events). */
const APPEND_CONCURRENCY = 500;
const MS_PER_DAY = 86_400_000;
/** Every change of catalogue values says why, as the api requires. */
const CHANGE_REASON = 'Updated by the catalogue bench';

/** Appends the planned history to `store`, phase after phase (a phase's appends go concurrently). */
export async function appendCatalogHistory(
  store: EventStore,
  plan: CatalogHistoryPlan,
  progress: (line: string) => void = () => undefined,
): Promise<AppendedHistory> {
  const history = new CatalogHistory(plan);
  const revisions = new Map<string, bigint>();
  const eventsByType: Record<string, number> = {};
  let events = 0;
  let appends = 0;
  let businessTime = Date.UTC(2019, 0, 7, 7);
  const started = performance.now();
  for (const phase of history.phases()) {
    await inParallel(phase, APPEND_CONCURRENCY, async ({ streamId, events: domainEvents }) => {
      businessTime += 1_000;
      const causationId = randomUUID();
      const occurredAt = new Date(businessTime).toISOString();
      const envelopes = domainEvents.map((event) => envelope(event, occurredAt, causationId));
      const result = await store.append(streamId, envelopes, revisions.get(streamId) ?? 'no_stream');
      revisions.set(streamId, result.nextExpectedRevision);
      for (const event of domainEvents) eventsByType[event.type] = (eventsByType[event.type] ?? 0) + 1;
      events += domainEvents.length;
      appends += 1;
    });
    progress(`${events} of ${plan.totalEvents} events appended`);
  }
  if (events !== plan.totalEvents) throw new Error(`Planned ${plan.totalEvents} events, appended ${events}`);
  const claims = (eventsByType.NameClaimed ?? 0) + (eventsByType.NameReleased ?? 0);
  return {
    events,
    recordEvents: events - claims,
    streams: revisions.size,
    appends,
    seconds: (performance.now() - started) / 1000,
    eventsByType,
  };
}

/** The envelope the command pipeline writes: server-set actor and recordedAt, the command's business time. */
function envelope(event: CatalogEvent, occurredAt: string, causationId: string): NewEvent {
  const reason = (event.data as { reason?: unknown }).reason;
  return {
    type: event.type,
    data: event.data,
    metadata: {
      eventId: randomUUID(),
      schemaVersion: catalogEventSchemaVersions[event.type],
      occurredAt,
      recordedAt: new Date().toISOString(),
      actor: ACTOR,
      ...(typeof reason === 'string' ? { reason } : {}),
      correlationId: causationId,
      causationId,
    },
  };
}

interface Slot {
  id: string;
  maxActivityMBq: number | null;
  expiryDate: string | null;
}

/** Entities and their current values, so every update carries a true `{ from, to }`. */
class CatalogHistory {
  private readonly isotopes: string[] = [];
  private readonly tracers: { id: string; clinicalName: string }[] = [];
  private readonly customers: { id: string; overheadPercent: number; phone: string | null }[] = [];
  private readonly endpoints: { id: string; phone: string | null }[] = [];
  private readonly runs: { id: string; tracerId: string; weekday: IsoWeekday; maxActivityMBq: number | null }[] = [];
  private readonly slots: Slot[] = [];
  private readonly permissions: { endpointId: string; tracerId: string; overheadPercent: number | null }[] = [];
  private readonly closedDates: { date: string; closed: boolean; legacyId: number }[] = [];
  /** Legacy ids as the allocator hands them out: even, one sequence for all tables (unique in each). */
  private lastLegacyId = 0;
  private counter = 0;

  constructor(private readonly plan: CatalogHistoryPlan) {}

  /** The appends, phase by phase: a phase only refers to entities of earlier phases. */
  *phases(): Generator<PlannedAppend[]> {
    const claimsThenOwners = (owners: OwnedAppend[]) => [
      owners.flatMap(({ claims, ownerId }) => claims.map((claim) => this.claimAppend(claim, ownerId))),
      owners.map(({ append }) => append),
    ];
    yield* claimsThenOwners(this.registerIsotopes());
    yield* claimsThenOwners(this.registerTracers());
    yield* claimsThenOwners(this.registerCustomers());
    yield this.registerEndpoints();
    yield* claimsThenOwners(this.scheduleRuns());
    yield* claimsThenOwners(this.scheduleSlots());
    yield [...this.grantPermissions(), ...this.closeDates()];
    const updates = this.plan.totalEvents - this.creationEvents();
    if (updates < 0)
      throw new Error(`${this.plan.totalEvents} events cannot hold the ${this.creationEvents()} creations`);
    const perEntity = this.updatesPerEntity(updates);
    for (let round = 0; round < this.plan.updateRounds; round++) yield this.updateRound(perEntity, round);
  }

  private creationEvents(): number {
    const { isotopes, tracers, customers, endpointsPerCustomer, runsPerTracer, slotsPerEndpoint } = this.plan;
    const endpoints = customers * endpointsPerCustomer;
    const runs = tracers * runsPerTracer;
    const slots = endpoints * slotsPerEndpoint;
    // Isotopes, tracers, runs and slots have one name claim each, customers two.
    return (
      2 * isotopes +
      2 * tracers +
      3 * customers +
      endpoints +
      2 * runs +
      2 * slots +
      endpoints * this.plan.permissionsPerEndpoint +
      this.plan.closedDates
    );
  }

  // The command side also claims each legacy id (kind `legacyId`); the history leaves those claims out.
  private legacyId(): number {
    this.lastLegacyId += 2;
    return this.lastLegacyId;
  }

  private claimAppend(claim: NameClaimRef, ownerId: string): PlannedAppend {
    return {
      streamId: nameClaimStreamName(claim.kind, claim.key),
      events: [{ type: 'NameClaimed', data: { kind: claim.kind, key: claim.key, ownerId } }],
    };
  }

  private registerIsotopes(): OwnedAppend[] {
    const known = [
      { name: 'F-18', atomicNumber: 9, atomicMass: 18, halfLifeSeconds: 6586.2 },
      { name: 'C-11', atomicNumber: 6, atomicMass: 11, halfLifeSeconds: 1221.8 },
      { name: 'Ga-68', atomicNumber: 31, atomicMass: 68, halfLifeSeconds: 4057.7 },
    ];
    return range(this.plan.isotopes).map((index) => {
      const isotopeId = randomUUID();
      this.isotopes.push(isotopeId);
      const details = known[index % known.length];
      const name = index < known.length ? details.name : `${details.name}-${index}`;
      return {
        ownerId: isotopeId,
        claims: [nameClaimOf.isotopeName(name)],
        append: {
          streamId: isotopeStreamName(isotopeId),
          events: [
            {
              type: 'IsotopeRegistered',
              data: { isotopeId, ...details, name, metastable: false, legacyId: this.legacyId() },
            },
          ],
        },
      };
    });
  }

  private registerTracers(): OwnedAppend[] {
    return range(this.plan.tracers).map((index) => {
      const tracerId = randomUUID();
      const shortName = `T${String(index + 1).padStart(3, '0')}`;
      const clinicalName = `Tracer ${shortName}`;
      this.tracers.push({ id: tracerId, clinicalName });
      return {
        ownerId: tracerId,
        claims: [nameClaimOf.tracerShortName(shortName)],
        append: {
          streamId: tracerStreamName(tracerId),
          events: [
            {
              type: 'TracerRegistered',
              data: {
                tracerId,
                isotopeId: this.isotopes[index % this.isotopes.length],
                kind: 'activity',
                shortName,
                clinicalName,
                vialTag: shortName,
                inUse: true,
                legacy: { orderBlock: null, injections: null },
                legacyId: this.legacyId(),
              },
            },
          ],
        },
      };
    });
  }

  private registerCustomers(): OwnedAppend[] {
    return range(this.plan.customers).map((index) => {
      const customerId = randomUUID();
      const shortName = `hospital-${index + 1}`;
      const phone = '+45 38 68 00 00';
      this.customers.push({ id: customerId, overheadPercent: 10, phone });
      return {
        ownerId: customerId,
        claims: [nameClaimOf.customerShortName(shortName), nameClaimOf.customerDispenserNumber(index + 1)],
        append: {
          streamId: customerStreamName(customerId),
          events: [
            {
              type: 'CustomerRegistered',
              data: {
                customerId,
                shortName,
                longName: `Hospital ${index + 1}, Nuclear Medicine`,
                dispenserNumber: index + 1,
                overheadPercent: 10,
                contactPerson: 'Anne Jensen',
                emails: [`pet@hospital-${index + 1}.example`, `nuclear@hospital-${index + 1}.example`],
                phone,
                billingAddress: 'Borgmester Ib Juuls Vej 1',
                billingCity: 'Herlev',
                billingZip: '2730',
                legacy: { title: null, labelName: null, addressLine3: null, addressLine4: null },
                legacyId: this.legacyId(),
              },
            },
          ],
        },
      };
    });
  }

  private registerEndpoints(): PlannedAppend[] {
    return this.customers.flatMap((customer, customerIndex) =>
      range(this.plan.endpointsPerCustomer).map((index) => {
        const endpointId = randomUUID();
        this.endpoints.push({ id: endpointId, phone: null });
        return {
          streamId: deliveryEndpointStreamName(endpointId),
          events: [
            {
              type: 'DeliveryEndpointRegistered',
              data: {
                endpointId,
                customerId: customer.id,
                name: index === 0 ? 'PET-center' : `Nuclear medicine ${index}`,
                address: `Hospital road ${customerIndex + 1}`,
                city: 'Herlev',
                zip: '2730',
                phone: null,
              },
            },
          ],
        };
      }),
    );
  }

  private scheduleRuns(): OwnedAppend[] {
    return this.tracers.flatMap((tracer) =>
      range(this.plan.runsPerTracer).map((index) => {
        const productionRunId = randomUUID();
        const weekday = ((index % 7) + 1) as IsoWeekday;
        const productionTime = '06:00';
        this.runs.push({ id: productionRunId, tracerId: tracer.id, weekday, maxActivityMBq: 100_000 });
        return {
          ownerId: productionRunId,
          claims: [nameClaimOf.productionRunSchedule(tracer.id, weekday, productionTime)],
          append: {
            streamId: productionRunStreamName(productionRunId),
            events: [
              {
                type: 'ProductionRunScheduled',
                data: {
                  productionRunId,
                  tracerId: tracer.id,
                  weekday,
                  productionTime,
                  runNumber: 1,
                  maxActivityMBq: 100_000,
                  legacyId: this.legacyId(),
                },
              },
            ],
          },
        };
      }),
    );
  }

  private scheduleSlots(): OwnedAppend[] {
    return this.endpoints.flatMap((endpoint, endpointIndex) =>
      range(this.plan.slotsPerEndpoint).map((index) => {
        const slotId = randomUUID();
        const run = this.runs[(endpointIndex * this.plan.slotsPerEndpoint + index) % this.runs.length];
        const deliveryTime: ClockTime = `${String(7 + index).padStart(2, '0')}:30`;
        this.slots.push({ id: slotId, maxActivityMBq: null, expiryDate: null });
        return {
          ownerId: slotId,
          claims: [nameClaimOf.deliveryTimeSlotSchedule(endpoint.id, deliveryTime, run.id)],
          append: {
            streamId: deliveryTimeSlotStreamName(slotId),
            events: [
              {
                type: 'DeliveryTimeSlotScheduled',
                data: {
                  slotId,
                  endpointId: endpoint.id,
                  productionRunId: run.id,
                  weekday: run.weekday,
                  deliveryTime,
                  repeat: index % 3 === 0 ? 'every' : index % 3 === 1 ? 'even' : 'odd',
                  maxActivityMBq: null,
                  expiryDate: null,
                  legacyId: this.legacyId(),
                },
              },
            ],
          },
        };
      }),
    );
  }

  private grantPermissions(): PlannedAppend[] {
    return this.endpoints.flatMap((endpoint, endpointIndex) =>
      range(this.plan.permissionsPerEndpoint).map((index) => {
        const tracerId = this.tracers[(endpointIndex + index * 7) % this.tracers.length].id;
        this.permissions.push({ endpointId: endpoint.id, tracerId, overheadPercent: null });
        return {
          streamId: tracerPermissionStreamName(endpoint.id, tracerId),
          events: [
            {
              type: 'TracerPermissionGranted',
              data: {
                endpointId: endpoint.id,
                tracerId,
                overheadPercent: null,
                maxInjections: null,
                legacyId: this.legacyId(),
              },
            },
          ],
        };
      }),
    );
  }

  private closeDates(): PlannedAppend[] {
    return range(this.plan.closedDates).map((index) => {
      const date = new Date(Date.UTC(2019, 0, 1) + index * 3 * MS_PER_DAY).toISOString().slice(0, 10);
      const legacyId = this.legacyId();
      this.closedDates.push({ date, closed: true, legacyId });
      return {
        streamId: closedDateStreamName(date),
        events: [{ type: 'DateClosed', data: { date, reason: 'Public holiday', legacyId } }],
      };
    });
  }

  private entityCount(kind: UpdatedKind): number {
    const counts: Record<UpdatedKind, number> = {
      customer: this.customers.length,
      endpoint: this.endpoints.length,
      slot: this.slots.length,
      permission: this.permissions.length,
      tracer: this.tracers.length,
      run: this.runs.length,
      closedDate: this.closedDates.length,
    };
    return counts[kind];
  }

  /** How many updates each entity gets: `updates` split by the kind shares, then evenly over the entities. */
  private updatesPerEntity(updates: number): Record<UpdatedKind, number[]> {
    const kinds = Object.keys(UPDATE_SHARES) as UpdatedKind[];
    const perKind = kinds.map((kind) => Math.floor(updates * UPDATE_SHARES[kind]));
    // Rounding leftovers go to the customers.
    perKind[0] += updates - perKind.reduce((sum, count) => sum + count, 0);
    const result = {} as Record<UpdatedKind, number[]>;
    kinds.forEach((kind, kindIndex) => {
      const entities = this.entityCount(kind);
      const total = perKind[kindIndex];
      result[kind] = range(entities).map((index) => Math.floor(total / entities) + (index < total % entities ? 1 : 0));
    });
    return result;
  }

  /** One append per entity with its share of this round's updates. */
  private updateRound(perEntity: Record<UpdatedKind, number[]>, round: number): PlannedAppend[] {
    const appends: PlannedAppend[] = [];
    const rounds = this.plan.updateRounds;
    for (const kind of Object.keys(perEntity) as UpdatedKind[]) {
      perEntity[kind].forEach((updates, index) => {
        const inRound = Math.floor(updates / rounds) + (round < updates % rounds ? 1 : 0);
        if (inRound === 0) return;
        const events = range(inRound).map(() => this.update(kind, index));
        appends.push({ streamId: this.streamOf(kind, index), events });
      });
    }
    return appends;
  }

  private streamOf(kind: UpdatedKind, index: number): string {
    switch (kind) {
      case 'customer':
        return customerStreamName(this.customers[index].id);
      case 'endpoint':
        return deliveryEndpointStreamName(this.endpoints[index].id);
      case 'slot':
        return deliveryTimeSlotStreamName(this.slots[index].id);
      case 'permission': {
        const { endpointId, tracerId } = this.permissions[index];
        return tracerPermissionStreamName(endpointId, tracerId);
      }
      case 'tracer':
        return tracerStreamName(this.tracers[index].id);
      case 'run':
        return productionRunStreamName(this.runs[index].id);
      case 'closedDate':
        return closedDateStreamName(this.closedDates[index].date);
    }
  }

  /** The next update of one entity, from its current values to new ones. */
  private update(kind: UpdatedKind, index: number): CatalogEvent {
    const n = ++this.counter;
    switch (kind) {
      case 'customer': {
        const customer = this.customers[index];
        const candidate = 5 + (n % 30);
        const overheadPercent = candidate === customer.overheadPercent ? candidate + 1 : candidate;
        const phone = `+45 ${String(30_000_000 + n)}`;
        const changes = {
          overheadPercent: { from: customer.overheadPercent, to: overheadPercent },
          phone: { from: customer.phone, to: phone },
        };
        Object.assign(customer, { overheadPercent, phone });
        return { type: 'CustomerUpdated', data: { customerId: customer.id, changes, reason: CHANGE_REASON } };
      }
      case 'endpoint': {
        const endpoint = this.endpoints[index];
        const phone = `+45 ${String(40_000_000 + n)}`;
        const changes = { phone: { from: endpoint.phone, to: phone } };
        endpoint.phone = phone;
        return { type: 'DeliveryEndpointUpdated', data: { endpointId: endpoint.id, changes, reason: CHANGE_REASON } };
      }
      case 'slot': {
        const slot = this.slots[index];
        const maxActivityMBq = 10_000 + (n % 5_000);
        const expiryDate = new Date(Date.UTC(2027, 0, 1) + (n % 1_000) * MS_PER_DAY).toISOString().slice(0, 10);
        const changes = {
          maxActivityMBq: { from: slot.maxActivityMBq, to: maxActivityMBq },
          expiryDate: { from: slot.expiryDate, to: expiryDate },
        };
        Object.assign(slot, { maxActivityMBq, expiryDate });
        return { type: 'DeliveryTimeSlotUpdated', data: { slotId: slot.id, changes, reason: CHANGE_REASON } };
      }
      case 'permission': {
        const permission = this.permissions[index];
        const overheadPercent = permission.overheadPercent === 12 ? 15 : 12;
        const changes = { overheadPercent: { from: permission.overheadPercent, to: overheadPercent } };
        permission.overheadPercent = overheadPercent;
        const { endpointId, tracerId } = permission;
        return { type: 'TracerPermissionUpdated', data: { endpointId, tracerId, changes, reason: CHANGE_REASON } };
      }
      case 'tracer': {
        const tracer = this.tracers[index];
        const clinicalName = `Tracer ${index + 1}, label revision ${n}`;
        const changes = { clinicalName: { from: tracer.clinicalName, to: clinicalName } };
        tracer.clinicalName = clinicalName;
        return { type: 'TracerUpdated', data: { tracerId: tracer.id, changes, reason: CHANGE_REASON } };
      }
      case 'run': {
        const run = this.runs[index];
        const maxActivityMBq = 80_000 + (n % 40_000);
        const changes = { maxActivityMBq: { from: run.maxActivityMBq, to: maxActivityMBq } };
        run.maxActivityMBq = maxActivityMBq;
        return { type: 'ProductionRunUpdated', data: { productionRunId: run.id, changes, reason: CHANGE_REASON } };
      }
      case 'closedDate': {
        const closedDate = this.closedDates[index];
        closedDate.closed = !closedDate.closed;
        const { date, legacyId } = closedDate;
        return closedDate.closed
          ? { type: 'DateClosed', data: { date, reason: 'Closed again', legacyId } }
          : { type: 'DateReopened', data: { date, reason: 'Open after all' } };
      }
    }
  }
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
