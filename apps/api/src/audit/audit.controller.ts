import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '@tracershop/auth';
import { fieldHistory, reviewedEventOf } from '@tracershop/domain/audit';
import { redactSecretFields, redactSecrets } from '@tracershop/domain/identity';
import {
  readWholeStream,
  StreamNotFoundError,
  verifyChain,
  type EventStore,
  type RecordedEvent,
} from '@tracershop/event-store';
import { Allow, EVENT_STORE, HttpProblem, PINO_LOGGER } from '@tracershop/platform';
import { allProjections } from '@tracershop/projections/all';
import { AUDITORS } from '../access-roles';
import { signatureHolds } from '../ordering/signed-content';
import { StreamEventsQueryDto, StreamStateQueryDto } from './audit.dto';
import { auditedAggregateOf } from './audited-aggregates';
import { StreamChangesDto, StreamEventsDto, StreamStateDto, type AuditedEventDto } from './audit-views.dto';

/** bigints (revisions) as text, for JSON. */
const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)));

/**
 * What auditors read of the record itself, the event store (GMP: "full history", "state as of a
 * time or revision", "integrity verification"): every event of a stream with who, what, when (both
 * time axes), why, signature and hash; and the aggregate's state folded by the same `evolve` the
 * command side uses. Credentials' hashes are replaced and named. Every read is logged with its
 * reader (access accounting).
 */
@ApiTags('audit')
@Controller('audit/streams')
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  @Get(':streamId/events')
  @Allow(...AUDITORS)
  @ApiOperation({ summary: "A stream's events with all their metadata, and whether its hash chain holds" })
  @ApiOkResponse({ type: StreamEventsDto })
  async events(
    @Param('streamId') streamId: string,
    @Query() { fromRevision = 0, limit = 200 }: StreamEventsQueryDto,
    @Req() request: FastifyRequest,
  ) {
    const all = await this.wholeStream(streamId);
    accountRead(this.logger, request, { read: 'events', streamId });
    const chain = verifyChain(streamId, all);
    const page = all.filter((event) => event.revision >= BigInt(fromRevision)).slice(0, limit);
    const last = page.at(-1);
    return {
      streamId,
      aggregate: auditedAggregateOf(streamId)?.aggregate ?? null,
      chain: plain(chain),
      events: page.map(auditedEvent),
      nextRevision: last && last.revision < all[all.length - 1].revision ? (last.revision + 1n).toString() : null,
    };
  }

  @Get(':streamId/changes')
  @Allow(...AUDITORS)
  @ApiOperation({
    summary:
      'Changed-since-original flags: each field changed after it was first recorded, original and current value, every change',
  })
  @ApiOkResponse({ type: StreamChangesDto })
  async changes(@Param('streamId') streamId: string, @Req() request: FastifyRequest) {
    const all = await this.wholeStream(streamId);
    accountRead(this.logger, request, { read: 'changes', streamId });
    const fields = fieldHistory(all.map(reviewedEventOf));
    return {
      streamId,
      aggregate: auditedAggregateOf(streamId)?.aggregate ?? null,
      revision: all[all.length - 1].revision.toString(),
      changedFields: fields.filter((field) => field.differs).length,
      fields: plain(fields),
    };
  }

  @Get(':streamId/state')
  @Allow(...AUDITORS)
  @ApiOperation({ summary: "The aggregate's state after a revision, or as it stood at a recorded or occurred time" })
  @ApiOkResponse({ type: StreamStateDto })
  async state(
    @Param('streamId') streamId: string,
    @Query() query: StreamStateQueryDto,
    @Req() request: FastifyRequest,
  ) {
    const given = (['revision', 'recordedAt', 'occurredAt'] as const).filter((key) => query[key] !== undefined);
    if (given.length > 1) {
      throw new HttpProblem(400, 'ONE_POINT_IN_TIME', 'Give at most one of revision, recordedAt and occurredAt', {
        given,
      });
    }
    const audited = auditedAggregateOf(streamId);
    if (!audited) {
      throw new HttpProblem(404, 'AGGREGATE_TYPE_UNKNOWN', `No aggregate type has streams like ${streamId}`, {
        streamId,
      });
    }
    const all = await this.wholeStream(streamId);
    accountRead(this.logger, request, { read: 'state', streamId });
    const at = (instant: string) => Date.parse(instant);
    const included = all.filter((event) =>
      query.revision !== undefined
        ? event.revision <= BigInt(query.revision)
        : query.recordedAt !== undefined
          ? at(event.metadata.recordedAt) <= at(query.recordedAt)
          : query.occurredAt !== undefined
            ? at(event.metadata.occurredAt) <= at(query.occurredAt)
            : true,
    );
    const state = included.reduce(
      (folded, event) => audited.fold.evolve(folded, { type: event.type, data: event.data }),
      audited.fold.initialState(),
    );
    const last = included.at(-1);
    return {
      streamId,
      aggregate: audited.aggregate,
      events: included.length,
      revision: last?.revision.toString() ?? null,
      eventId: last?.metadata.eventId ?? null,
      recordedAt: last?.metadata.recordedAt ?? null,
      state: redactSecretFields(plain(state)),
    };
  }

  private async wholeStream(streamId: string): Promise<RecordedEvent[]> {
    const notFound = () => new HttpProblem(404, 'STREAM_NOT_FOUND', `No stream ${streamId}`, { streamId });
    const events = await readWholeStream(this.store, streamId).catch((error: unknown) => {
      throw error instanceof StreamNotFoundError ? notFound() : error;
    });
    if (events.length === 0) throw notFound();
    return events;
  }
}

/** Auditors' reads are themselves on record (GMP: access accounting): what was read, by whom. */
export function accountRead(logger: Logger, request: FastifyRequest, read: Record<string, unknown>): void {
  const reader = request.principal as Principal;
  logger.info({ audit: { ...read, readerId: reader.id, reader: reader.username } }, 'audit read');
}

/**
 * Schema transparency (GMP capability 10): the read models whose code used the event, with the
 * version of that code. A projection reads an event when it handles its type on that stream.
 */
function readBy(event: RecordedEvent): Array<{ projection: string; version: number }> {
  return allProjections
    .filter(
      (projection) =>
        projection.eventTypes.includes(event.type) &&
        (!projection.streamPrefixes || projection.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))),
    )
    .map((projection) => ({ projection: projection.name, version: projection.version }));
}

export function auditedEvent(event: RecordedEvent): AuditedEventDto {
  const { data, redacted } = redactSecrets(event.type, event.data);
  const { metadata } = event;
  return {
    revision: event.revision.toString(),
    position: event.position.toString(),
    type: event.type,
    schemaVersion: metadata.schemaVersion,
    // No upcaster exists yet: what is shown is the event as stored, in its stored schema version.
    upcaster: null,
    readBy: readBy(event),
    data,
    ...(redacted.length > 0 ? { redacted } : {}),
    recordedAt: metadata.recordedAt,
    occurredAt: metadata.occurredAt,
    actor: metadata.actor,
    reason: metadata.reason ?? null,
    signature: metadata.signature ?? null,
    signatureVerified: signatureHolds(event),
    source: metadata.source ?? null,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    eventId: metadata.eventId,
    prevHash: metadata.prevHash,
    hash: metadata.hash,
  };
}
