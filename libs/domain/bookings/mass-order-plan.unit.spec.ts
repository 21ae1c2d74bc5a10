import { DomainError } from '../kernel';
import {
  planMassOrder,
  roundDownMBq,
  type PlannableBooking,
  type PlannableProcedure,
  type PlannableSlot,
} from './mass-order-plan';

const F18_HALF_LIFE = 6586.2;
const monday = '2026-03-02';
const endpointId = 'ep-herlev-pet';

const slots: PlannableSlot[] = [
  { slotId: 'slot-1030', endpointId, tracerId: 'tracer-fdg', weekday: 1, deliveryTime: '10:30' },
  { slotId: 'slot-0800', endpointId, tracerId: 'tracer-fdg', weekday: 1, deliveryTime: '08:00' },
  // Not candidates: another weekday, another endpoint, another tracer.
  { slotId: 'slot-tue-0900', endpointId, tracerId: 'tracer-fdg', weekday: 2, deliveryTime: '09:00' },
  { slotId: 'slot-other-0900', endpointId: 'ep-glostrup', tracerId: 'tracer-fdg', weekday: 1, deliveryTime: '09:00' },
  { slotId: 'slot-choline-0900', endpointId, tracerId: 'tracer-choline', weekday: 1, deliveryTime: '09:00' },
];
const procedure = (procedureCode: string, tracerId: string, tracerUnits: number, delayMinutes: number) =>
  ({ procedureCode, endpointId, tracerId, tracerUnits, delayMinutes, isPet: true }) satisfies PlannableProcedure;
const procedures: PlannableProcedure[] = [
  procedure('WBFDG', 'tracer-fdg', 300, 15),
  procedure('BRAIN', 'tracer-fdg', 200, 60),
  procedure('FET', 'tracer-fet', 2, 30),
];
const tracerKinds = { 'tracer-fdg': 'activity', 'tracer-fet': 'injection', 'tracer-choline': 'activity' } as const;
const halfLives = { 'tracer-fdg': F18_HALF_LIFE, 'tracer-fet': F18_HALF_LIFE, 'tracer-choline': 1221.66 };

const booking = (accessionNumber: string, procedureCode: string, startTime: string): PlannableBooking => ({
  accessionNumber,
  endpointId,
  locationCode: 'PET1',
  procedureCode,
  startDate: monday,
  startTime,
});

const plan = (bookings: PlannableBooking[]) => planMassOrder(bookings, procedures, slots, tracerKinds, halfLives);

function thrown(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('nothing thrown');
}

