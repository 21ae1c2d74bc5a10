import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CommandPipeline, type CommandDefinition } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import {
  BUSINESS_CALENDAR_STREAM,
  businessCalendarDecider,
  businessCalendarEventSchemaVersions,
  type BusinessCalendarCommand,
  type BusinessCalendarEvent,
  type BusinessCalendarState,
} from '@tracershop/domain/legacy';
import { businessDateOf } from '@tracershop/domain/ordering';
import type { Actor } from '@tracershop/event-store';
import { PINO_LOGGER, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { RepeatedRound, RepeatedRoundService } from './repeated-round';

/** How often the worker looks at the clock: a date is recorded within a minute of its midnight. */
const POLL_MS = 60_000;
/** Unhealthy after failing this long: slots whose expiry has come would stay offered to the old system. */
const FAILING_LIMIT_MS = 15 * 60_000;
const WORKER_ACTOR: Actor = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' };

export const beginBusinessDateCommand: CommandDefinition<
  BusinessCalendarCommand,
  BusinessCalendarEvent,
  BusinessCalendarState
> = {
  name: 'BeginBusinessDate',
  decider: businessCalendarDecider,
  streamOf: () => BUSINESS_CALENDAR_STREAM,
  // Decided again on the fresh state: a date another worker recorded first is not recorded twice.
  retryOnConflict: true,
  schemaVersionOf: (type) => businessCalendarEventSchemaVersions[type],
};

/**
 * Records each business date (in `BUSINESS_TIME_ZONE`) as it begins (`BusinessDateBegan` on
 * `legacy.businessCalendar`): the read models have no clock, and the legacy projection takes a
 * delivery time slot out of `deliverTimes` once its expiry date has come. It looks at the clock at
 * start and every minute; a date is recorded once, also by several workers (the decider, and event
 * ids derived from the date).
 */
@Injectable()
export class BusinessDateRecorder extends RepeatedRoundService {
  readonly name = 'businessDateRecorder';
  /** The date this process last saw recorded. */
  private recorded: string | null = null;
  protected readonly rounds: RepeatedRound;
  protected readonly failingLimitMs = FAILING_LIMIT_MS;

  constructor(
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(PINO_LOGGER) logger: Logger,
  ) {
    super();
    this.rounds = new RepeatedRound(() => this.recordDateOf(), POLL_MS, logger, 'business date not recorded; retrying');
  }

  protected override healthDetails(): Record<string, unknown> {
    return { date: this.recorded };
  }

  /** Records the business date of `now` unless it was recorded; returns that date. */
  async recordDateOf(now: Date = new Date()): Promise<string> {
    const date = businessDateOf(now.getTime(), this.config.ordering.timeZone);
    if (date === this.recorded) return date;
    const at = now.toISOString();
    const cause = `business-date:${date}`;
    const command: BusinessCalendarCommand = { type: 'BeginBusinessDate', date, at };
    await this.pipeline.execute(beginBusinessDateCommand, command, {
      actor: WORKER_ACTOR,
      occurredAt: at,
      correlationId: cause,
      causationId: cause,
    });
    this.recorded = date;
    return date;
  }
}
