import { ApiProperty } from '@nestjs/swagger';
import type { RecordHistory } from '@tracershop/projections/record';

/** Where a read model's record stands in the event history, as every query answers it. */
export class RecordHistoryDto implements RecordHistory {
  @ApiProperty({ description: 'Stream revision of the latest event (decimal)' }) revision!: string;
  @ApiProperty() createdPosition!: string;
  @ApiProperty() updatedPosition!: string;
  @ApiProperty({ description: 'ISO instant: the business time of the creating event' }) createdAt!: string;
  @ApiProperty({ description: 'ISO instant: the business time of the latest event' }) updatedAt!: string;
}