describe('planMassOrder', () => {
  it('serves each injection from the latest slot before it, decay-corrected, summed per slot and rounded down', () => {
    const result = plan([
      booking('A1', 'WBFDG', '09:15'), // injected 09:30 → 08:00 slot, 90 min earlier
      booking('A2', 'WBFDG', '10:15'), // injected 10:30 → the 10:30 slot itself
      booking('A3', 'BRAIN', '09:00'), // injected 10:00 → 08:00 slot, 120 min earlier
    ]);
    const early = 300 * 2 ** ((90 * 60) / F18_HALF_LIFE) + 200 * 2 ** ((120 * 60) / F18_HALF_LIFE);
    // 300 · 2^(5400/6586.2) + 200 · 2^(7200/6586.2) ≈ 529.54 + 426.71 ≈ 956.25 MBq at 08:00.
    expect(early).toBeCloseTo(956.25, 1);
    expect(result.activityOrders).toEqual([
      expect.objectContaining({
        kind: 'activity',
        slotId: 'slot-0800',
        endpointId,
        date: monday,
        tracerId: 'tracer-fdg',
        deliveryTime: '08:00',
        activityMBq: 956,
        bookingIds: ['A1', 'A3'],
      }),
      expect.objectContaining({ slotId: 'slot-1030', activityMBq: 300, bookingIds: ['A2'] }),
    ]);
    const [first] = result.activityOrders;
    expect(first.exactActivityMBq).toBeCloseTo(early, 9);
    expect(first.contributions).toEqual([
      {
        accessionNumber: 'A1',
        units: 300,
        injectionTime: '09:30',
        minutesAfterSlot: 90,
        activityAtSlotMBq: expect.any(Number),
      },
      {
        accessionNumber: 'A3',
        units: 200,
        injectionTime: '10:00',
        minutesAfterSlot: 120,
        activityAtSlotMBq: expect.any(Number),
      },
    ]);
    expect(first.contributions[0].activityAtSlotMBq).toBeCloseTo(300 * Math.exp((Math.LN2 * 5400) / F18_HALF_LIFE), 9);
    expect(result.injectionOrders).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it('rounds the sum, not each booking', () => {
    // Each alone would round down to 529; together 1059.09 → 1059, not 1058.
    const result = plan([booking('A1', 'WBFDG', '09:15'), booking('A4', 'WBFDG', '09:15')]);
    const each = 300 * 2 ** ((90 * 60) / F18_HALF_LIFE);
    expect(Math.floor(each) * 2).toBe(1058);
    expect(result.activityOrders[0].activityMBq).toBe(Math.floor(2 * each));
    expect(result.activityOrders[0].activityMBq).toBe(1059);
  });

  it('orders injection tracers as injections at the booking’s start time, for human use', () => {
    const result = plan([booking('F1', 'FET', '11:00'), booking('F2', 'FET', '08:40')]);
    expect(result.injectionOrders).toEqual([
      {
        kind: 'injection',
        endpointId,
        date: monday,
        tracerId: 'tracer-fet',
        deliveryTime: '08:40',
        injections: 2,
        usage: 'human',
        bookingIds: ['F2'],
      },
      expect.objectContaining({ deliveryTime: '11:00', bookingIds: ['F1'] }),
    ]);
    expect(result.activityOrders).toEqual([]);
  });

  it('skips a booking whose procedure is not defined at its endpoint', () => {
    const result = plan([booking('X1', 'CARDIAC', '09:00'), booking('A2', 'WBFDG', '10:15')]);
    expect(result.skipped).toEqual([
      { accessionNumber: 'X1', procedureCode: 'CARDIAC', endpointId, reason: 'NO_PROCEDURE' },
    ]);
    expect(result.activityOrders.map((order) => order.bookingIds)).toEqual([['A2']]);
  });

  it('fails for a booking whose room is not mapped to an endpoint', () => {
    const error = thrown(() => plan([{ ...booking('U1', 'WBFDG', '09:00'), endpointId: null, locationCode: 'CT3' }]));
    expect(error.code).toBe('BOOKING_LOCATION_NOT_MAPPED');
    expect(error.details).toEqual({ accessionNumber: 'U1', locationCode: 'CT3' });
  });

  it('fails with the earliest slot time when no delivery arrives before the injection', () => {
    const error = thrown(() => plan([booking('E1', 'WBFDG', '07:30')])); // injected 07:45
    expect(error.kind).toBe('rule_violated');
    expect(error.code).toBe('NO_VALID_TIME_SLOT');
    expect(error.details).toMatchObject({ accessionNumber: 'E1', injectionTime: '07:45', earliestSlotTime: '08:00' });

    const tuesday = thrown(() => plan([{ ...booking('E2', 'WBFDG', '07:30'), startDate: '2026-03-03' }]));
    expect(tuesday.details).toMatchObject({ earliestSlotTime: '09:00' });
    const noSlots = thrown(() => plan([{ ...booking('E3', 'WBFDG', '09:00'), startDate: '2026-03-04' }]));
    expect(noSlots.details).toMatchObject({ earliestSlotTime: null });
  });

  it('counts an injection exactly at the delivery time as served by that delivery', () => {
    const result = plan([booking('B1', 'WBFDG', '07:45')]); // injected 08:00
    expect(result.activityOrders[0]).toMatchObject({ slotId: 'slot-0800', activityMBq: 300 });
  });

  it('refuses a booking listed twice', () => {
    expect(thrown(() => plan([booking('A1', 'WBFDG', '09:15'), booking('A1', 'WBFDG', '09:15')])).code).toBe(
      'DUPLICATE_BOOKING',
    );
  });

  it('rounds down, forgiving only floating-point noise', () => {
    expect(roundDownMBq(956.99)).toBe(956);
    expect(roundDownMBq(299.99999999999994)).toBe(300);
    expect(roundDownMBq(299.9999)).toBe(299);
  });
});
