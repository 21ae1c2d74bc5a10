import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { mentions } from '@tracershop/domain/audit';
import { normaliseLotNumber } from '@tracershop/domain/ordering';
import { gapBefore, Position, type EventStore, type RecordedEvent } from '@tracershop/event-store';
import { Allow, EVENT_STORE, HttpProblem, PINO_LOGGER } from '@tracershop/platform';
import { AUDITORS } from '../access-roles';
import { accountRead, auditedEvent } from './audit.controller';
import { EventSearchQueryDto } from './audit.dto';
import { EventSearchDto } from './audit-views.dto';

const PAGE = 1000;

/**
 * Cross-record search (GMP, auditor capability 4): the record in global order, filtered by what
 * every envelope records: correlation id ("everything this command caused"), actor, type, stream
 * prefix, recorded time; and by what the data names: tracer, slot and delivery date (a slot-day),
 * lot (a batch). A filter on anything else is refused (400), never ignored. It scans at most `scan` events a request and says where it stopped
 * (`nextPosition`), so a search never silently misses what lies further on: ask again from there.
 * It ends (`nextPosition: null`) only at the head the record had when it began: a record that stops
 * before it (an event missing) is reported as a `gap`, and a search that cannot go on is refused.
 */
@ApiTags('audit')
@Controller('audit/events')
export class EventSearchController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @Allow(...AUDITORS)
  @ApiOperation({
    summary:
      'Events across every stream, by correlation id, actor, type, stream prefix, time, tracer, slot-day and lot',
  })
  @ApiOkResponse({ type: EventSearchDto })
  async search(@Query() query: EventSearchQueryDto, @Req() request: FastifyRequest) {
    const { limit = 100, scan = 20_000 } = query;
    const from = query.recordedFrom === undefined ? null : Date.parse(query.recordedFrom);
    const to = query.recordedTo === undefined ? null : Date.parse(query.recordedTo);
    const named = {
      ...(query.tracerId !== undefined ? { tracerId: query.tracerId } : {}),
      ...(query.slotId !== undefined ? { slotId: query.slotId } : {}),
      ...(query.deliveryDate !== undefined ? { deliveryDate: query.deliveryDate } : {}),
      ...(query.lot !== undefined ? { lot: normaliseLotNumber(query.lot) } : {}),
    };
    const matches = (event: RecordedEvent) =>
      (query.correlationId === undefined || event.metadata.correlationId === query.correlationId) &&
      (query.actorId === undefined || event.metadata.actor.id === query.actorId) &&
      (query.type === undefined || event.type === query.type) &&
      (query.streamPrefix === undefined || event.streamId.startsWith(query.streamPrefix)) &&
      (from === null || Date.parse(event.metadata.recordedAt) >= from) &&
      (to === null || Date.parse(event.metadata.recordedAt) <= to) &&
      mentions(event, named);
    accountRead(this.logger, request, { read: 'search', query });

    // Every event up to the head read now is committed: a scan that cannot reach it met a hole.
    const head = await this.store.headPosition();
    const found: Array<{ streamId: string } & ReturnType<typeof auditedEvent>> = [];
    const start = Position.parse(query.after ?? 'start');
    let after = start;
    let scanned = 0;
    let exhausted = false;
    scanning: while (found.length < limit && scanned < scan) {
      const wanted = Math.min(PAGE, scan - scanned);
      const page = await this.store.readAll({ fromPosition: after.isStart() ? undefined : after, maxCount: wanted });
      // A short page is not the end (the MySQL store cuts one at a missing position): an empty one is.
      if (page.length === 0) {
        exhausted = true;
        break;
      }
      for (const event of page) {
        scanned += 1;
        after = event.position;
        if (!matches(event)) continue;
        found.push({ streamId: event.streamId, ...auditedEvent(event) });
        if (found.length >= limit) break scanning;
      }
    }
    const gap = exhausted ? gapBefore(head, after) : null;
    if (gap && after.equals(start)) {
      throw new HttpProblem(
        500,
        'RECORD_INCOMPLETE',
        `The record is missing events after position ${gap.after ?? 'its start'} (its head is ${gap.head}): ` +
          'the search cannot go past them; this is an integrity incident',
        gap,
      );
    }
    return {
      items: found,
      scanned,
      nextPosition: exhausted && !gap ? null : after.toString(),
      gap,
    };
  }
}
