import type { Type } from '@nestjs/common';
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

/**
 * A page of a list query (`Page<T>`) whose items are the given response class: the subclass that
 * extends it names the page in the OpenAPI document.
 */
export function pageOf<T>(item: Type<T>) {
  class PageOfItems {
    @ApiProperty({ type: [item] }) items!: T[];
    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass it as `cursor` for the next page; null on the last',
    })
    nextCursor!: string | null;
  }
  return PageOfItems;
}
