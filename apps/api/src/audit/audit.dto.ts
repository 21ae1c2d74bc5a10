import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { incidentKinds, reviewConclusions, type IncidentKind, type ReviewConclusion } from '@tracershop/domain/audit';
import { SignatureCredentialsDto } from '../ordering/ordering.dto';
import { PageQueryDto, ReadQueryDto } from '../read-query.dto';
import { IsCalendarDate } from '../dto-fields';
import { INSTANT_PROPERTY, IsInstantWithOffset } from './instant-field';

export class StreamEventsQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'First revision to list' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromRevision?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** At most one of them: the state after a revision, or as it stood at a time on one of the two axes. */
export class StreamStateQueryDto {
  @ApiPropertyOptional({ minimum: 0, description: 'The state after this revision' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  revision?: number;

  @ApiPropertyOptional({
    ...INSTANT_PROPERTY,
    description: 'What the system knew then: events recorded at or before this instant',
  })
  @IsOptional()
  @IsInstantWithOffset()
  recordedAt?: string;

  @ApiPropertyOptional({
    ...INSTANT_PROPERTY,
    description: 'What was true then: events that occurred at or before this instant, late entries included',
  })
  @IsOptional()
  @IsInstantWithOffset()
  occurredAt?: string;
}

export class SignatureRegisterQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'The signer (user id)' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  signerId?: string;

  @ApiPropertyOptional({ enum: ['release', 'review', 'approve', 'certify', 'correct'] })
  @IsOptional()
  @IsIn(['release', 'review', 'approve', 'certify', 'correct'])
  meaning?: string;

  @ApiPropertyOptional({ ...INSTANT_PROPERTY, description: 'Signed at or after this instant' })
  @IsOptional()
  @IsInstantWithOffset()
  from?: string;

  @ApiPropertyOptional({ ...INSTANT_PROPERTY, description: 'Signed at or before this instant' })
  @IsOptional()
  @IsInstantWithOffset()
  to?: string;
}

/** Filters of the cross-record search: each on something every event's envelope records. */
export class EventSearchQueryDto {
  @ApiPropertyOptional({
    description: 'Scan the record after this position (a `nextPosition`); default: from the start',
  })
  @IsOptional()
  @Matches(/^(start|\d{1,20}(\/\d{1,20})?)$/)
  after?: string;

  @ApiPropertyOptional({ description: 'Everything one command caused' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  correlationId?: string;

  @ApiPropertyOptional({ description: 'Everything one person, application or system did (actor id)' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  actorId?: string;

  @ApiPropertyOptional({ description: 'Events of this type' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  type?: string;

  @ApiPropertyOptional({ description: 'Events of streams whose id starts with this (e.g. `ordering.`)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  streamPrefix?: string;

  @ApiPropertyOptional({ ...INSTANT_PROPERTY, description: 'Recorded at or after this instant' })
  @IsOptional()
  @IsInstantWithOffset()
  recordedFrom?: string;

  @ApiPropertyOptional({ ...INSTANT_PROPERTY, description: 'Recorded at or before this instant' })
  @IsOptional()
  @IsInstantWithOffset()
  recordedTo?: string;

  @ApiPropertyOptional({ description: 'Events whose data names this tracer' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  tracerId?: string;

  @ApiPropertyOptional({ description: 'Events whose data names this delivery slot (with deliveryDate: a slot-day)' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  slotId?: string;

  @ApiPropertyOptional({ description: "Events of this delivery date's delivery days, or whose data names the date" })
  @IsOptional()
  @IsCalendarDate()
  deliveryDate?: string;

  @ApiPropertyOptional({
    description: 'Events of this lot (batch): its vials, and the releases naming it',
    example: 'FDG-261207-1',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  lot?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100, description: 'Most matches to answer' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ minimum: 1000, maximum: 100000, default: 20000, description: 'Most events to scan' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(100000)
  scan?: number;
}

export class ReviewRecordQueryDto extends ReadQueryDto {}

export class ReviewListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'The reviewer (user id)' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  reviewerId?: string;

  @ApiPropertyOptional({ enum: reviewConclusions })
  @IsOptional()
  @IsIn(reviewConclusions)
  conclusion?: ReviewConclusion;

  @ApiPropertyOptional({ ...INSTANT_PROPERTY, description: 'Reviewed at or after this instant' })
  @IsOptional()
  @IsInstantWithOffset()
  from?: string;

  @ApiPropertyOptional({ ...INSTANT_PROPERTY, description: 'Reviewed before this instant' })
  @IsOptional()
  @IsInstantWithOffset()
  to?: string;
}

/** A signed review of a record through a revision; what it covers and finds exceptional the server reads. */
export class ReviewAuditTrailDto {
  @ApiPropertyOptional({ description: 'Client-chosen review id (makes a retried request safe)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/)
  id?: string;

  @ApiProperty({ minimum: 0, description: 'The last revision of the record the reviewer read' })
  @IsInt()
  @Min(0)
  throughRevision!: number;

  @ApiProperty({ enum: reviewConclusions })
  @IsIn(reviewConclusions)
  conclusion!: ReviewConclusion;

  @ApiPropertyOptional({
    description: 'What the reviewer found; required when the record has exceptions or is not acceptable',
    maxLength: 4000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  findings?: string;

  @ApiProperty({ type: SignatureCredentialsDto, description: 'Signed with the meaning `review`' })
  @ValidateNested()
  @Type(() => SignatureCredentialsDto)
  signature!: SignatureCredentialsDto;
}

export class IncidentListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';

  @ApiPropertyOptional({ enum: incidentKinds })
  @IsOptional()
  @IsIn(incidentKinds)
  kind?: IncidentKind;
}

/** Closing an incident: what caused it, and what was done about it. */
export class CloseIncidentDto {
  @ApiProperty({ maxLength: 4000 })
  @IsString()
  @MaxLength(4000)
  rootCause!: string;

  @ApiProperty({ maxLength: 4000 })
  @IsString()
  @MaxLength(4000)
  correctiveAction!: string;
}
