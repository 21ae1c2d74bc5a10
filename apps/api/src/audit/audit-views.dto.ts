import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  incidentKinds,
  reviewConclusions,
  reviewExceptionKinds,
  type FieldChange,
  type FieldHistory,
  type IncidentKind,
  type ReviewConclusion,
  type ReviewException,
  type ReviewExceptionKind,
} from '@tracershop/domain/audit';
import type { Actor, EventSource } from '@tracershop/event-store';
import type { AuditTrailReviewView, IncidentView, Page, SignatureRegisterEntry } from '@tracershop/projections/record';
import { PersonDto, SignatureBlockDto } from '../ordering/ordering-views.dto';
import { pageOf } from '../record-history.dto';
import { ANY_JSON_OBJECT, ANY_JSON_VALUE, NULLABLE_TEXT } from '../openapi-fields';

/*
 * What the audit queries answer, for the OpenAPI document. Classes implement the read model's or
 * the controller's own type, so a field either of them gains fails the build until it is
 * described here.
 */

export class ActorViewDto implements Actor {
  @ApiProperty({ enum: ['user', 'application', 'system'] }) kind!: Actor['kind'];
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The name as it was at the time' }) printedName!: string;
  @ApiProperty() role!: string;
}

export class EventSourceDto implements EventSource {
  @ApiProperty({ description: 'The system the data came from (e.g. the old system)' }) system!: string;
  @ApiProperty() table!: string;
  @ApiProperty() primaryKey!: string;
  @ApiPropertyOptional({ enum: ['insert', 'update', 'delete'] }) operation?: 'insert' | 'update' | 'delete';
}

export class ReadByDto {
  @ApiProperty() projection!: string;
  @ApiProperty({ description: 'The version of the projection’s code' }) version!: number;
}

/** One event as auditors read it: who, what, when (both time axes), why, signature and hash. */
export class AuditedEventDto {
  @ApiProperty({ description: 'Revision within its stream (decimal)' }) revision!: string;
  @ApiProperty({ description: 'Global position' }) position!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'The stored schema version of the data' }) schemaVersion!: number;
  @ApiProperty({ type: String, nullable: true, description: 'None yet: the event is shown as stored' })
  upcaster!: null;
  @ApiProperty({ type: [ReadByDto], description: 'The read models whose code used the event' }) readBy!: ReadByDto[];
  @ApiProperty({ ...ANY_JSON_OBJECT, description: 'As stored; credentials’ hashes replaced' }) data!: unknown;
  @ApiPropertyOptional({ type: [String], description: 'Fields whose values are replaced; absent when none' })
  redacted?: string[];
  @ApiProperty({ description: 'Server time (ISO instant)' }) recordedAt!: string;
  @ApiProperty({ description: 'Business time (ISO instant)' }) occurredAt!: string;
  @ApiProperty({ type: ActorViewDto }) actor!: ActorViewDto;
  @ApiProperty(NULLABLE_TEXT) reason!: string | null;
  @ApiProperty({ type: SignatureBlockDto, nullable: true }) signature!: SignatureBlockDto | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Whether the signature holds; null: not signed' })
  signatureVerified!: boolean | null;
  @ApiProperty({ type: EventSourceDto, nullable: true }) source!: EventSourceDto | null;
  @ApiProperty() correlationId!: string;
  @ApiProperty() causationId!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The previous event’s hash; null for the first' })
  prevHash!: string | null;
  @ApiProperty() hash!: string;
}

export class ChainVerificationDto {
  @ApiProperty({ description: 'Whether every event’s hash and link hold' }) ok!: boolean;
  @ApiProperty() streamId!: string;
  @ApiPropertyOptional({ description: 'When it holds: the events checked' }) eventCount?: number;
  @ApiPropertyOptional({ description: 'When it holds: the last event’s hash', nullable: true, type: String })
  headHash?: string | null;
  @ApiPropertyOptional({ description: 'When broken: the first revision that does not hold', type: String })
  brokenAt?: string;
  @ApiPropertyOptional({ description: 'When broken: that event' }) eventId?: string;
  @ApiPropertyOptional({ enum: ['revision_gap', 'prev_hash_mismatch', 'hash_mismatch'] }) problem?: string;
  @ApiPropertyOptional() message?: string;
}

