import { randomUUID } from 'node:crypto';
import { bookingStreamName } from '@tracershop/domain/bookings';
import { a1Imported } from '@tracershop/domain/bookings/bookings-examples';
import { CommandPipeline, type CommandContext, type StateChange } from '@tracershop/command-pipeline';
import { MemoryEventStore, type NewEvent } from '@tracershop/event-store';
import {
  deliveryTimeSlotStreamName,
  isotopeStreamName,
  productionRunStreamName,
  tracerStreamName,
  type DeliveryTimeSlotScheduled,
} from '@tracershop/domain/catalog';
import {
  f18Registered,
  fdgRegistered,
  mondayRunScheduled,
  mondaySlotScheduled,
} from '@tracershop/domain/catalog/catalog-examples';
import {
  deliveryDayDecider,
  deliveryDayStreamName,
  orderingEventSchemaVersions,
  vialDecider,
  vialStreamName,
  type DeliveryDayCommand,
  type DeliveryDayEvent,
  type DeliveryDayState,
  type VialState,
} from '@tracershop/domain/ordering';
import {
  at,
  at1030,
  date,
  endpointId,
  fdgPlaced,
  fdgVial1,
  ghostAt0900,
  order1At1030,
  order1MovedTo0900,
  releasedVial,
  secondMondayRunScheduled,
  timeZone,
} from '@tracershop/domain/ordering/ordering-examples';
import { deliveryDayCommand, loadedByHandler, vialCommand } from './ordering-commands';

const context = (causationId: string): CommandContext => ({
  actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
  correlationId: causationId,
  causationId,
});
const dayStream = 'ordering.deliveryDay-ep-herlev-pet:2026-03-02';

/** An event as the pipeline would have appended it. */
const recorded = (type: string, data: object): NewEvent => ({
  type,
  data,
  metadata: {
    eventId: randomUUID(),
    schemaVersion: orderingEventSchemaVersions[type as keyof typeof orderingEventSchemaVersions] ?? 1,
    occurredAt: at,
    recordedAt: at,
    actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
    correlationId: 'seed',
    causationId: 'seed',
  },
});
const { vialId, ...vial } = fdgVial1.data;

/** A day change that records release `releaseId` with the vial (nothing else of the day matters to the hooks). */
function releasing(releaseId: string, causationId: string): StateChange<DeliveryDayState> {
  const before = deliveryDayDecider.initialState();
  const release = { releaseId, status: 'released', vials: [releasedVial(fdgVial1, null)] };
  const after = { ...before, releases: { [releaseId]: release } } as unknown as DeliveryDayState;
  return { streamId: dayStream, before, after, context: context(causationId) };
}

async function dispensed() {
  const pipeline = new CommandPipeline({ store: new MemoryEventStore() });
  await pipeline.execute(
    vialCommand,
    { type: 'DispenseVial', ...vial, fromOldSystemRow: false, at: '2026-03-02T08:50:00.000Z' },
    context('dispense'),
  );
  const day = deliveryDayCommand(pipeline);
  const assignment = async () =>
    ((await pipeline.loadState(vialStreamName(vialId), vialDecider)) as VialState & { assignedTo?: unknown })
      .assignedTo;
  return { pipeline, day, assignment };
}

describe('deliveryDayCommand: the vials of a release', () => {
  it('given a release whose append failed, when its vials were assigned by it, then they are given back', async () => {
    const { day, assignment } = await dispensed();
    const change = releasing('release-1', 'request-a');
    await day.beforeAppend!(change);
    expect(await assignment()).toMatchObject({ releaseId: 'release-1' });
    await day.appendFailed!(change);
    expect(await assignment()).toBeNull();
  });

  it('given a vial another request assigned to the same release, when this request’s append fails, then the vial stays assigned', async () => {
    const { day, assignment } = await dispensed();
    // Request A assigns the vial to release-1; request B releases release-1 too (the same id sent twice).
    await day.beforeAppend!(releasing('release-1', 'request-a'));
    const second = releasing('release-1', 'request-b');
    await day.beforeAppend!(second);
    // B's append meets A's (a conflict): A's release stands with its vial.
    await day.appendFailed!(second);
    expect(await assignment()).toMatchObject({ releaseId: 'release-1' });
  });

  it('given a vial corrected after the release read it, when the release is about to be recorded, then it is refused and the vial stays free', async () => {
    const { pipeline, day, assignment } = await dispensed();
    await pipeline.execute(
      vialCommand,
      {
        type: 'CorrectVial',
        vialId,
        changes: { activityMBq: 480 },
        reason: 'Measured again',
        at: '2026-03-02T09:00:00Z',
      },
      context('correction'),
    );
    await expect(day.beforeAppend!(releasing('release-1', 'request-a'))).rejects.toMatchObject({
      code: 'VIAL_CHANGED',
    });
    expect(await assignment()).toBeNull();
  });
});

