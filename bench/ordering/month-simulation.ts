import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import type { CommandRequest } from './http-load';
import type { SeededCustomer, SeededMonth } from './month-seed';

/** One customer's delivery day: its two orders, whether the 10:30 one moved, its vials. */
export interface CustomerDay {
  customer: SeededCustomer;
  date: string;
  /** Index of the day in the run (warm-up days first), for the deterministic choice of moves. */
  dayIndex: number;
  slots: { early: string; late: string };
  orders: { early?: string; late?: string };
  /** The 10:30 order is moved to the 08:00 slot (both are then delivered from it). */
  moved: boolean;
  vials: { early?: string; late?: string };
}

export type Phase = 'place order' | 'accept order' | 'move order' | 'dispense vial' | 'release slot';
export const PHASES: readonly Phase[] = ['place order', 'accept order', 'move order', 'dispense vial', 'release slot'];

/** What each phase sends, for the report. */
export const PHASE_ROUTES: Record<Phase, string> = {
  'place order': 'POST /ordering/activity-orders',
  'accept order': 'POST /ordering/orders/:id/accept',
  'move order': 'POST /ordering/activity-orders/:id/move',
  'dispense vial': 'POST /ordering/vials',
  'release slot': 'POST /ordering/releases/activity',
};

/**
 * `count` working days (Monday to Friday), starting on the Monday at least `weeksAhead` weeks
 * from today, so no ordering deadline is near.
 */
export function workingDays(count: number, weeksAhead = 2): string[] {
  let date = addDays(new Date().toISOString().slice(0, 10), 7 * weeksAhead);
  while (isoWeekdayOf(date) !== 1) date = addDays(date, 1);
  const days: string[] = [];
  while (days.length < count) {
    if (isoWeekdayOf(date) <= 5) days.push(date);
    date = addDays(date, 1);
  }
  return days;
}

/** Every customer on every date; which 10:30 orders move is spread evenly and the same on every run. */
export function planDays(
  seeded: SeededMonth,
  dates: readonly string[],
  firstDayIndex: number,
  movePercent: number,
): CustomerDay[] {
  return dates.flatMap((date, offset) => {
    const dayIndex = firstDayIndex + offset;
    return seeded.customers.map((customer) => ({
      customer,
      date,
      dayIndex,
      slots: customer.slots[isoWeekdayOf(date)],
      orders: {},
      moved: (customer.index * 37 + dayIndex * 11) % 100 < movePercent,
      vials: {},
    }));
  });
}

const SLOTS = ['early', 'late'] as const;
type Slot = (typeof SLOTS)[number];

/** The slots that deliver something on a day: the 10:30 one only when its order was not moved. */
const deliveredSlots = (day: CustomerDay): Slot[] => (day.moved ? ['early'] : ['early', 'late']);

/**
 * Slot-major, then date, then customer: the two commands of one delivery day (one stream) are
 * `dates × customers` apart in the list, so at 50 connections they rarely race for the stream.
 */
function slotMajor(days: readonly CustomerDay[], slotsOf: (day: CustomerDay) => readonly Slot[]) {
  return SLOTS.flatMap((slot) => days.filter((day) => slotsOf(day).includes(slot)).map((day) => ({ day, slot })));
}

/** `HH:MM:SS` of a second of the day. */
function clock(secondsOfDay: number): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(Math.floor(secondsOfDay / 3600) % 24)}:${pad(Math.floor(secondsOfDay / 60) % 60)}:${pad(secondsOfDay % 60)}`;
}

/** The commands of one phase over the given days; answers fill in the ids later phases need. */
export function phaseCommands(phase: Phase, days: readonly CustomerDay[], seeded: SeededMonth): CommandRequest[] {
  const production = seeded.productionHeaders;
  switch (phase) {
    case 'place order':
      return slotMajor(days, () => SLOTS).map(({ day, slot }) => ({
        kind: phase,
        method: 'POST',
        path: '/ordering/activity-orders',
        body: {
          slotId: day.slots[slot],
          deliveryDate: day.date,
          activityMBq: slot === 'early' ? 1500 + ((day.customer.index * 97) % 1000) : 800,
          ...(day.customer.index % 5 === 0 ? { comment: 'Two extra patients' } : {}),
        },
        headers: day.customer.shopHeaders,
        onOk: (answer) => {
          day.orders[slot] = String(answer.id);
        },
      }));
    case 'accept order':
      return slotMajor(days, () => SLOTS)
        .filter(({ day, slot }) => day.orders[slot])
        .map(({ day, slot }) => ({
          kind: phase,
          method: 'POST',
          path: `/ordering/orders/${day.orders[slot]}/accept`,
          body: {},
          headers: production,
        }));
    case 'move order':
      return days
        .filter((day) => day.moved && day.orders.late)
        .map((day) => ({
          kind: phase,
          method: 'POST',
          path: `/ordering/activity-orders/${day.orders.late}/move`,
          body: { targetSlotId: day.slots.early, reason: 'Run 2 dropped: cyclotron maintenance' },
          headers: production,
        }));
    case 'dispense vial':
      return slotMajor(days, deliveredSlots).map(({ day, slot }) => {
        const run = slot === 'early' ? 1 : 2;
        const yymmdd = day.date.slice(2).replaceAll('-', '');
        // One lot per run and day; each customer's vial a few seconds after the previous one.
        const filledAt = (run === 1 ? 6 * 3600 + 40 * 60 : 9 * 3600 + 40 * 60) + day.customer.index * 5;
        return {
          kind: phase,
          method: 'POST',
          path: '/ordering/vials',
          body: {
            lot: `FDG-${yymmdd}-${run}`,
            fillDate: day.date,
            fillTime: clock(filledAt),
            activityMBq: slot === 'early' ? (day.moved ? 4200 : 2600) : 1300,
            volumeMl: slot === 'early' ? 5.2 : 3.1,
            dispenserNumber: day.customer.dispenserNumber,
            reason: 'Entered from the dispenser print-out',
          },
          headers: production,
          onOk: (answer) => {
            day.vials[slot] = String(answer.id);
          },
        };
      });
    case 'release slot':
      return slotMajor(days, deliveredSlots)
        .filter(({ day, slot }) => day.vials[slot] && day.orders[slot])
        .map(({ day, slot }) => {
          const orderIds = [day.orders[slot] as string];
          if (slot === 'early' && day.moved && day.orders.late) orderIds.push(day.orders.late);
          return {
            kind: phase,
            method: 'POST',
            path: '/ordering/releases/activity',
            body: {
              slotId: day.slots[slot],
              deliveryDate: day.date,
              orderIds,
              vialIds: [day.vials[slot]],
              confirmOtherDate: true,
              signature: seeded.releaserSignature,
            },
            headers: seeded.releaserHeaders,
          };
        });
  }
}