export class StreamEventsDto {
  @ApiProperty() streamId!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The aggregate type; null for a stream of no known type' })
  aggregate!: string | null;
  @ApiProperty({ type: ChainVerificationDto }) chain!: ChainVerificationDto;
  @ApiProperty({ type: [AuditedEventDto] }) events!: AuditedEventDto[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Pass as fromRevision for the next page; null on the last' })
  nextRevision!: string | null;
}

export class FoundEventDto extends AuditedEventDto {
  @ApiProperty() streamId!: string;
}

export class PositionGapDto {
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The last position that could be read; null: none' })
  after!: string | null;
  @ApiProperty({ description: 'The head of the record when the search began' }) head!: string;
}

export class EventSearchDto {
  @ApiProperty({ type: [FoundEventDto] }) items!: FoundEventDto[];
  @ApiProperty({ description: 'Events looked at by this request' }) scanned!: number;
  @ApiProperty({
    ...NULLABLE_TEXT,
    description: 'Go on from here (`after=`); null only when the head of the record was reached',
  })
  nextPosition!: string | null;
  @ApiProperty({
    type: PositionGapDto,
    nullable: true,
    description:
      'Set when the record ends before its head: events after `after` are missing (an integrity incident), and ' +
      'the search cannot go past them; asking on from there answers 500 RECORD_INCOMPLETE',
  })
  gap!: PositionGapDto | null;
}

export class FieldChangeDto implements FieldChange {
  @ApiProperty() revision!: number;
  @ApiProperty() eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'ISO instant' }) at!: string;
  @ApiProperty({ description: 'Printed name' }) by!: string;
  @ApiProperty(NULLABLE_TEXT) reason!: string | null;
  @ApiProperty(ANY_JSON_VALUE) from!: unknown;
  @ApiProperty(ANY_JSON_VALUE) to!: unknown;
}

export class FieldHistoryDto implements FieldHistory {
  @ApiProperty({ description: '`order:<id>`, `vial:<id>`, `release:<id>`, or `record`' }) entity!: string;
  @ApiProperty() field!: string;
  @ApiProperty({ ...ANY_JSON_VALUE, description: 'The value first recorded' }) original!: unknown;
  @ApiProperty({ ...ANY_JSON_VALUE, description: 'The value after the last change' }) current!: unknown;
  @ApiProperty({ description: 'Whether the current value differs from the original' }) differs!: boolean;
  @ApiProperty({ type: [FieldChangeDto] }) changes!: FieldChangeDto[];
}

export class StreamChangesDto {
  @ApiProperty() streamId!: string;
  @ApiProperty(NULLABLE_TEXT) aggregate!: string | null;
  @ApiProperty({ description: 'The stream’s latest revision' }) revision!: string;
  @ApiProperty({ description: 'Fields whose current value differs from the original' }) changedFields!: number;
  @ApiProperty({ type: [FieldHistoryDto] }) fields!: FieldHistoryDto[];
}

export class StreamStateDto {
  @ApiProperty() streamId!: string;
  @ApiProperty() aggregate!: string;
  @ApiProperty({ description: 'Events folded' }) events!: number;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The last event folded; null: none' }) revision!: string | null;
  @ApiProperty(NULLABLE_TEXT) eventId!: string | null;
  @ApiProperty(NULLABLE_TEXT) recordedAt!: string | null;
  @ApiProperty({ ...ANY_JSON_OBJECT, description: 'The state the command side’s evolve folds; secrets replaced' })
  state!: unknown;
}

export class SignatureRegisterEntryDto implements SignatureRegisterEntry {
  @ApiProperty({ type: SignatureBlockDto }) signature!: SignatureBlockDto;
  @ApiProperty({ enum: ['release', 'release-correction', 'audit-trail-review'] })
  signed!: SignatureRegisterEntry['signed'];
  @ApiProperty({ description: 'The stream of the signed event' }) streamId!: string;
  @ApiProperty(NULLABLE_TEXT) releaseId!: string | null;
  @ApiProperty({ type: String, enum: ['activity', 'injection'], nullable: true })
  releaseKind!: 'activity' | 'injection' | null;
  @ApiProperty(NULLABLE_TEXT) deliveryDate!: string | null;
  @ApiProperty(NULLABLE_TEXT) tracerId!: string | null;
  @ApiProperty(NULLABLE_TEXT) customerId!: string | null;
  @ApiProperty(NULLABLE_TEXT) reviewId!: string | null;
  @ApiProperty(NULLABLE_TEXT) recordStreamId!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The signed event’s revision; null: not found in the stream' })
  revision!: string | null;
  @ApiProperty({ description: 'The signed event is in the stream and its signature holds' }) verified!: boolean;
}

