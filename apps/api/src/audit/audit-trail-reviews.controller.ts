import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpStatus, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '@tracershop/auth';
import { CommandPipeline, type CommandContext, type CommandDefinition } from '@tracershop/command-pipeline';
import {
  auditEventSchemaVersions,
  auditTrailReviewsDecider,
  auditTrailReviewsStreamName,
  reviewedEventOf,
  reviewExceptions,
  workersOf,
  type AuditTrailReviewedData,
  type AuditTrailReviewEvent,
  type AuditTrailReviewsState,
  type ReviewAuditTrail,
} from '@tracershop/domain/audit';
import { readWholeStream, StreamNotFoundError, type EventStore, type RecordedEvent } from '@tracershop/event-store';
import {
  Allow,
  Command,
  EVENT_STORE,
  ExecuteDomainCommand,
  HttpProblem,
  PINO_LOGGER,
  PROJECTION_POSITIONS,
  ReadsProjections,
  TRACERSHOP_CONFIG,
  type ProjectionPositions,
} from '@tracershop/platform';
import type { TracershopConfig } from '@tracershop/config';
import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import { AUDIT_PROJECTION_NAME, type AuditReadModel } from '@tracershop/projections/record';
import { AUDIT_TRAIL_REVIEWERS, AUDITORS } from '../access-roles';
import { answer } from '../catalog/catalog-read-model.provider';
import { ElectronicSignatures } from '../identity/electronic-signatures';
import { auditTrailReviewContent, SIGNED_CONTENT_VERSION } from '../ordering/signed-content';
import { accountRead } from './audit.controller';
import { ReviewAuditTrailDto, ReviewListQueryDto, ReviewRecordQueryDto } from './audit.dto';
import { AUDIT_READ_MODEL } from './audit-read-model.provider';
import { auditedAggregateOf } from './audited-aggregates';
import { AuditTrailReviewPageDto, ReviewRecordDto } from './audit-views.dto';

export const reviewAuditTrailCommand: CommandDefinition<
  ReviewAuditTrail,
  AuditTrailReviewEvent,
  AuditTrailReviewsState
> = {
  name: 'ReviewAuditTrail',
  decider: auditTrailReviewsDecider,
  streamOf: (command) => auditTrailReviewsStreamName(command.recordStreamId),
  // A review signs the range it read: a concurrent review makes it stale (409), never silently retried.
  retryOnConflict: false,
  schemaVersionOf: (type) => auditEventSchemaVersions[type],
};

/** What the next review of a record covers, and what in it is exceptional. */
interface PendingReview {
  recordStreamId: string;
  headRevision: number;
  fromRevision: number;
  throughRevision: number;
  throughHash: string | null;
  events: number;
  exceptions: ReturnType<typeof reviewExceptions>;
  workers: string[];
}

/**
 * The review of a record's audit trail (GMP capability 9, Annex 11 §9): what is exceptional in the
 * record since its last review (corrections, late entries, overridden deadlines, moves,
 * cancellations after acceptance, reinstatements, dead orders, failed attempts to sign it), and the
 * signed review (`AuditTrailReviewed`, meaning `review`) by someone who took no part in the record.
 * The exceptions and the people who did the work are found here, from the record, never taken from
 * the client. Auditors read; a releaser who is independent of the record reviews.
 */
