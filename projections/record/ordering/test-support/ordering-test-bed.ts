import { createHash, randomUUID } from 'node:crypto';
import { fold } from '@tracershop/domain/kernel';
import {
  deliveryDayDecider,
  deliveryDayStreamName,
  normaliseLotNumber,
  orderingEventSchemaVersions,
  vialDecider,
  vialIdOf,
  vialStreamName,
  type DeliveryDayCommand,
  type DeliveryDayEvent,
  type DeliveryDayState,
  type DispenseVial,
  type OrderingEvent,
  type OrderingEventType,
  type VialCommand,
  type VialDispensed,
  type VialEvent,
  type VialState,
} from '@tracershop/domain/ordering';
import type { Actor, NewEvent, Position, SignatureBlock, SignatureMeaning } from '@tracershop/event-store';
import {
  openReadModelTestBed,
  type ReadModelTestBed,
  type StreamEvent,
} from '../../../../test/projections/read-model-test-bed';
import { ORDERING_PROJECTION_NAME, orderingProjection } from '../ordering-projection';
import { OrderingReadModel } from '../ordering-read-model';

export type { Row } from '../../../../test/projections/read-model-test-bed';

const WAIT_MS = 15_000;

export const productionUser: Actor = {
  kind: 'user',
  id: 'user-peter',
  printedName: 'Peter Hansen',
  role: 'production',
};
export const shopUser: Actor = { kind: 'user', id: 'user-anne', printedName: 'Anne Jensen', role: 'shop' };

/** The command that dispenses the example vial: its id is the decider's to derive. */
export const dispenseCommand = ({ data: { vialId: _vialId, ...vial } }: VialDispensed, at: string): DispenseVial => ({
  type: 'DispenseVial',
  ...vial,
  fromOldSystemRow: false,
  at,
});

/** What the command pipeline puts into the envelope besides the event. */
export interface AppendContext {
  reason?: string;
  signatureMeaning?: SignatureMeaning | null;
  schemaVersion?: number;
}

/**
 * A fresh event store and record database with `record.ordering` running on them. Commands are
 * decided by the real deciders on the state folded from what this bed appended, and appended with
 * the envelope the command pipeline writes: business time from the command, its reason, and a
 * signature block for signed commands.
 */
export interface OrderingTestBed extends ReadModelTestBed {
  recordDatabase: string;
  readModel: OrderingReadModel;
  /** The actor of the events appended next. */
  actor: Actor;
  /** Appends the events to one stream in one append, as one command's outcome; returns the position. */
  append(streamId: string, events: OrderingEvent[], context?: AppendContext): Promise<Position>;
  /** Decides on the delivery day, appends the outcome and waits for the projection; returns the events. */
  decideDay(command: DeliveryDayCommand): Promise<DeliveryDayEvent[]>;
  /** The same for a vial. */
  decideVial(command: VialCommand): Promise<VialEvent[]>;
  dayState(endpointId: string, date: string): DeliveryDayState;
  vialState(vialId: string): VialState;
}

