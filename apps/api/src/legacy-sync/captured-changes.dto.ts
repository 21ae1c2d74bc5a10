import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../read-query.dto';
import type { CapturedChangesPage, CapturedChangeView } from './captured-changes-report';
import { CAPTURE_OUTCOMES, CAPTURED_LEGACY_TABLES, type CaptureOutcome } from '@tracershop/domain/legacy';
import { ANY_JSON_VALUE, NULLABLE_TEXT } from '../openapi-fields';

/** The reconciliation list of the old system's captured changes, in keyset pages by id (the cursor is one). */
export class CapturedChangesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CAPTURE_OUTCOMES, description: 'Only changes with this outcome' })
  @IsOptional()
  @IsIn(CAPTURE_OUTCOMES)
  outcome?: CaptureOutcome;

  @ApiPropertyOptional({ enum: CAPTURED_LEGACY_TABLES, description: "Only changes of this of the old system's tables" })
  @IsOptional()
  @IsIn(CAPTURED_LEGACY_TABLES)
  table?: string;

  @ApiPropertyOptional({ description: 'true: only rejected or unsupported changes nobody has reconciled yet' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  open?: boolean;

  // Adds a rule to the base class's: here a cursor is a capture id.
  @Matches(/^\d{1,19}$/, { message: 'cursor must be the nextCursor of a previous page' })
  declare cursor?: string;
}

// What the report answers, for the OpenAPI document (the classes implement the report's types).

export class ReconcilerDto {
  @ApiProperty() id!: string;
  @ApiProperty() printedName!: string;
}

export class ReconciliationDto implements NonNullable<CapturedChangeView['reconciliation']> {
  @ApiProperty() reason!: string;
  @ApiProperty({ type: ReconcilerDto }) by!: ReconcilerDto;
  @ApiProperty({ description: 'ISO instant' }) at!: string;
  @ApiProperty() position!: string;
}

export class CapturedChangeViewDto implements CapturedChangeView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The old system’s table' }) table!: string;
  @ApiProperty({ enum: ['insert', 'update', 'delete'] }) operation!: string;
  @ApiProperty({ description: 'The row’s primary key' }) rowKey!: string;
  @ApiProperty({ ...ANY_JSON_VALUE, description: 'The row before the change; null for an insert' }) before!: unknown;
  @ApiProperty({ ...ANY_JSON_VALUE, description: 'The row after the change; null for a delete' }) after!: unknown;
  @ApiProperty({ description: 'When the old system made the change (ISO instant)' }) capturedAt!: string;
  @ApiProperty({ description: 'The old system’s database account' }) capturedBy!: string;
  @ApiProperty({ enum: CAPTURE_OUTCOMES }) outcome!: CaptureOutcome;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Why it was rejected or not supported' }) code!: string | null;
  @ApiProperty(NULLABLE_TEXT) message!: string | null;
  @ApiProperty(ANY_JSON_VALUE) details!: unknown;
  @ApiProperty({ type: [String], description: 'Event types the change appended' }) events!: string[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Of its last event: pass as minPosition' }) position!: string | null;
  @ApiProperty(NULLABLE_TEXT) processedAt!: string | null;
  @ApiProperty({ type: ReconciliationDto, nullable: true, description: 'Null while open' })
  reconciliation!: ReconciliationDto | null;
}

export class CaptureCountsDto implements Record<CaptureOutcome | 'open', number> {
  @ApiProperty() pending!: number;
  @ApiProperty() applied!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty() unsupported!: number;
  @ApiProperty({ description: 'Rejected or unsupported, not reconciled' }) open!: number;
}

export class CapturedChangesPageDto implements CapturedChangesPage {
  @ApiProperty({ type: [CapturedChangeViewDto] }) items!: CapturedChangeViewDto[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Pass it as `cursor` for the next page; null on the last' })
  nextCursor!: string | null;
  @ApiProperty({ type: CaptureCountsDto, description: 'Every captured change by outcome, whatever the filters' })
  counts!: CaptureCountsDto;
}
