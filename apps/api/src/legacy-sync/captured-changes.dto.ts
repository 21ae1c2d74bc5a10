import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ReadQueryDto } from '../read-query.dto';
import { CAPTURE_OUTCOMES, CAPTURED_LEGACY_TABLES, type CaptureOutcome } from '@tracershop/domain/legacy';

/** The reconciliation list of the old system's captured changes, in keyset pages by id. */
export class CapturedChangesQueryDto extends ReadQueryDto {
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

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}
