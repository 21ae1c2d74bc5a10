import { Inject, Injectable } from '@nestjs/common';
import type { TracershopConfig } from '@tracershop/config';
import {
  parseOrderingDeadline,
  wallClockFormatter,
  type LocalMoment,
  type OrderingDeadline,
} from '@tracershop/domain/ordering';
import { TRACERSHOP_CONFIG } from '@tracershop/platform';

const MS_PER_MINUTE = 60_000;
/** The last minute each zone was asked for: every instant of one UTC minute has the same wall-clock minute. */
const lastMinutes = new Map<string, { minute: number; moment: LocalMoment }>();

/**
 * Wall-clock date and time of an instant in a time zone, to the minute. Formatting with Intl costs
 * tens of microseconds, and every command asks for now: a minute is formatted once per zone.
 */
export function localMomentOf(instant: Date, timeZone: string): LocalMoment {
  const minute = Math.floor(instant.getTime() / MS_PER_MINUTE);
  const last = lastMinutes.get(timeZone);
  if (last?.minute === minute) return last.moment;
  const parts = wallClockFormatter(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  const moment = { date: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}` };
  lastMinutes.set(timeZone, { minute, moment });
  return moment;
}

/**
 * The server's clock in business time. Deadlines, "today" for releases and closed dates are
 * judged here, never by the client (the old system checked them only in the browser).
 */
@Injectable()
export class BusinessClock {
  readonly activityDeadline: OrderingDeadline;
  readonly injectionDeadline: OrderingDeadline;
  /** The IANA zone business wall-clock times are read in (`BUSINESS_TIME_ZONE`). */
  readonly timeZone: string;

  constructor(@Inject(TRACERSHOP_CONFIG) config: TracershopConfig) {
    this.timeZone = config.ordering.timeZone;
    this.activityDeadline = parseOrderingDeadline(config.ordering.activityDeadline);
    this.injectionDeadline = parseOrderingDeadline(config.ordering.injectionDeadline);
  }

  /** An instant (ISO 8601) as business-time `YYYY-MM-DD HH:MM`, for documents people read. */
  localText(instant: string): string {
    const { date, time } = localMomentOf(new Date(instant), this.timeZone);
    return `${date} ${time}`;
  }

  now(): { at: string; local: LocalMoment } {
    const instant = new Date();
    return { at: instant.toISOString(), local: localMomentOf(instant, this.timeZone) };
  }
}
