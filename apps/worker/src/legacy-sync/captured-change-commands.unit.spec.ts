import type { CommandDefinition } from '@tracershop/command-pipeline';
import { DomainError, type DomainEvent } from '@tracershop/domain/kernel';
import {
  deliveryDayDecider,
  type ActivityOrder,
  type DeliveryDayState,
  type Order,
  type PlaceActivityOrder,
} from '@tracershop/domain/ordering';
import { placeFdg } from '../../../../projections/legacy/test-support/legacy-fixtures';
import { LEGACY_IMPORT_ACCOUNT, type CapturedChange, type CapturedRow } from './captured-change';
import {
  customerIdOfLegacyRow,
  endpointIdOfLegacyCustomer,
  productionRunIdOfLegacyRow,
  slotIdOfLegacyRow,
} from './captured-catalog-changes';
import { planCapturedChange } from './captured-change-commands';
import type { CapturedChangeLookups, CapturePlan, CapturePlanning, SlotAt } from './captured-change-plan';
import { IMPORTED_AT_GO_LIVE } from './captured-order-changes';

const definition = (name: string) => ({ name }) as unknown as CommandDefinition<never, DomainEvent, never>;

const order = (orderId: string, legacyOid: number, changes: Partial<Order> = {}): ActivityOrder =>
  ({
    kind: 'activity',
    orderId,
    legacyOid,
    slotId: 'slot-0800',
    movedTo: null,
    status: 'ordered',
    ...changes,
  }) as ActivityOrder;

const dayOf = (orders: Order[]) =>
  ({ orders: Object.fromEntries(orders.map((o) => [o.orderId, o])) }) as unknown as DeliveryDayState;

/**
 * Herlev's PET endpoint delivers FDG at 08:00 (run 1); a second endpoint, when given, at 10:30 and
 * holds its own orders. The command side holds Herlev (42), its PET endpoint and their FDG and FET
 * permissions. `lookups` replaces any of these.
 */
function planning(
  orders: Order[],
  lab: { orders: Order[] } | null = null,
  lookups: Partial<CapturedChangeLookups> = {},
): CapturePlanning {
  const day = dayOf(orders);
  let nextId = 500;
  return {
    definitions: {
      closedDate: definition('ClosedDate') as never,
      vial: definition('Vial') as never,
      deliveryDay: definition('DeliveryDay') as never,
      customer: definition('Customer') as never,
      deliveryTimeSlot: definition('DeliveryTimeSlot') as never,
      productionRun: definition('ProductionRun') as never,
      tracer: definition('Tracer') as never,
      deliveryEndpoint: definition('DeliveryEndpoint') as never,
      tracerPermission: definition('TracerPermission') as never,
    },
    lookups: {
      customerIdOfLegacyUser: async (legacyId) => (legacyId === 42 ? 'cust-herlev' : null),
      // The old system's Users rows: 42 Herlev (a customer already), 51 a new hospital, 53 staff.
      legacyUserRow: async (legacyId) =>
        (
          ({
            51: {
              Id: 51,
              Username: 'hvidovre',
              Realname: 'Hvidovre Hospital',
              EMail: 'pet@hvidovre.example',
              EMail2: null,
              EMail3: null,
              EMail4: null,
              overhead: 15,
              kundenr: 12,
              tlf: 38623862,
              contact: 'Ida',
              addr1: 'Kettegård Allé 30',
              addr2: 'Hvidovre',
              addr3: null,
              addr4: null,
              shortname: 'hvidovre',
              title: null,
            },
            53: { Id: 53, Username: 'peter', Realname: 'Peter', kundenr: null },
          }) as Record<number, CapturedRow>
        )[legacyId] ?? null,
      tracerIdOfLegacyTracer: async (legacyId) => ({ 6: 'tracer-fdg', 8: 'tracer-fet' })[legacyId] ?? null,
      // FDG's runs: Monday has run 1 only.
      productionRunIdsOf: async (tracerId, weekday, runNumber) =>
        tracerId === 'tracer-fdg' && weekday === 1 && runNumber === 1 ? ['run-monday-1'] : [],
      productionRunOfLegacyId: async (legacyId) =>
        legacyId === 11 ? { productionRunId: 'run-monday-1', active: true } : null,
      deliveryTimeSlotOfLegacyId: async (legacyId) => (legacyId === 21 ? { slotId: 'slot-0800', active: true } : null),
      tracerPermissionOfLegacyId: async (legacyId) =>
        legacyId === 13 ? { endpointId: 'endpoint-pet', tracerId: 'tracer-fet' } : null,
      activeEndpointIds: async () => (lab ? ['endpoint-pet', 'endpoint-lab'] : ['endpoint-pet']),
      slotsAt: async (endpoint, _date, time) =>
        endpoint === 'endpoint-pet' && time === '08:00'
          ? [{ slotId: 'slot-0800', tracerId: 'tracer-fdg', runNumber: 1 }]
          : endpoint === 'endpoint-lab' && time === '10:30'
            ? [{ slotId: 'slot-lab-1030', tracerId: 'tracer-fdg', runNumber: 1 }]
            : [],
      deliveryDay: async (endpoint) => (endpoint === 'endpoint-lab' && lab ? dayOf(lab.orders) : day),
      newOrdersLegacyId: async () => (nextId += 2),
      customerRegistered: async (customerId) => customerId === 'cust-herlev',
      deliveryEndpointRegistered: async (endpointId) => endpointId === 'endpoint-pet',
      tracerPermissionStatus: async (endpointId, tracerId) =>
        endpointId === 'endpoint-pet' && ['tracer-fdg', 'tracer-fet'].includes(tracerId) ? 'active' : 'absent',
      localMomentOf: () => ({ date: '2027-01-01', time: '10:00' }),
      activityDeadline: { kind: 'daily', time: '13:00' },
      injectionDeadline: { kind: 'weekly', weekday: 4, time: '13:00' },
      ...lookups,
    },
  };
}

