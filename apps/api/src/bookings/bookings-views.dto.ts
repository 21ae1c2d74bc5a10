import { ApiProperty } from '@nestjs/swagger';
import { bookingStatuses, type BookingStatus } from '@tracershop/domain/bookings';
import type { BookingOrderView, BookingView, Page } from '@tracershop/projections/record';
import { RecordHistoryDto } from '../record-history.dto';

/*
 * What the bookings queries answer, for the OpenAPI document. Each class implements the read
 * model's own type, so a field the read model gains or changes fails the build until it is
 * described here.
 */

export class BookingOrderViewDto implements BookingOrderView {
  @ApiProperty({ description: 'The order made from the booking (`GET /ordering/orders/:id`)' }) orderId!: string;
  @ApiProperty() endpointId!: string;
  @ApiProperty({ example: '2026-11-23', description: 'Its delivery date' }) date!: string;
  @ApiProperty({
    type: String,
    enum: ['cancelled', 'rejected'],
    nullable: true,
    description: 'Null while the order is in force; once withdrawn, it covers the booking no more',
  })
  withdrawn!: 'cancelled' | 'rejected' | null;
}

export class BookingViewDto extends RecordHistoryDto implements BookingView {
  @ApiProperty() accessionNumber!: string;
  @ApiProperty({ description: 'RIS room code (HL7 OBR-21)' }) locationCode!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The endpoint the room is mapped to now' })
  endpointId!: string | null;
  @ApiProperty({ description: 'HL7 OBR-4' }) procedureCode!: string;
  @ApiProperty({ type: String, nullable: true }) procedureDescription!: string | null;
  @ApiProperty({ example: '2026-11-23', description: 'Local date of the study’s start' }) startDate!: string;
  @ApiProperty({ example: '09:15' }) startTime!: string;
  @ApiProperty({
    enum: bookingStatuses,
    description:
      '`changed-after-order` / `cancelled-after-order`: the worklist changed or cancelled the study after it ' +
      'was ordered, and its order is still in force (withdraw or edit it). A booking whose order was withdrawn ' +
      'reads `initial` (or `cancelled`) again',
  })
  status!: BookingStatus;
  @ApiProperty({
    type: () => BookingOrderViewDto,
    nullable: true,
    description: 'The order made from the booking; kept after a re-import, a cancellation or its withdrawal',
  })
  order!: BookingOrderViewDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why it was rejected or cancelled' })
  reason!: string | null;
}

export class BookingPageDto implements Page<BookingView> {
  @ApiProperty({ type: [BookingViewDto] }) items!: BookingViewDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass it as `cursor` for the next page; null on the last' })
  nextCursor!: string | null;
}
