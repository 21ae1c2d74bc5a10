import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Any query: read-your-writes by the position a command returned. */
export class ReadQueryDto {
  @ApiPropertyOptional({ description: 'Wait until the read model has reached this position (read-your-writes)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  minPosition?: string;
}

/** A list read in keyset pages. */
export class PageQueryDto extends ReadQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
