import { ruleViolated } from '../kernel';
import {
  addDays,
  isClockTime,
  isIsoWeekday,
  isoWeekdayOf,
  type CalendarDate,
  type ClockTime,
  type IsoWeekday,
  type OrderingDeadline,
} from '../catalog';

/** Defined with the shop's deadline setting (catalog); the ordering rules read it. */
export type { OrderingDeadline } from '../catalog';

/** A local wall-clock moment: the server's now, or a deadline. Compared as strings. */
export interface LocalMoment {
  date: CalendarDate;
  time: ClockTime;
}

export function deadlineOf(deliveryDate: CalendarDate, deadline: OrderingDeadline): LocalMoment {
  let date = addDays(deliveryDate, -1);
  if (deadline.kind === 'weekly') {
    while (isoWeekdayOf(date) !== deadline.weekday) date = addDays(date, -1);
  }
  return { date, time: deadline.time };
}

export const isAfter = (a: LocalMoment, b: LocalMoment) => `${a.date}T${a.time}` > `${b.date}T${b.time}`;

/** Whether `now` is past the deadline of `deliveryDate` (the deadline minute itself is still in time). */
export function deadlinePassed(deliveryDate: CalendarDate, deadline: OrderingDeadline, now: LocalMoment): boolean {
  return isAfter(now, deadlineOf(deliveryDate, deadline));
}

/**
 * Parses the configured form: `daily@13:00` or `weekly:4@13:00` (ISO weekday, 4 = Thursday).
 * Throws a rule violation naming the text, so configuration errors are readable.
 */
export function parseOrderingDeadline(text: string): OrderingDeadline {
  const daily = /^daily@(\d{2}:\d{2})$/.exec(text);
  if (daily && isClockTime(daily[1])) return { kind: 'daily', time: daily[1] };
  const weekly = /^weekly:(\d)@(\d{2}:\d{2})$/.exec(text);
  if (weekly && isIsoWeekday(Number(weekly[1])) && isClockTime(weekly[2])) {
    return { kind: 'weekly', weekday: Number(weekly[1]) as IsoWeekday, time: weekly[2] };
  }
  throw ruleViolated('INVALID_DEADLINE', `"${text}" is not a deadline: use daily@HH:MM or weekly:<1-7>@HH:MM`, {
    value: text,
  });
}
