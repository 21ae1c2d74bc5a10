import type { FastifyRequest } from 'fastify';
import type {
  CatalogReadModel,
  ClosedDateView,
  DayBoard,
  DayBoardOptions,
  DeliveryTimeSlotView,
  OrderingReadModel,
  ProductionRunView,
  WeeklyCloseDaysView,
} from '@tracershop/projections/record';
import type { CustomerScope } from '../catalog/customer-scope';
import { DayBoardController } from './ordering-queries.controller';

// Monday 2026-03-02 is in ISO week 10 (even).
const monday = '2026-03-02';
const history = {
  streamId: 's',
  revision: '0',
  createdPosition: '1',
  updatedPosition: '1',
  createdAt: '',
  updatedAt: '',
};

const run = (id: string, status: 'active' | 'archived' = 'active') =>
  ({ id, tracerId: 'tracer-fdg', weekday: 1, runNumber: 1, productionTime: '06:00', status }) as ProductionRunView;
const slot = (id: string, productionRunId: string, values: Partial<DeliveryTimeSlotView> = {}) =>
  ({
    id,
    productionRunId,
    endpointId: 'ep-herlev-pet',
    deliveryTime: '08:00',
    repeat: 'every',
    expiryDate: null,
    status: 'active',
    ...values,
  }) as DeliveryTimeSlotView;

/** The catalogue as the read model holds it; the board's options are what the ordering read model is asked. */
function boardWith(catalog: {
  runs: ProductionRunView[];
  slots: DeliveryTimeSlotView[];
  closedDate?: Partial<ClosedDateView>;
  weeklyMask?: number;
}) {
  const asked: DayBoardOptions[] = [];
  const readModel = {
    dayBoard: (options: DayBoardOptions) => {
      asked.push(options);
      return Promise.resolve({} as DayBoard);
    },
  } as unknown as OrderingReadModel;
  const catalogReadModel = {
    listProductionRuns: () => Promise.resolve({ items: catalog.runs, nextCursor: null }),
    listDeliveryTimeSlots: ({ productionRunId }: { productionRunId: string }) =>
      Promise.resolve({
        items: catalog.slots.filter((candidate) => candidate.productionRunId === productionRunId),
        nextCursor: null,
      }),
    getClosedDate: () =>
      Promise.resolve(
        catalog.closedDate ? ({ date: monday, ...history, ...catalog.closedDate } as ClosedDateView) : null,
      ),
    weeklyCloseDays: () =>
      Promise.resolve({
        mask: catalog.weeklyMask ?? 0,
        weekdays: [],
        reason: catalog.weeklyMask ? 'Weekend' : null,
      } as unknown as WeeklyCloseDaysView),
  } as unknown as CatalogReadModel;
  const scope = { of: () => 'all' } as unknown as CustomerScope;
  const controller = new DayBoardController(readModel, catalogReadModel, scope);
  return async () => {
    await controller.board({ date: monday, tracerId: 'tracer-fdg' }, {} as FastifyRequest);
    return asked[0]?.calendar;
  };
}

describe('the day board’s delivery calendar (regression: a closed date looked like a production day)', () => {
  it('given the date closed with a reason, when the board is read, then it says so, and no slot delivers', async () => {
    const read = boardWith({
      runs: [run('run-1')],
      slots: [slot('slot-0800', 'run-1')],
      closedDate: { status: 'closed', reason: 'Cyclotron service' },
    });
    const calendar = await read();
    expect(calendar?.closed).toEqual({ kind: 'closed-date', reason: 'Cyclotron service' });
    expect([...(calendar?.slotsDelivering ?? [])]).toEqual([]);
  });

  it('given a closed date reopened, and a weekly close day on another weekday, then the date is open', async () => {
    const read = boardWith({
      runs: [run('run-1')],
      slots: [slot('slot-0800', 'run-1')],
      closedDate: { status: 'reopened', reason: 'Service moved' },
      weeklyMask: 0b1100000,
    });
    const calendar = await read();
    expect(calendar?.closed).toBeNull();
    expect([...(calendar?.slotsDelivering ?? [])]).toEqual(['slot-0800']);
  });

  it('given Monday a weekly close day, then the board says the date is closed on it', async () => {
    const read = boardWith({ runs: [run('run-1')], slots: [slot('slot-0800', 'run-1')], weeklyMask: 0b1 });
    expect((await read())?.closed).toEqual({ kind: 'weekly-close-day', reason: 'Weekend' });
  });

  it('given slots archived, expired, off their week or of an archived run, then only the others deliver', async () => {
    const read = boardWith({
      runs: [run('run-1'), run('run-old', 'archived')],
      slots: [
        slot('slot-0800', 'run-1'),
        slot('slot-archived', 'run-1', { status: 'archived' }),
        slot('slot-expired', 'run-1', { expiryDate: monday }),
        slot('slot-odd-weeks', 'run-1', { repeat: 'odd' }),
        slot('slot-old-run', 'run-old'),
      ],
    });
    const calendar = await read();
    expect(calendar?.closed).toBeNull();
    expect([...(calendar?.slotsDelivering ?? [])]).toEqual(['slot-0800']);
  });
});