export class ReviewExceptionDto implements ReviewException {
  @ApiProperty({ enum: reviewExceptionKinds }) kind!: ReviewExceptionKind;
  @ApiProperty() eventId!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Null for a failed signature' }) revision!: number | null;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'ISO instant' }) at!: string;
  @ApiProperty() by!: string;
  @ApiProperty() detail!: string;
}

export class AuditTrailReviewViewDto implements AuditTrailReviewView {
  @ApiProperty() reviewId!: string;
  @ApiProperty() recordStreamId!: string;
  @ApiProperty() fromRevision!: string;
  @ApiProperty() throughRevision!: string;
  @ApiProperty({ description: 'The hash of the last event reviewed' }) throughHash!: string;
  @ApiProperty({ type: PersonDto }) reviewer!: PersonDto;
  @ApiProperty({ enum: reviewConclusions }) conclusion!: ReviewConclusion;
  @ApiProperty(NULLABLE_TEXT) findings!: string | null;
  @ApiProperty({ type: [ReviewExceptionDto] }) exceptions!: ReviewExceptionDto[];
  @ApiProperty({ type: SignatureBlockDto, nullable: true }) signature!: SignatureBlockDto | null;
  @ApiProperty({ description: 'ISO instant' }) reviewedAt!: string;
  @ApiProperty({ description: 'The review’s own stream' }) streamId!: string;
  @ApiProperty() revision!: string;
  @ApiProperty() position!: string;
}

/** What a record's next review covers: its revisions, the exceptions among them and who did the work. */
export class PendingReviewDto {
  @ApiProperty() recordStreamId!: string;
  @ApiProperty({ description: 'The record’s latest revision' }) headRevision!: number;
  @ApiProperty({ description: 'The first revision not reviewed yet' }) fromRevision!: string;
  @ApiProperty() throughRevision!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The hash a review through `throughRevision` signs' })
  throughHash!: string | null;
  @ApiProperty({ description: 'Events it covers' }) events!: number;
  @ApiProperty({ type: [ReviewExceptionDto] }) exceptions!: ReviewExceptionDto[];
  @ApiProperty({ type: [String], description: 'The people whose work it covers: none of them may review it' })
  workers!: string[];
}

export class ReviewRecordDto {
  @ApiProperty() recordStreamId!: string;
  @ApiProperty(NULLABLE_TEXT) aggregate!: string | null;
  @ApiProperty() headRevision!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Null until first reviewed' }) reviewedThroughRevision!: string | null;
  @ApiProperty({ type: PendingReviewDto, nullable: true, description: 'Null when everything is reviewed' })
  pending!: PendingReviewDto | null;
  @ApiProperty({ type: [AuditTrailReviewViewDto] }) reviews!: AuditTrailReviewViewDto[];
}

export class IncidentClosureDto implements NonNullable<IncidentView['closed']> {
  @ApiProperty({ description: 'ISO instant' }) at!: string;
  @ApiProperty({ type: PersonDto }) by!: PersonDto;
  @ApiProperty() rootCause!: string;
  @ApiProperty() correctiveAction!: string;
}

export class IncidentViewDto implements IncidentView {
  @ApiProperty() incidentId!: string;
  @ApiProperty({ enum: incidentKinds }) kind!: IncidentKind;
  @ApiProperty() summary!: string;
  @ApiProperty({ ...ANY_JSON_OBJECT, description: 'What the cause recorded' }) details!: Record<string, unknown>;
  @ApiProperty({ enum: ['open', 'closed'] }) status!: 'open' | 'closed';
  @ApiProperty({ description: 'ISO instant' }) raisedAt!: string;
  @ApiProperty() raisedBy!: string;
  @ApiProperty({ type: IncidentClosureDto, nullable: true }) closed!: IncidentClosureDto | null;
  @ApiProperty() revision!: string;
  @ApiProperty() position!: string;
}

export class SignatureRegisterPageDto
  extends pageOf(SignatureRegisterEntryDto)
  implements Page<SignatureRegisterEntry> {}
export class AuditTrailReviewPageDto extends pageOf(AuditTrailReviewViewDto) implements Page<AuditTrailReviewView> {}
export class IncidentPageDto extends pageOf(IncidentViewDto) implements Page<IncidentView> {}