export async function openOrderingTestBed(purpose: string): Promise<OrderingTestBed> {
  const base = await openReadModelTestBed({
    purpose,
    projection: orderingProjection,
    schemaVersionOf: (type) => orderingEventSchemaVersions[type as OrderingEventType],
    actor: productionUser,
  });
  const history = new Map<string, OrderingEvent[]>();
  const revisions = new Map<string, bigint>();
  let head: Position | null = null;

  const signatureOf = (
    meaning: SignatureMeaning,
    streamId: string,
    events: readonly OrderingEvent[],
  ): SignatureBlock => ({
    signerId: bed.actor.id,
    printedName: bed.actor.printedName,
    meaning,
    signedAt: bed.occurredAt,
    recordHash: createHash('sha256').update(JSON.stringify({ streamId, events })).digest('hex'),
  });

  const envelope = (
    streamId: string,
    event: OrderingEvent,
    events: readonly OrderingEvent[],
    context: AppendContext,
  ): NewEvent => {
    const causationId = randomUUID();
    return {
      type: event.type,
      data: event.data,
      metadata: {
        eventId: randomUUID(),
        schemaVersion: context.schemaVersion ?? orderingEventSchemaVersions[event.type],
        occurredAt: bed.occurredAt,
        recordedAt: new Date().toISOString(),
        actor: bed.actor,
        ...(context.reason !== undefined ? { reason: context.reason } : {}),
        correlationId: causationId,
        causationId,
        ...(context.signatureMeaning ? { signature: signatureOf(context.signatureMeaning, streamId, events) } : {}),
      },
    };
  };

  /** Business time, reason and signature as the pipeline takes them from a command. */
  const contextOf = (command: object): AppendContext => {
    const { reason, signatureMeaning } = command as { reason?: unknown; signatureMeaning?: SignatureMeaning | null };
    return {
      ...(typeof reason === 'string' ? { reason } : {}),
      ...(signatureMeaning ? { signatureMeaning } : {}),
    };
  };

  async function decided<E extends OrderingEvent>(streamId: string, command: { at: string }, events: E[]) {
    if (events.length === 0) return events;
    const occurredAt = bed.occurredAt;
    bed.occurredAt = command.at;
    try {
      await bed.append(streamId, events, contextOf(command));
    } finally {
      bed.occurredAt = occurredAt;
    }
    await bed.caughtUp();
    return events;
  }

  const extras: Omit<OrderingTestBed, keyof ReadModelTestBed> = {
    recordDatabase: base.database,
    readModel: new OrderingReadModel(base.pool, base.database),
    actor: productionUser,

    async append(streamId, events, context = {}) {
      const expected = revisions.get(streamId) ?? 'no_stream';
      const result = await base.store.append(
        streamId,
        events.map((event) => envelope(streamId, event, events, context)),
        expected,
      );
      revisions.set(streamId, result.nextExpectedRevision);
      history.set(streamId, [...(history.get(streamId) ?? []), ...events]);
      head = result.position;
      return result.position;
    },

    async decideDay(command) {
      const streamId = deliveryDayStreamName(command.endpointId, command.date);
      const events = deliveryDayDecider.decide(command, bed.dayState(command.endpointId, command.date));
      return decided(streamId, command, events);
    },

    async decideVial(command) {
      const vialId =
        command.type === 'DispenseVial'
          ? vialIdOf(normaliseLotNumber(command.lot), command.fillDate, command.fillTime)
          : command.vialId;
      const events = vialDecider.decide(command, bed.vialState(vialId));
      return decided(vialStreamName(vialId), command, events);
    },

    dayState(endpointId, date) {
      const events = history.get(deliveryDayStreamName(endpointId, date)) ?? [];
      return fold(deliveryDayDecider, events as DeliveryDayEvent[]);
    },

    vialState(vialId) {
      return fold(vialDecider, (history.get(vialStreamName(vialId)) ?? []) as VialEvent[]);
    },
  };

  // One object: specs set `occurredAt` and `actor` on it, and the envelope reads them from there.
  const bed: OrderingTestBed = Object.assign(base, extras, {
    /** Each event in its own append, as the base bed does; signatures are not needed there. */
    async appendEvents(...events: StreamEvent[]) {
      for (const { streamId, type, data, schemaVersion, reason } of events) {
        await bed.append(streamId, [{ type, data } as OrderingEvent], {
          ...(schemaVersion !== undefined ? { schemaVersion } : {}),
          ...(reason !== undefined ? { reason } : {}),
        });
      }
      return bed.lastPosition();
    },
    lastPosition() {
      if (!head) throw new Error('nothing appended yet');
      return head;
    },
    async caughtUp() {
      if (head) await base.engine.waitForPosition(ORDERING_PROJECTION_NAME, head, WAIT_MS);
    },
  });
  return bed;
}