describe('deliveryDayCommand: the slots a move, a restore and a reinstatement are decided on', () => {
  const day = { endpointId, date, at };
  const reason = 'Production plan changed';
  const slot1030: DeliveryTimeSlotScheduled = {
    type: 'DeliveryTimeSlotScheduled',
    data: {
      ...mondaySlotScheduled.data,
      slotId: 'slot-herlev-mon-1030',
      productionRunId: 'run-mon-2',
      deliveryTime: '10:30',
      legacyId: 13,
    },
  };
  const slot0930: DeliveryTimeSlotScheduled = {
    type: 'DeliveryTimeSlotScheduled',
    data: { ...mondaySlotScheduled.data, slotId: 'slot-herlev-mon-0930', deliveryTime: '09:30', legacyId: 17 },
  };
  const slot0900: DeliveryTimeSlotScheduled = {
    type: 'DeliveryTimeSlotScheduled',
    data: { ...mondaySlotScheduled.data, slotId: 'slot-herlev-mon-0900', deliveryTime: '09:00', legacyId: 12 },
  };
  const slotUpdated = (slotId: string, changes: object) => ({
    type: 'DeliveryTimeSlotUpdated',
    data: { slotId, changes },
  });
  const slotArchived = (slotId: string) => ({
    type: 'DeliveryTimeSlotArchived',
    data: { slotId, reason: 'Run dropped' },
  });

  /** The catalogue and the day as the store holds them; the command's refs are the handler's to load. */
  async function given(catalog: Record<string, { type: string; data: object }[]>, dayEvents: DeliveryDayEvent[]) {
    const store = new MemoryEventStore();
    for (const [stream, events] of Object.entries(catalog)) {
      await store.append(
        stream,
        events.map((event) => recorded(event.type, event.data)),
        'any',
      );
    }
    await store.append(
      deliveryDayStreamName(endpointId, date),
      dayEvents.map((event) => recorded(event.type, event.data)),
      'no_stream',
    );
    const pipeline = new CommandPipeline({ store });
    return {
      execute: (command: DeliveryDayCommand) =>
        pipeline.execute(deliveryDayCommand(pipeline), command, context('request')),
      /** The day's events of a type, as the store holds them. */
      appended: async (type: string) =>
        (await store.readStream(deliveryDayStreamName(endpointId, date))).filter((event) => event.type === type),
    };
  }
  const runs = {
    [productionRunStreamName('run-mon-1')]: [mondayRunScheduled],
    [productionRunStreamName('run-mon-2')]: [secondMondayRunScheduled],
  };
  const move = (targetSlotId: string): DeliveryDayCommand => ({
    type: 'MoveOrderToSlot',
    ...day,
    orderId: 'order-1',
    targetSlotId,
    reason,
    ghostLegacyOid: 9001,
    secondGhostLegacyOid: 9002,
    timeZone,
    refs: loadedByHandler,
  });

  it('given the ordered slot rescheduled from 10:30 to 09:15 after ordering, when the order is moved to 09:30, then it is a later slot', async () => {
    const { execute } = await given(
      {
        ...runs,
        [deliveryTimeSlotStreamName('slot-herlev-mon-1030')]: [
          slot1030,
          slotUpdated('slot-herlev-mon-1030', { deliveryTime: { from: '10:30', to: '09:15' } }),
        ],
        [deliveryTimeSlotStreamName('slot-herlev-mon-0930')]: [slot0930],
      },
      [order1At1030],
    );
    await expect(execute(move('slot-herlev-mon-0930'))).rejects.toMatchObject({
      code: 'MOVE_TO_LATER_SLOT',
      details: { orderedTime: '09:15', targetTime: '09:30' },
    });
  });

  it('given the isotope’s half-life corrected after ordering, when the order is moved, then it decays with the corrected one', async () => {
    const { execute, appended } = await given(
      {
        ...runs,
        [deliveryTimeSlotStreamName('slot-herlev-mon-1030')]: [slot1030],
        [deliveryTimeSlotStreamName('slot-herlev-mon-0900')]: [slot0900],
        [tracerStreamName('tracer-fdg')]: [fdgRegistered],
        [isotopeStreamName('iso-f18')]: [
          f18Registered,
          {
            type: 'IsotopeUpdated',
            data: { isotopeId: 'iso-f18', changes: { halfLifeSeconds: { from: 6586.2, to: 6000 } }, reason: 'Typo' },
          },
        ],
      },
      [order1At1030],
    );
    await execute(move('slot-herlev-mon-0900'));
    const [movedEvent] = await appended('OrderMovedToSlot');
    // 10:30 → 09:00 is 90 minutes: 2^(5400 / 6000), not 2^(5400 / 6586.2) as placed
    expect((movedEvent?.data as { decayFactor: number }).decayFactor).toBeCloseTo(2 ** (5400 / 6000), 12);
  });

  it('given the slot filled while the order was away, when it is restored, then the slot maximum refuses it', async () => {
    const { execute } = await given(
      {
        ...runs,
        [deliveryTimeSlotStreamName('slot-herlev-mon-1030')]: [
          slot1030,
          slotUpdated('slot-herlev-mon-1030', { maxActivityMBq: { from: null, to: 1500 } }),
        ],
      },
      [order1At1030, order1MovedTo0900, ghostAt0900, fdgPlaced('order-5', 1005, at1030, 900)],
    );
    const restore: DeliveryDayCommand = {
      type: 'RestoreOrder',
      ...day,
      orderId: 'order-1',
      reason,
      ghostLegacyOid: 9003,
      refs: loadedByHandler,
    };
    await expect(execute(restore)).rejects.toMatchObject({
      code: 'SLOT_MAX_ACTIVITY_EXCEEDED',
      details: { maxActivityMBq: 1500, orderedMBq: 1900 },
    });
    // The same through a move to its own slot.
    await expect(execute(move('slot-herlev-mon-1030'))).rejects.toMatchObject({ code: 'SLOT_MAX_ACTIVITY_EXCEEDED' });
  });

  it('given the slot a cancelled, moved order was served from archived since, when it is reinstated, then the slot no longer delivers', async () => {
    const { execute } = await given(
      {
        ...runs,
        [deliveryTimeSlotStreamName('slot-herlev-mon-1030')]: [slot1030],
        [deliveryTimeSlotStreamName('slot-herlev-mon-0900')]: [slot0900, slotArchived('slot-herlev-mon-0900')],
      },
      [
        order1At1030,
        order1MovedTo0900,
        ghostAt0900,
        {
          type: 'OrderCancelled',
          data: { orderId: 'order-1', previousStatus: 'ordered', reason: 'Patient cancelled', actingAs: 'production' },
        },
        {
          type: 'GhostOrderDissolved',
          data: {
            ghostId: ghostAt0900.data.ghostId,
            slotId: 'slot-herlev-mon-0900',
            legacyOid: 9001,
            because: 'hosts_nothing',
          },
        },
      ],
    );
    const reinstate: DeliveryDayCommand = {
      type: 'ReinstateOrder',
      ...day,
      orderId: 'order-1',
      reason,
      ghostLegacyOid: 9004,
      refs: loadedByHandler,
    };
    await expect(execute(reinstate)).rejects.toMatchObject({
      code: 'SLOT_DOES_NOT_DELIVER',
      details: { slotId: 'slot-herlev-mon-0900', status: 'archived' },
    });
  });

  describe('a reinstatement and the bookings the order was made from', () => {
    const accessionNumber = a1Imported.data.accessionNumber;
    const nextMonday = '2026-03-09';
    const fromBooking = fdgPlaced('order-1', 1001, at1030, 1000);
    fromBooking.data.order.bookingIds = [accessionNumber];
    const placedAgain = fdgPlaced('order-9', 1009, at1030, 1000);
    const orderedAgain = {
      ...placedAgain,
      data: {
        ...placedAgain.data,
        date: nextMonday,
        order: { ...placedAgain.data.order, bookingIds: [accessionNumber] },
      },
    };
    const cancelled = (orderId: string) => ({
      type: 'OrderCancelled',
      data: { orderId, previousStatus: 'ordered', reason: 'Study moved', actingAs: 'production' },
    });
    /** The study ordered with order-1, rescheduled a week on, and ordered again there with order-9. */
    const bookingStream = {
      [bookingStreamName(accessionNumber)]: [
        a1Imported,
        { type: 'BookingOrdered', data: { accessionNumber, orderId: 'order-1', endpointId, date } },
        {
          type: 'BookingUpdated',
          data: {
            accessionNumber,
            changes: { startDate: { from: date, to: nextMonday } },
            status: { from: 'ordered', to: 'changed-after-order' },
          },
        },
        { type: 'BookingOrdered', data: { accessionNumber, orderId: 'order-9', endpointId, date: nextMonday } },
      ],
    };
    const reinstate: DeliveryDayCommand = {
      type: 'ReinstateOrder',
      ...day,
      orderId: 'order-1',
      reason,
      ghostLegacyOid: 9004,
      refs: loadedByHandler,
    };
    const catalog = { ...runs, [deliveryTimeSlotStreamName('slot-herlev-mon-1030')]: [slot1030] };

    it('given the booking ordered again on another day, when the cancelled order is reinstated, then it is refused', async () => {
      const { execute } = await given(
        { ...catalog, ...bookingStream, [deliveryDayStreamName(endpointId, nextMonday)]: [orderedAgain] },
        [fromBooking, cancelled('order-1') as DeliveryDayEvent],
      );
      await expect(execute(reinstate)).rejects.toMatchObject({
        code: 'BOOKING_ALREADY_ORDERED',
        details: { accessionNumber, orderId: 'order-9', orderEndpointId: endpointId, orderDate: nextMonday },
      });
    });

    it('given the order that ordered it again withdrawn too, when the cancelled order is reinstated, then it is', async () => {
      const { execute } = await given(
        {
          ...catalog,
          ...bookingStream,
          [deliveryDayStreamName(endpointId, nextMonday)]: [orderedAgain, cancelled('order-9')],
        },
        [fromBooking, cancelled('order-1') as DeliveryDayEvent],
      );
      expect((await execute(reinstate)).events).toEqual(['OrderReinstated']);
    });
  });
});
