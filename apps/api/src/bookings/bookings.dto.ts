import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { bookingFieldLengths, bookingStatuses, type BookingStatus } from '@tracershop/domain/bookings';
import { PageQueryDto, ReadQueryDto } from '../read-query.dto';
import { DATE_PROPERTY, ID, IsCalendarDate, TIME } from '../dto-fields';
import { ChangeReasonProperty } from '../catalog/catalog.dto';

// Shapes and ranges are checked here; the booking rules (statuses, mappings, slots) by the deciders.

/** The most bookings one mass order takes: a busy PET centre's day is a few dozen. */
export const MAX_MASS_ORDER_BOOKINGS = 500;

export class ImportBookingDto {
  @ApiProperty({ example: 'HRL2026000123', description: 'Unique; HL7 ORC-20' })
  @IsString()
  @MinLength(1)
  @MaxLength(bookingFieldLengths.accessionNumber)
  accessionNumber!: string;

  @ApiProperty({ example: 'PET1', description: 'RIS room code; HL7 OBR-21' })
  @IsString()
  @MinLength(1)
  @MaxLength(bookingFieldLengths.locationCode)
  locationCode!: string;

  @ApiProperty({ example: 'WBFDG', description: 'Procedure identifier; HL7 OBR-4.1' })
  @IsString()
  @MinLength(1)
  @MaxLength(bookingFieldLengths.procedureCode)
  procedureCode!: string;

  @ApiPropertyOptional({ example: 'PET/CT whole body FDG', description: 'HL7 OBR-4.2' })
  @IsOptional()
  @IsString()
  @MaxLength(bookingFieldLengths.procedureDescription)
  procedureDescription?: string;

  @ApiProperty({ ...DATE_PROPERTY, description: 'Local date of the study start (HL7 ORC-7.4)' })
  @IsCalendarDate()
  startDate!: string;

  @ApiProperty({ example: '09:15', pattern: TIME.source, description: 'Local time of the study start' })
  @Matches(TIME)
  startTime!: string;

  @ApiPropertyOptional({
    maxLength: 1000,
    description: 'Why a person imports the booking by hand: required of people, not of the worklist’s token',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class BookingReasonDto {
  @ApiProperty({ example: 'ORC-1 CA: cancelled in the RIS' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;
}

export class MapLocationDto {
  @ApiProperty({ type: String, nullable: true, description: 'The delivery endpoint serving the room; null unmaps it' })
  @ValidateIf((_dto, value) => value !== null)
  @Matches(ID)
  endpointId!: string | null;

  /** A room mapped before changes where its bookings are ordered for: that says why. */
  @ChangeReasonProperty()
  reason?: string;
}

export class DefineProcedureDto {
  @ApiProperty()
  @Matches(ID)
  tracerId!: string;

  @ApiProperty({ example: 300, description: 'MBq per study (activity tracer) or injections (injection tracer)' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(100_000)
  tracerUnits!: number;

  @ApiProperty({ example: 15, description: 'Minutes from the study start to the injection' })
  @IsInt()
  @Min(0)
  @Max(1440)
  delayMinutes!: number;

  @ApiProperty()
  @IsBoolean()
  isPet!: boolean;

  /** A defined procedure's new values change how much is ordered: that says why. */
  @ChangeReasonProperty()
  reason?: string;
}

export class BookingListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ ...DATE_PROPERTY, description: 'Start date of the studies' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiPropertyOptional({ description: 'Bookings whose room is mapped to this endpoint (required for shop members)' })
  @IsOptional()
  @Matches(ID)
  endpointId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(bookingFieldLengths.locationCode)
  locationCode?: string;

  @ApiPropertyOptional({ enum: [...bookingStatuses, 'all'], default: 'all' })
  @IsOptional()
  @IsIn([...bookingStatuses, 'all'])
  status?: BookingStatus | 'all';
}

export class BookingGetQueryDto extends ReadQueryDto {}

export class MassOrderDto {
  @ApiProperty({ description: 'The delivery endpoint ordered for' })
  @Matches(ID)
  endpointId!: string;

  @ApiProperty(DATE_PROPERTY)
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ type: [String], description: 'Bookings to order for (accession numbers)' })
  @IsArray()
  @ArrayMaxSize(MAX_MASS_ORDER_BOOKINGS)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(bookingFieldLengths.accessionNumber, { each: true })
  accessionNumbers!: string[];

  @ApiPropertyOptional({ type: [String], description: 'Bookings declined: they become rejected' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MASS_ORDER_BOOKINGS)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(bookingFieldLengths.accessionNumber, { each: true })
  declined?: string[];

  @ApiPropertyOptional({ description: 'Recorded on the declined bookings' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  declineReason?: string;
}

export class BookingCommandResponseDto {
  @ApiProperty({ description: 'The accession number, room code or procedure id the command changed' }) id!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ description: 'Stream revision after the command' }) revision!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Global position: pass as minPosition to read your write' })
  position!: string | null;
  @ApiProperty({ type: [String] }) events!: string[];
}

export class MassOrderPlacedOrderDto {
  @ApiProperty() orderId!: string;
  @ApiProperty({ enum: ['activity', 'injection'] }) kind!: 'activity' | 'injection';
  @ApiProperty() tracerId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The slot of an activity order; null for an injection order',
  })
  slotId!: string | null;
  @ApiProperty({ description: 'Slot delivery time, or the injection order’s time' }) deliveryTime!: string;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Decay-corrected sum at the slot, rounded down' })
  activityMBq!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) injections!: number | null;
  @ApiProperty({ type: [String] }) bookingIds!: string[];
  @ApiProperty({ type: [String], description: 'Empty when the order existed already (a retry)' }) events!: string[];
}

export class MassOrderSkippedDto {
  @ApiProperty() accessionNumber!: string;
  @ApiProperty() procedureCode!: string;
  @ApiProperty({ enum: ['NO_PROCEDURE'] }) reason!: 'NO_PROCEDURE';
}

export class MassOrderResponseDto {
  @ApiProperty() endpointId!: string;
  @ApiProperty() date!: string;
  @ApiProperty({ type: [MassOrderPlacedOrderDto] }) orders!: MassOrderPlacedOrderDto[];
  @ApiProperty({ type: [String] }) ordered!: string[];
  @ApiProperty({ type: [String] }) rejected!: string[];
  @ApiProperty({ type: [MassOrderSkippedDto] }) skipped!: MassOrderSkippedDto[];
  @ApiProperty({ type: String, nullable: true, description: 'The latest position written: pass as minPosition' })
  position!: string | null;
}