const row = (changes: Record<string, string | number | null> = {}): CapturedRow => ({
  BID: 42,
  OID: 31,
  amount: 1000,
  deliver_datetime: '2027-01-04 08:00:00',
  status: 1,
  run: 1,
  COID: -1,
  total_amount: 1000,
  amount_o: 1100,
  total_amount_o: 1100,
  batchnr: '',
  comment: null,
  userName: 'herlev',
  tracer: 6,
  ...changes,
});

const change = (
  operation: CapturedChange['operation'],
  before: CapturedRow | null,
  after: CapturedRow | null,
  table = 'orders',
): CapturedChange => ({
  id: 7,
  table,
  operation,
  rowKey: '31',
  before,
  after,
  capturedAt: '2027-01-01T09:00:00.000Z',
  capturedBy: 'zope@host',
});

const commandTypes = async (captured: CapturedChange, orders = [order('order-31', 31)]) => {
  const plan = await planCapturedChange(captured, planning(orders));
  return plan.kind === 'commands'
    ? plan.commands.map((planned) => (planned.command as { type: string }).type)
    : `unsupported: ${plan.message}`;
};

const refusal = async (captured: CapturedChange, orders = [order('order-31', 31)]) => {
  try {
    await planCapturedChange(captured, planning(orders));
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('captured orders rows become delivery-day commands', () => {
  it("given a customer's new row, then the order is placed at the slot of its delivery time, with the row's id", async () => {
    const plan = await planCapturedChange(change('insert', null, row({ comment: 'hot lab' })), planning([]));

    expect(plan.kind).toBe('commands');
    const [placed] = plan.kind === 'commands' ? plan.commands : [];
    expect(placed?.command).toMatchObject({
      type: 'PlaceActivityOrder',
      legacyOid: 31,
      endpointId: 'endpoint-pet',
      date: '2027-01-04',
      slotId: 'slot-0800',
      activityMBq: 1000,
      comment: 'hot lab',
      orderedBy: { username: 'herlev' },
      actingAs: 'shop',
      now: { date: '2027-01-01', time: '10:00' },
      at: '2027-01-01T09:00:00.000Z',
    });
    expect(placed?.reason).toBe('Ordered in the old system');
  });

  it('given rows production makes (accepted, moved in), then inserting them is not translated', async () => {
    expect(await commandTypes(change('insert', null, row({ status: 2, amount: 0 })))).toMatch(/^unsupported/);
    expect(await commandTypes(change('insert', null, row({ COID: 29 })))).toMatch(/^unsupported/);
  });

  it('given no customer, slot or single endpoint to place it on, then the change is refused with the reason', async () => {
    expect(await refusal(change('insert', null, row({ BID: 17 })))).toBe('LEGACY_CUSTOMER_UNKNOWN');
    expect(await refusal(change('insert', null, row({ deliver_datetime: '2027-01-04 09:15:00' })))).toBe(
      'LEGACY_SLOT_NOT_FOUND',
    );
  });

  it('given status changes, then they become accept, reject, cancel and reinstate', async () => {
    expect(await commandTypes(change('update', row(), row({ status: 2 })))).toEqual(['AcceptOrder']);
    expect(await commandTypes(change('update', row(), row({ status: 4 })))).toEqual(['RejectOrder']);
    expect(await commandTypes(change('update', row({ status: 2 }), row({ status: 4 })))).toEqual(['CancelOrder']);
    expect(await commandTypes(change('update', row({ status: 4 }), row({ status: 2 })))).toEqual(['ReinstateOrder']);
    expect(await commandTypes(change('update', row({ status: 2 }), row({ status: 3 })))).toMatch(/^unsupported/);
  });

  it('given an edit of activity and comment, then one change carries both, before a status change in the same write', async () => {
    const plan = await planCapturedChange(
      change('update', row(), row({ amount: 1200, amount_o: 1320, comment: 'more', status: 2 })),
      planning([order('order-31', 31)]),
    );
    const commands = plan.kind === 'commands' ? plan.commands.map((planned) => planned.command) : [];
    expect(commands).toEqual([
      expect.objectContaining({ type: 'ChangeActivityOrder', orderId: 'order-31', activityMBq: 1200, comment: 'more' }),
      expect.objectContaining({ type: 'AcceptOrder', orderId: 'order-31' }),
    ]);
  });

  it('given a move, a release or only derived columns, then the change is not translated', async () => {
    expect(await commandTypes(change('update', row(), row({ run: 2, COID: 29, total_amount: 0 })))).toMatch(
      /run, COID changed/,
    );
    expect(await commandTypes(change('update', row(), row({ total_amount: 1500, total_amount_o: 1650 })))).toMatch(
      /only derived columns/,
    );
  });

  it("given a customer's delete, then an ordered order is cancelled; other deletes are production's", async () => {
    expect(await commandTypes(change('delete', row(), null))).toEqual(['CancelOrder']);
    expect(await commandTypes(change('delete', row({ status: 2 }), null))).toMatch(/^unsupported/);
  });

  it('given a row that stands for several orders, or for none, then the change is refused', async () => {
    const merged = [order('order-31', 31), order('order-33', 33)];
    expect(await refusal(change('update', row(), row({ status: 2 })), merged)).toBe('LEGACY_ROW_HOLDS_SEVERAL_ORDERS');
    const withdrawnBeside = [order('order-31', 31), order('order-33', 33, { status: 'cancelled' })];
    expect(await commandTypes(change('update', row(), row({ status: 2 })), withdrawnBeside)).toEqual(['AcceptOrder']);
    expect(await refusal(change('update', row(), row({ status: 2 })), [])).toBe('LEGACY_ORDER_UNKNOWN');
  });
});

describe('captured t_orders rows become injection-order commands', () => {
  const tRow = (changes: Record<string, string | number | null> = {}): CapturedRow => ({
    BID: 42,
    OID: 19,
    deliver_datetime: '2027-01-04 11:45:00',
    status: 1,
    batchnr: '',
    frigivet_datetime: null,
    frigivet_af: null,
    tracer: 8,
    n_injections: 3,
    anvendelse: 'Dyr',
    comment: null,
    userName: 'herlev',
    ...changes,
  });
  const injection = order('order-t19', 19, { kind: 'injection' } as Partial<Order>);
  const tChange = (operation: CapturedChange['operation'], before: CapturedRow | null, after: CapturedRow | null) =>
    change(operation, before, after, 't_orders');

  it("given a customer's new row, then the injection order is placed with its tracer, time, count and usage", async () => {
    const plan = await planCapturedChange(tChange('insert', null, tRow()), planning([]));
    const [placed] = plan.kind === 'commands' ? plan.commands : [];
    expect(placed?.command).toMatchObject({
      type: 'PlaceInjectionOrder',
      legacyOid: 19,
      tracerId: 'tracer-fet',
      date: '2027-01-04',
      deliveryTime: '11:45',
      injections: 3,
      usage: 'animal',
      deadline: { kind: 'weekly', weekday: 4, time: '13:00' },
    });
  });

  it('given an unknown tracer or usage, then the change is refused with the reason', async () => {
    expect(await refusal(tChange('insert', null, tRow({ tracer: 77 })))).toBe('LEGACY_TRACER_UNKNOWN');
    expect(await refusal(tChange('insert', null, tRow({ anvendelse: 'Hest' })))).toBe('INVALID_CAPTURED_ROW');
  });

  it('given an edit and an accept in one write, then the order changes, then is accepted', async () => {
    const plan = await planCapturedChange(
      tChange('update', tRow(), tRow({ n_injections: 4, deliver_datetime: '2027-01-04 12:00:00', status: 2 })),
      planning([injection]),
    );
    const commands = plan.kind === 'commands' ? plan.commands.map((planned) => planned.command) : [];
    expect(commands).toEqual([
      expect.objectContaining({
        type: 'ChangeInjectionOrder',
        orderId: 'order-t19',
        changes: { injections: 4, deliveryTime: '12:00' },
      }),
      expect.objectContaining({ type: 'AcceptOrder', orderId: 'order-t19' }),
    ]);
  });

  it('given a release or a move to another day, then the change is not translated', async () => {
    const released = tRow({ status: 3, batchnr: 'FET-270104-1', frigivet_af: 12 });
    expect(await commandTypes(tChange('update', tRow({ status: 2 }), released), [injection])).toMatch(/^unsupported/);
    const otherDay = tRow({ deliver_datetime: '2027-01-05 11:45:00' });
    expect(await commandTypes(tChange('update', tRow(), otherDay), [injection])).toMatch(/the delivery date changed/);
  });

  it("given a customer's delete of an ordered row, then the order is cancelled without a ghost", async () => {
    const plan = await planCapturedChange(tChange('delete', tRow(), null), planning([injection]));
    const [cancelled] = plan.kind === 'commands' ? plan.commands : [];
    expect(cancelled?.command).toMatchObject({ type: 'CancelOrder', orderId: 'order-t19', ghostLegacyOid: 0 });
  });
});

describe("captured Users rows of customers become the customer's changed details", () => {
  const user = (changes: Record<string, string | number | null> = {}): CapturedRow => ({
    Id: 42,
    Username: 'herlev',
    Realname: 'Herlev Hospital',
    EMail: 'pet@herlev.example',
    EMail2: null,
    EMail3: null,
    EMail4: null,
    overhead: 15,
    kundenr: 2,
    tlf: 38680000,
    contact: 'Anne Jensen',
    addr1: 'Borgmester Ib Juuls Vej 1',
    addr2: 'Herlev',
    addr3: null,
    addr4: null,
    shortname: 'herlev',
    title: null,
    ...changes,
  });
  const userChange = (
    before: CapturedRow,
    after: CapturedRow | null,
    operation: CapturedChange['operation'] = 'update',
  ) => change(operation, before, after, 'Users');
  const changesOf = async (captured: CapturedChange) => {
    const plan = await planCapturedChange(captured, planning([]));
    return plan.kind === 'commands' ? (plan.commands[0]?.command as { changes: unknown }).changes : plan.message;
  };

  it('given an edit of contact columns, then only those details change', async () => {
    const edited = user({ tlf: 44884488, addr1: 'Herlev Ringvej 75', EMail2: 'nuk@herlev.example' });
    expect(await changesOf(userChange(user(), edited))).toEqual({
      phone: '44884488',
      billingAddress: 'Herlev Ringvej 75',
      emails: ['pet@herlev.example', 'nuk@herlev.example'],
    });
  });

  it('given an edit, then the change says it was made in the old system: a change of catalogue values needs a reason', async () => {
    const plan = await planCapturedChange(userChange(user(), user({ tlf: 44884488 })), planning([]));
    expect(plan.kind === 'commands' ? plan.commands[0]?.command : plan.message).toMatchObject({
      type: 'UpdateCustomer',
      reason: 'Changed in the old system',
    });
  });

  it('given an edit of the label columns, then the legacy attributes are given whole', async () => {
    const edited = user({ shortname: 'Herlev PET', title: 'PET-centret' });
    expect(await changesOf(userChange(user(), edited))).toEqual({
      legacy: { title: 'PET-centret', labelName: 'Herlev PET', addressLine3: null, addressLine4: null },
    });
  });

  it("given a staff user or a removal, then the change is Tracershop's to make", async () => {
    const staff = user({ kundenr: null, overhead: null });
    expect(await changesOf(userChange(staff, { ...staff, Realname: 'Peter H.' }))).toMatch(/staff users/);
    expect(await changesOf(change('insert', null, staff, 'Users'))).toMatch(/staff users/);
    expect(await changesOf(userChange(user(), null, 'delete'))).toMatch(/customers are archived there/);
  });

  it('given a customer Tracershop does not know, then the change is refused', async () => {
    expect(await refusal(change('update', user({ Id: 17 }), user({ Id: 17, tlf: 1 }), 'Users'))).toBe(
      'LEGACY_CUSTOMER_UNKNOWN',
    );
  });
});

describe('captured rows of a customer with several delivery endpoints', () => {
  it('given an FDG order, then the slot of its delivery time names the endpoint', async () => {
    const plan = await planCapturedChange(
      change('insert', null, row({ deliver_datetime: '2027-01-04 10:30:00' })),
      planning([], { orders: [] }),
    );
    const [placed] = plan.kind === 'commands' ? plan.commands : [];
    expect(placed?.command).toMatchObject({ endpointId: 'endpoint-lab', slotId: 'slot-lab-1030' });
  });

  it('given a change of an order, then it goes to the endpoint whose day holds the order', async () => {
    const plan = await planCapturedChange(
      change('update', row(), row({ status: 2 })),
      planning([], { orders: [order('order-31', 31)] }),
    );
    const [accepted] = plan.kind === 'commands' ? plan.commands : [];
    expect(accepted?.command).toMatchObject({ type: 'AcceptOrder', endpointId: 'endpoint-lab', orderId: 'order-31' });
  });

  it("given a row that stands for both endpoints' orders (one time, one run), then a change of it is refused", async () => {
    // The legacy projection made one row of order-31 (PET) and order-41 (the lab), both 08:00 on run 1
    const plan = planCapturedChange(
      change('update', row(), row({ amount: 1200 })),
      planning([order('order-31', 31)], { orders: [order('order-41', 41, { deliveryTime: '08:00', runNumber: 1 })] }),
    );
    await expect(plan).rejects.toMatchObject({ code: 'LEGACY_ROW_HOLDS_SEVERAL_ORDERS' });
  });

  it('given an injection order, which names no slot, then the change is refused', async () => {
    const tRow = {
      BID: 42,
      OID: 19,
      deliver_datetime: '2027-01-04 11:45:00',
      status: 1,
      tracer: 8,
      n_injections: 1,
      anvendelse: 'Human',
    };
    const captured = change('insert', null, tRow, 't_orders');
    await expect(planCapturedChange(captured, planning([], { orders: [] }))).rejects.toMatchObject({
      code: 'LEGACY_CUSTOMER_ENDPOINT_AMBIGUOUS',
    });
  });
});

describe('captured deliverTimes rows become delivery time slot commands', () => {
  const slotRow = (changes: Record<string, string | number | null> = {}): CapturedRow => ({
    BID: 42,
    day: 1,
    repeat_t: 2,
    dtime: '08:15:00',
    max: 4000,
    run: 1,
    DTID: 21,
    ...changes,
  });
  const slotChange = (operation: CapturedChange['operation'], before: CapturedRow | null, after: CapturedRow | null) =>
    change(operation, before, after, 'deliverTimes');
  const commandsOf = async (captured: CapturedChange, lab: { orders: Order[] } | null = null) => {
    const plan = await planCapturedChange(captured, planning([], lab));
    return plan.kind === 'commands' ? plan.commands : `unsupported: ${plan.message}`;
  };

  it("given a new row, then a slot is scheduled on FDG's run of that weekday, with the row's id and an id of its own", async () => {
    const [scheduled] = (await commandsOf(slotChange('insert', null, slotRow()))) as { command: unknown }[];
    expect(scheduled?.command).toMatchObject({
      type: 'ScheduleDeliveryTimeSlot',
      slotId: slotIdOfLegacyRow(21),
      endpointId: 'endpoint-pet',
      productionRunId: 'run-monday-1',
      deliveryTime: '08:15',
      repeat: 'even',
      maxActivityMBq: 4000,
      expiryDate: null,
      legacyId: 21,
      at: '2027-01-01T09:00:00.000Z',
    });
    // Synced again after a crash, the row schedules the same slot: its stream takes it once.
    expect(slotIdOfLegacyRow(21)).toBe(slotIdOfLegacyRow(21));
    expect(slotIdOfLegacyRow(21)).not.toBe(slotIdOfLegacyRow(23));
  });

  it('given no production run with that number, an unknown repeat or several endpoints, then the change is refused', async () => {
    expect(await refusal(slotChange('insert', null, slotRow({ run: 2 })))).toBe('LEGACY_PRODUCTION_RUN_UNKNOWN');
    expect(await refusal(slotChange('insert', null, slotRow({ BID: 17 })))).toBe('LEGACY_CUSTOMER_UNKNOWN');
    expect(await refusal(slotChange('insert', null, slotRow({ repeat_t: 5 })))).toBe('INVALID_CAPTURED_ROW');
    await expect(
      planCapturedChange(slotChange('insert', null, slotRow()), planning([], { orders: [] })),
    ).rejects.toMatchObject({
      code: 'LEGACY_CUSTOMER_ENDPOINT_AMBIGUOUS',
    });
  });

  it('given an edit of time, repeat and maximum, then the slot is updated with just those', async () => {
    const [updated] = (await commandsOf(
      slotChange('update', slotRow(), slotRow({ dtime: '08:30:00', repeat_t: 1, max: null })),
    )) as { command: unknown }[];
    expect(updated?.command).toMatchObject({
      type: 'UpdateDeliveryTimeSlot',
      slotId: 'slot-0800',
      changes: { deliveryTime: '08:30', repeat: 'every', maxActivityMBq: null },
      reason: 'Changed in the old system',
    });
  });

  it('given a row moved to another customer, weekday or run, then it is listed: a slot keeps its endpoint and run', async () => {
    expect(await commandsOf(slotChange('update', slotRow(), slotRow({ run: 2 })))).toMatch(
      /^unsupported: .*run changed/,
    );
    expect(await commandsOf(slotChange('update', slotRow(), slotRow({ day: 2, BID: 44 })))).toMatch(
      /^unsupported: .*BID, day changed/,
    );
    expect(await commandsOf(slotChange('update', slotRow(), slotRow()))).toMatch(/no column the sync translates/);
  });

  it('given a removed row, then its slot is archived; a row no slot holds is refused until one does', async () => {
    const [archived] = (await commandsOf(slotChange('delete', slotRow(), null))) as { command: unknown }[];
    expect(archived?.command).toMatchObject({
      type: 'ArchiveDeliveryTimeSlot',
      slotId: 'slot-0800',
      reason: 'Removed in the old system',
    });
    expect(await refusal(slotChange('delete', slotRow({ DTID: 23 }), null))).toBe('LEGACY_SLOT_NOT_FOUND');
  });
});

describe('captured TracerCustomer rows become tracer permission commands', () => {
  const permissionRow = (changes: Record<string, string | number | null> = {}): CapturedRow => ({
    tracer_id: 8,
    customer_id: 42,
    ID: 13,
    ...changes,
  });
  const permissionChange = (
    operation: CapturedChange['operation'],
    before: CapturedRow | null,
    after: CapturedRow | null,
  ) => change(operation, before, after, 'TracerCustomer');

  it("given a new row, then the customer's endpoint is granted the tracer with the row's id", async () => {
    const plan = await planCapturedChange(permissionChange('insert', null, permissionRow()), planning([]));
    expect(plan.kind === 'commands' ? plan.commands.map((planned) => planned.command) : plan).toEqual([
      expect.objectContaining({
        type: 'GrantTracerPermission',
        endpointId: 'endpoint-pet',
        tracerId: 'tracer-fet',
        legacyId: 13,
        at: '2027-01-01T09:00:00.000Z',
      }),
    ]);
  });

  it("given a customer with several endpoints, then each is granted and only the first takes the row's id", async () => {
    const plan = await planCapturedChange(
      permissionChange('insert', null, permissionRow()),
      planning([], { orders: [] }),
    );
    const commands = plan.kind === 'commands' ? plan.commands.map((planned) => planned.command) : [];
    expect(commands).toMatchObject([
      { endpointId: 'endpoint-pet', legacyId: 13 },
      { endpointId: 'endpoint-lab', legacyId: undefined },
    ]);
  });

  it('given an unknown tracer or customer, then the change is refused', async () => {
    expect(await refusal(permissionChange('insert', null, permissionRow({ tracer_id: 77 })))).toBe(
      'LEGACY_TRACER_UNKNOWN',
    );
    expect(await refusal(permissionChange('insert', null, permissionRow({ customer_id: 17 })))).toBe(
      'LEGACY_CUSTOMER_UNKNOWN',
    );
  });

  it('given a removed row, then the permission holding its id is revoked; any other is listed', async () => {
    const plan = await planCapturedChange(permissionChange('delete', permissionRow(), null), planning([]));
    const [revoked] = plan.kind === 'commands' ? plan.commands : [];
    expect(revoked?.command).toMatchObject({
      type: 'RevokeTracerPermission',
      endpointId: 'endpoint-pet',
      tracerId: 'tracer-fet',
      reason: 'Revoked in the old system',
    });
    expect(await commandTypes(permissionChange('delete', permissionRow({ ID: 15 }), null))).toMatch(
      /^unsupported: .*no permission of Tracershop holds TracerCustomer.ID 15/,
    );
    expect(await commandTypes(permissionChange('update', permissionRow(), permissionRow({ tracer_id: 9 })))).toMatch(
      /^unsupported: .*revoke and grant/,
    );
  });
});

describe('captured productionTimes rows become production run commands', () => {
  const runRow = (changes: Record<string, string | number | null> = {}): CapturedRow => ({
    day: 1,
    ptime: '06:00:00',
    run: 1,
    max: 30000,
    PTID: 11,
    ...changes,
  });
  const runChange = (operation: CapturedChange['operation'], before: CapturedRow | null, after: CapturedRow | null) =>
    change(operation, before, after, 'productionTimes');
  const commandsOf = async (captured: CapturedChange) => {
    const plan = await planCapturedChange(captured, planning([]));
    return plan.kind === 'commands' ? plan.commands.map((planned) => planned.command) : `unsupported: ${plan.message}`;
  };

  it("given a new row, then an FDG run is scheduled with the row's id and an id of its own", async () => {
    expect(
      await commandsOf(runChange('insert', null, runRow({ PTID: 13, day: 3, ptime: '09:30:00', max: null }))),
    ).toEqual([
      expect.objectContaining({
        type: 'ScheduleProductionRun',
        productionRunId: productionRunIdOfLegacyRow(13),
        tracerId: 'tracer-fdg',
        weekday: 3,
        productionTime: '09:30',
        runNumber: 1,
        maxActivityMBq: null,
        legacyId: 13,
      }),
    ]);
    expect(productionRunIdOfLegacyRow(13)).not.toBe(productionRunIdOfLegacyRow(11));
  });

  it('given an edit of time, run number and maximum, then the run is updated with just those', async () => {
    expect(await commandsOf(runChange('update', runRow(), runRow({ ptime: '05:45:00', run: 2 })))).toEqual([
      expect.objectContaining({
        type: 'UpdateProductionRun',
        productionRunId: 'run-monday-1',
        changes: { productionTime: '05:45', runNumber: 2 },
        reason: 'Changed in the old system',
      }),
    ]);
  });

  it('given a row moved to another weekday, then it is listed; a removed row archives its run', async () => {
    expect(await commandsOf(runChange('update', runRow(), runRow({ day: 2 })))).toMatch(/^unsupported: .*day changed/);
    expect(await commandsOf(runChange('delete', runRow(), null))).toEqual([
      expect.objectContaining({
        type: 'ArchiveProductionRun',
        productionRunId: 'run-monday-1',
        reason: 'Removed in the old system',
      }),
    ]);
    expect(await refusal(runChange('delete', runRow({ PTID: 15 }), null))).toBe('LEGACY_PRODUCTION_RUN_UNKNOWN');
  });
});

describe("captured Tracers rows become the tracer's changed details", () => {
  const tracerRow = (changes: Record<string, string | number | null> = {}): CapturedRow => ({
    id: 8,
    name: 'FET',
    isotope: 1,
    in_use: 1,
    n_injections: -1,
    order_block: null,
    tracer_type: 2,
    longName: 'Fluoroethyltyrosine (18F)',
    ...changes,
  });
  const edit = async (after: CapturedRow, operation: CapturedChange['operation'] = 'update') => {
    const plan = await planCapturedChange(
      change(operation, operation === 'insert' ? null : tracerRow(), operation === 'delete' ? null : after, 'Tracers'),
      planning([]),
    );
    return plan.kind === 'commands' ? plan.commands.map((planned) => planned.command) : `unsupported: ${plan.message}`;
  };

  it('given an edit of names and in_use, then just those details change', async () => {
    expect(await edit(tracerRow({ in_use: 0, longName: 'O-(2-fluoroethyl)-L-tyrosine' }))).toEqual([
      expect.objectContaining({
        type: 'UpdateTracer',
        tracerId: 'tracer-fet',
        changes: { clinicalName: 'O-(2-fluoroethyl)-L-tyrosine', inUse: false },
        reason: 'Changed in the old system',
      }),
    ]);
  });

  it('given an edit of the legacy attributes, then they are given whole, the unset -1 as null', async () => {
    expect(await edit(tracerRow({ order_block: 3 }))).toEqual([
      expect.objectContaining({ changes: { legacy: { injections: null, orderBlock: 3 } } }),
    ]);
  });

  it('given a new or removed tracer, or a change of isotope or type, then it is listed', async () => {
    expect(await edit(tracerRow(), 'insert')).toMatch(/registered and archived in Tracershop/);
    expect(await edit(tracerRow(), 'delete')).toMatch(/registered and archived in Tracershop/);
    expect(await edit(tracerRow({ isotope: 2 }))).toMatch(/^unsupported: .*isotope changed/);
  });
});

describe('captured UserRoles rows: a user the old system makes a customer', () => {
  const role = (userId: number, roleId = 4): CapturedRow => ({ Id_User: userId, Id_Role: roleId });
  const roleChange = (operation: CapturedChange['operation'], row: CapturedRow) =>
    change(operation, operation === 'insert' ? null : row, operation === 'delete' ? null : row, 'UserRoles');
  const plan = async (captured: CapturedChange) => {
    const result = await planCapturedChange(captured, planning([]));
    return result.kind === 'commands'
      ? result.commands.map((planned) => planned.command)
      : `unsupported: ${result.message}`;
  };

  it('given the customer role for a user with a dispenser number, then the customer is registered from its row, with an endpoint that may order FDG', async () => {
    const customerId = customerIdOfLegacyRow(51);
    const endpointId = endpointIdOfLegacyCustomer(51);
    expect(await plan(roleChange('insert', role(51)))).toEqual([
      expect.objectContaining({
        type: 'RegisterCustomer',
        customerId,
        shortName: 'hvidovre',
        longName: 'Hvidovre Hospital',
        dispenserNumber: 12,
        overheadPercent: 15,
        emails: ['pet@hvidovre.example'],
        phone: '38623862',
        contactPerson: 'Ida',
        billingAddress: 'Kettegård Allé 30',
        billingCity: 'Hvidovre',
        legacy: { title: null, labelName: null, addressLine3: null, addressLine4: null },
        legacyId: 51,
      }),
      expect.objectContaining({
        type: 'RegisterDeliveryEndpoint',
        endpointId,
        customerId,
        name: 'Hvidovre Hospital',
        address: 'Kettegård Allé 30',
        city: 'Hvidovre',
      }),
      expect.objectContaining({ type: 'GrantTracerPermission', endpointId, tracerId: 'tracer-fdg' }),
    ]);
    expect(customerIdOfLegacyRow(51)).not.toBe(customerIdOfLegacyRow(53));
  });

  it('given a customer Tracershop has already, then nothing is to be done', async () => {
    expect(await plan(roleChange('insert', role(42)))).toEqual([]);
  });

  it('given a user without a dispenser number, a staff role, a removed role or an unknown user, then it is listed or refused', async () => {
    expect(await plan(roleChange('insert', role(53)))).toMatch(/^unsupported: .*no dispenser number/);
    expect(await plan(roleChange('insert', role(51, 6)))).toMatch(/^unsupported: .*staff roles/);
    expect(await plan(roleChange('delete', role(51)))).toMatch(/^unsupported: .*archived in Tracershop/);
    expect(await refusal(roleChange('insert', role(77)))).toBe('LEGACY_USER_UNKNOWN');
  });

  it("given a new customer's Users row, then it waits for the role; a new staff user is listed", async () => {
    const user = { Id: 51, Username: 'hvidovre', kundenr: 12 };
    expect(await plan(change('insert', null, user, 'Users'))).toEqual([]);
    expect(await plan(change('insert', null, { ...user, kundenr: null }, 'Users'))).toMatch(/^unsupported: .*staff/);
  });
});

const commandsOfPlan = (plan: CapturePlan) =>
  plan.kind === 'commands' ? plan.commands.map((planned) => planned.command) : `unsupported: ${plan.message}`;

describe("an orders row whose own order was withdrawn stands for the order still active on it (the row's members keep its OID)", () => {
  const cancelledOwner = order('order-31', 31, { status: 'cancelled' });
  const placedSince = order('order-33', 33);

  it("given the row's order was cancelled and another placed on its slot since, when the customer deletes the row, then that other order is cancelled", async () => {
    const plan = await planCapturedChange(change('delete', row(), null), planning([cancelledOwner, placedSince]));

    expect(commandsOfPlan(plan)).toEqual([
      expect.objectContaining({ type: 'CancelOrder', orderId: 'order-33', actingAs: 'shop' }),
    ]);
  });

  it('given the same row, when production accepts it, then that other order is accepted, not the cancelled one', async () => {
    const plan = await planCapturedChange(
      change('update', row(), row({ status: 2 })),
      planning([cancelledOwner, placedSince]),
    );

    expect(commandsOfPlan(plan)).toEqual([expect.objectContaining({ type: 'AcceptOrder', orderId: 'order-33' })]);
  });

  it("given the row's order was rejected and no other is on its row, when production reinstates the row, then its own order is reinstated", async () => {
    const plan = await planCapturedChange(
      change('update', row({ status: 4 }), row({ status: 2 })),
      planning([order('order-31', 31, { status: 'rejected' })]),
    );

    expect(commandsOfPlan(plan)).toEqual([expect.objectContaining({ type: 'ReinstateOrder', orderId: 'order-31' })]);
  });

  it("given two orders placed on the cancelled order's row since, when the customer deletes it, then the change is refused: the row cannot say which", async () => {
    const orders = [cancelledOwner, placedSince, order('order-35', 35)];

    expect(await refusal(change('delete', row(), null), orders)).toBe('LEGACY_ROW_HOLDS_SEVERAL_ORDERS');
  });
});

describe('open orders the go-live import queued are placed past the deadline, as production, with the import as the reason', () => {
  // Accepted in the old system on Sunday at 14:00 (its order_time), for Monday 08:00: after the
  // deadline, 13:00 the day before. Tracershop decides the placement as it decides every one.
  const acceptedLate = { localMomentOf: () => ({ date: '2026-03-01', time: '14:00' }) };
  const mondayRow = row({ deliver_datetime: '2026-03-02 08:00:00' });
  const imported = (captured: CapturedChange): CapturedChange => ({ ...captured, capturedBy: LEGACY_IMPORT_ACCOUNT });
  const decided = (planned: PlaceActivityOrder) =>
    deliveryDayDecider.decide(
      {
        ...placeFdg('order-31', 31, '08:00', 1000),
        now: planned.now,
        deadline: planned.deadline,
        actingAs: planned.actingAs,
        deadlineOverrideReason: planned.deadlineOverrideReason,
      },
      deliveryDayDecider.initialState(),
    );

  it('given an accepted row whose order_time is past the deadline, when the import places it, then the order is placed, the deadline overridden by the import', async () => {
    const plan = await planCapturedChange(
      imported(change('insert', null, mondayRow)),
      planning([], null, acceptedLate),
    );
    const [placed] = commandsOfPlan(plan) as PlaceActivityOrder[];

    expect(placed).toMatchObject({ actingAs: 'production', deadlineOverrideReason: IMPORTED_AT_GO_LIVE });
    expect(decided(placed as PlaceActivityOrder)).toEqual([
      expect.objectContaining({
        type: 'OrderPlaced',
        data: expect.objectContaining({ deadlineOverrideReason: 'Imported at go-live' }),
      }),
    ]);
  });

  it('given a row the old system itself wrote past the deadline, when it is synced, then it is placed as the shop and refused', async () => {
    const plan = await planCapturedChange(change('insert', null, mondayRow), planning([], null, acceptedLate));
    const [placed] = commandsOfPlan(plan) as PlaceActivityOrder[];

    expect(placed).toMatchObject({ actingAs: 'shop', deadlineOverrideReason: null });
    expect(() => decided(placed as PlaceActivityOrder)).toThrow(
      expect.objectContaining({ code: 'ORDER_DEADLINE_PASSED' }),
    );
  });

  it('given an injection order the import queued, when it is placed, then as production with the import as the reason', async () => {
    const tRow = {
      BID: 42,
      OID: 19,
      deliver_datetime: '2026-03-02 11:45:00',
      status: 1,
      tracer: 8,
      n_injections: 1,
      anvendelse: 'Human',
    };
    const plan = await planCapturedChange(imported(change('insert', null, tRow, 't_orders')), planning([]));

    expect(commandsOfPlan(plan)).toEqual([
      expect.objectContaining({
        type: 'PlaceInjectionOrder',
        actingAs: 'production',
        deadlineOverrideReason: 'Imported at go-live',
      }),
    ]);
  });
});

describe("an FDG order row goes to FDG's slot of its run, whatever else delivers at that time", () => {
  const slotsAt =
    (...slots: SlotAt[]): CapturedChangeLookups['slotsAt'] =>
    async (endpoint, _date, time) =>
      endpoint === 'endpoint-pet' && time === '08:00' ? slots : [];
  const choline0800 = { slotId: 'slot-fch-0800', tracerId: 'tracer-fch', runNumber: 1 };
  const fdgRun1 = { slotId: 'slot-0800', tracerId: 'tracer-fdg', runNumber: 1 };
  const fdgRun2 = { slotId: 'slot-0800-run2', tracerId: 'tracer-fdg', runNumber: 2 };

  it("given another tracer's slot at the same time, when the customer orders, then the order is placed at FDG's slot", async () => {
    const plan = await planCapturedChange(
      change('insert', null, row()),
      planning([], null, { slotsAt: slotsAt(choline0800, fdgRun1) }),
    );

    expect(commandsOfPlan(plan)).toEqual([
      expect.objectContaining({ type: 'PlaceActivityOrder', slotId: 'slot-0800' }),
    ]);
  });

  it("given only another tracer's slot at that time, when the customer orders, then the change is refused, not placed on that tracer's run", async () => {
    const captured = change('insert', null, row());
    await expect(
      planCapturedChange(captured, planning([], null, { slotsAt: slotsAt(choline0800) })),
    ).rejects.toMatchObject({ code: 'LEGACY_SLOT_NOT_FOUND' });
  });

  it("given FDG slots of runs 1 and 2 at that time, when the customer orders, then the row's run names the slot", async () => {
    const both = planning([], null, { slotsAt: slotsAt(fdgRun1, fdgRun2) });

    expect(commandsOfPlan(await planCapturedChange(change('insert', null, row({ run: 2 })), both))).toEqual([
      expect.objectContaining({ slotId: 'slot-0800-run2' }),
    ]);
    expect(commandsOfPlan(await planCapturedChange(change('insert', null, row({ run: 1 })), both))).toEqual([
      expect.objectContaining({ slotId: 'slot-0800' }),
    ]);
  });
});

describe("an old-system revoke takes the tracer from each of the customer's endpoints, as a grant gave it to each", () => {
  const permissionRow = { tracer_id: 8, customer_id: 42, ID: 13 };
  const fetAtBoth: Partial<CapturedChangeLookups> = {
    tracerPermissionStatus: async (_endpointId, tracerId) => (tracerId === 'tracer-fet' ? 'active' : 'absent'),
  };

  it('given both endpoints of the customer may order FET, when the old system deletes its FET row, then FET is revoked at both', async () => {
    const plan = await planCapturedChange(
      change('delete', permissionRow, null, 'TracerCustomer'),
      planning([], { orders: [] }, fetAtBoth),
    );

    expect(commandsOfPlan(plan)).toEqual([
      expect.objectContaining({ type: 'RevokeTracerPermission', endpointId: 'endpoint-pet', tracerId: 'tracer-fet' }),
      expect.objectContaining({ type: 'RevokeTracerPermission', endpointId: 'endpoint-lab', tracerId: 'tracer-fet' }),
    ]);
  });

  it('given the other endpoint may not order FET (never granted, or revoked), when the row is deleted, then only the permission holding its id is revoked', async () => {
    const plan = await planCapturedChange(
      change('delete', permissionRow, null, 'TracerCustomer'),
      planning(
        [],
        { orders: [] },
        { tracerPermissionStatus: async (endpointId) => (endpointId === 'endpoint-pet' ? 'active' : 'archived') },
      ),
    );

    expect(commandsOfPlan(plan)).toEqual([
      expect.objectContaining({ type: 'RevokeTracerPermission', endpointId: 'endpoint-pet', tracerId: 'tracer-fet' }),
    ]);
  });
});

describe('a customer the old system made, synced again after the sync was cut off, gets what it lacks', () => {
  const roleInsert = change('insert', null, { Id_User: 51, Id_Role: 4 }, 'UserRoles');
  const customerId = customerIdOfLegacyRow(51);
  const endpointId = endpointIdOfLegacyCustomer(51);
  /** The command side holds the customer, and the endpoint and FDG permission where said. */
  const holding = (held: { endpoint?: boolean; fdg?: 'active' | 'archived' }): Partial<CapturedChangeLookups> => ({
    customerIdOfLegacyUser: async (legacyId) => (legacyId === 51 ? customerId : null),
    customerRegistered: async (id) => id === customerId,
    deliveryEndpointRegistered: async (id) => id === endpointId && held.endpoint === true,
    tracerPermissionStatus: async (endpoint, tracerId) =>
      endpoint === endpointId && tracerId === 'tracer-fdg' ? (held.fdg ?? 'absent') : 'absent',
  });
  const typesOf = async (lookups: Partial<CapturedChangeLookups>) =>
    (commandsOfPlan(await planCapturedChange(roleInsert, planning([], null, lookups))) as Array<{ type: string }>).map(
      (command) => command.type,
    );

  it('given the customer registered before a crash, when its role row is synced again, then its endpoint is registered and may order FDG', async () => {
    const plan = await planCapturedChange(roleInsert, planning([], null, holding({})));

    expect(commandsOfPlan(plan)).toEqual([
      expect.objectContaining({ type: 'RegisterDeliveryEndpoint', endpointId, customerId, name: 'Hvidovre Hospital' }),
      expect.objectContaining({ type: 'GrantTracerPermission', endpointId, tracerId: 'tracer-fdg' }),
    ]);
  });

  it('given the endpoint registered too, when synced again, then only FDG is granted', async () => {
    expect(await typesOf(holding({ endpoint: true }))).toEqual(['GrantTracerPermission']);
  });

  it('given all three done, or FDG revoked in Tracershop since, when synced again, then nothing is done again', async () => {
    expect(await typesOf(holding({ endpoint: true, fdg: 'active' }))).toEqual([]);
    expect(await typesOf(holding({ endpoint: true, fdg: 'archived' }))).toEqual([]);
  });
});