@ApiTags('audit: reviews')
@Controller('audit/reviews')
export class AuditTrailReviewsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AUDIT_READ_MODEL) private readonly readModel: AuditReadModel,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(ElectronicSignatures) private readonly signatures: ElectronicSignatures,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Inject(PROJECTION_POSITIONS) private readonly positions: ProjectionPositions,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    private readonly bus: CommandBus,
  ) {}

  @Get()
  @Allow(...AUDITORS, ...AUDIT_TRAIL_REVIEWERS)
  @ReadsProjections(AUDIT_PROJECTION_NAME)
  @ApiOperation({ summary: 'Every review, by review time: filter by reviewer, conclusion and period' })
  @ApiOkResponse({ type: AuditTrailReviewPageDto })
  async list(@Query() query: ReviewListQueryDto, @Req() request: FastifyRequest) {
    const { minPosition: _minPosition, limit = 50, cursor, ...filters } = query;
    accountRead(this.logger, request, { read: 'reviews', ...filters });
    return answer(this.readModel.listReviews({ limit, cursor: cursor ?? null, ...filters }));
  }

  @Get('records/:streamId')
  @Allow(...AUDITORS, ...AUDIT_TRAIL_REVIEWERS)
  @ReadsProjections(AUDIT_PROJECTION_NAME)
  @ApiOperation({ summary: "A record's reviews, and what its next review covers: the exceptions and who did the work" })
  @ApiOkResponse({ type: ReviewRecordDto })
  async record(
    @Param('streamId') streamId: string,
    @Query() _query: ReviewRecordQueryDto,
    @Req() request: FastifyRequest,
  ): Promise<ReviewRecordDto> {
    const events = await this.reviewableRecord(streamId);
    accountRead(this.logger, request, { read: 'review', streamId });
    const reviews = await this.readModel.reviewsOf(streamId);
    const pending = await this.pendingReview(streamId, events, events.length - 1);
    return {
      recordStreamId: streamId,
      aggregate: auditedAggregateOf(streamId)?.aggregate ?? null,
      headRevision: String(pending.headRevision),
      reviewedThroughRevision: reviews.at(-1)?.throughRevision ?? null,
      pending:
        pending.fromRevision > pending.throughRevision
          ? null
          : {
              ...pending,
              fromRevision: String(pending.fromRevision),
              throughRevision: String(pending.throughRevision),
            },
      reviews,
    };
  }

  @Post('records/:streamId')
  @Allow(...AUDIT_TRAIL_REVIEWERS)
  @ApiCreatedResponse({ description: 'The signed review of the record through a revision' })
  async review(
    @Param('streamId') streamId: string,
    @Body() body: ReviewAuditTrailDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    const principal = request.principal as Principal;
    const events = await this.reviewableRecord(streamId);
    if (body.throughRevision >= events.length) {
      throw new HttpProblem(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'REVIEW_BEYOND_RECORD',
        `The record ends at revision ${events.length - 1}`,
        { throughRevision: body.throughRevision, headRevision: events.length - 1 },
      );
    }
    const pending = await this.pendingReview(streamId, events, body.throughRevision);
    const reviewId = body.id ?? randomUUID();
    const findings = body.findings?.trim() ? body.findings.trim() : null;
    const reviewStream = auditTrailReviewsStreamName(streamId);
    const signature = await this.signatures.sign(
      {
        principal,
        ...(body.signature.username !== undefined ? { username: body.signature.username } : {}),
        password: body.signature.password,
        meaning: 'review',
        streamId: reviewStream,
        content: auditTrailReviewContent({
          reviewId,
          recordStreamId: streamId,
          fromRevision: pending.fromRevision,
          throughRevision: body.throughRevision,
          throughHash: pending.throughHash ?? '',
          conclusion: body.conclusion,
          findings,
        }),
        contentVersion: SIGNED_CONTENT_VERSION,
      },
      context,
    );
    const command: ReviewAuditTrail = {
      type: 'ReviewAuditTrail',
      reviewId,
      recordStreamId: streamId,
      fromRevision: pending.fromRevision,
      throughRevision: body.throughRevision,
      throughHash: pending.throughHash ?? '',
      exceptions: pending.exceptions,
      workers: pending.workers,
      reviewer: { userId: principal.id, printedName: principal.printedName },
      conclusion: body.conclusion,
      findings,
      at: new Date().toISOString(),
    };
    const result = await this.bus.execute(
      new ExecuteDomainCommand(reviewAuditTrailCommand, command, { ...context, signature }),
    );
    return { id: reviewId, ...result };
  }

  /** The record's events; 404 for a stream that is no audited record (or a review stream itself). */
  private async reviewableRecord(streamId: string): Promise<RecordedEvent[]> {
    const audited = auditedAggregateOf(streamId);
    if (!audited || streamId.startsWith(auditTrailReviewsStreamName(''))) {
      throw new HttpProblem(HttpStatus.NOT_FOUND, 'RECORD_NOT_REVIEWABLE', `${streamId} is no record to review`, {
        streamId,
      });
    }
    const events = await this.eventsOf(streamId);
    if (events.length === 0) {
      throw new HttpProblem(HttpStatus.NOT_FOUND, 'RECORD_NOT_FOUND', `No record ${streamId}`, { streamId });
    }
    return events;
  }

  /**
   * The failed attempts to sign come from the read model: it must have caught up with the record
   * as it is now, or a reviewer would not see the latest (503 after the bound, as `minPosition`).
   */
  private async failedSignaturesCaughtUp(): Promise<void> {
    const head = await this.store.headPosition();
    if (!head) return;
    const timeoutMs = this.config.queries.minPositionTimeoutMs;
    await this.positions.waitFor([AUDIT_PROJECTION_NAME], head, timeoutMs).catch((error: unknown) => {
      if (!(error instanceof ProjectionNotCaughtUpError)) throw error;
      throw new HttpProblem(
        HttpStatus.SERVICE_UNAVAILABLE,
        'READ_MODEL_NOT_CAUGHT_UP',
        'The failed signatures of the record are not all read yet; retry shortly',
        { projections: [AUDIT_PROJECTION_NAME], minPosition: head.toString(), waitedMs: timeoutMs },
        { 'retry-after': '1' },
      );
    });
  }

  /** A stream's events; none for a stream never written. */
  private eventsOf(streamId: string): Promise<RecordedEvent[]> {
    return readWholeStream(this.store, streamId).catch((error: unknown) => {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    });
  }

  /**
   * From the revision after the last review through `throughRevision`: its exceptions (and the
   * attempts to sign the record that failed since that review), and everyone who worked on the
   * record up to there. The reviews are read from their own stream, not the read model, so the range
   * is the one the decider will check.
   */
  private async pendingReview(
    streamId: string,
    events: readonly RecordedEvent[],
    throughRevision: number,
  ): Promise<PendingReview> {
    const reviews = await this.eventsOf(auditTrailReviewsStreamName(streamId));
    await this.failedSignaturesCaughtUp();
    const last = reviews.at(-1)?.data as AuditTrailReviewedData | undefined;
    const fromRevision = last ? last.scope.throughRevision + 1 : 0;
    const covered = events.slice(0, throughRevision + 1).map(reviewedEventOf);
    const failures = await this.readModel.signatureFailuresOf(streamId, last?.reviewedAt ?? null);
    return {
      recordStreamId: streamId,
      headRevision: events.length - 1,
      fromRevision,
      throughRevision,
      throughHash: events[throughRevision]?.metadata.hash ?? null,
      events: Math.max(0, throughRevision + 1 - fromRevision),
      exceptions: reviewExceptions(covered.slice(fromRevision), failures),
      workers: workersOf(covered),
    };
  }
}
