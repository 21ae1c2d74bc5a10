import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../read-query.dto';
import { CAPTURE_OUTCOMES, CAPTURED_LEGACY_TABLES, type CaptureOutcome } from '@tracershop/domain/legacy';

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
