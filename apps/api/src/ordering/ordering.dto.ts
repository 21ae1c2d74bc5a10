import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto, ReadQueryDto } from '../read-query.dto';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
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
  ValidateNested,
} from 'class-validator';
import {
  DATE_PROPERTY,
  ID,
  ID_LIST_PROPERTY,
  ID_PROPERTY,
  IsCalendarDate,
  LOT_FILTER,
  TIME,
  TIME_WITH_SECONDS,
} from '../dto-fields';

// Shapes and ranges are checked here; ordering rules (slots, deadlines, statuses) by the decider.

class ReasonField {
  @ApiProperty({ example: 'Run 2 dropped: cyclotron maintenance' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class OrderReasonDto extends ReasonField {}

/** Re-authentication for an electronic signature (the logged-in user's own credentials). */
export class SignatureCredentialsDto {
  @ApiPropertyOptional({ description: 'Required for the first signature of a signing session' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  username?: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

/** Production only: place or change an order after the ordering deadline, saying why. */
class DeadlineOverrideField {
  @ApiPropertyOptional({ description: 'Production only: after the deadline, with this reason', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  deadlineOverrideReason?: string;
}

export class PlaceActivityOrderDto extends DeadlineOverrideField {
  @ApiPropertyOptional({ ...ID_PROPERTY, description: 'Client-chosen order id (makes a retried request safe)' })
  @IsOptional()
  @Matches(ID)
  id?: string;

  @ApiProperty({ ...ID_PROPERTY, description: 'The delivery time slot (it names the endpoint and the production run)' })
  @Matches(ID)
  slotId!: string;

  @ApiProperty(DATE_PROPERTY)
  @IsCalendarDate()
  deliveryDate!: string;

  @ApiProperty({
    example: 1000,
    minimum: 0.01,
    maximum: 1_000_000,
    description: 'MBq at the slot time, without overhead',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(1_000_000)
  activityMBq!: number;

  @ApiPropertyOptional({ maxLength: 8000 })
  @IsOptional()
  @IsString()
  @MaxLength(8000)
  comment?: string;
}

export class ChangeActivityOrderDto extends DeadlineOverrideField {
  @ApiPropertyOptional({ example: 1200, minimum: 0.01, maximum: 1_000_000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(1_000_000)
  activityMBq?: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 8000 })
  @IsOptional()
  @IsString()
  @MaxLength(8000)
  comment?: string;
}

export const INJECTION_USAGES = ['human', 'animal', 'other'] as const;

export class PlaceInjectionOrderDto extends DeadlineOverrideField {
  @ApiPropertyOptional({ ...ID_PROPERTY, description: 'Client-chosen order id (makes a retried request safe)' })
  @IsOptional()
  @Matches(ID)
  id?: string;

  @ApiProperty(ID_PROPERTY)
  @Matches(ID)
  endpointId!: string;

  @ApiProperty(ID_PROPERTY)
  @Matches(ID)
  tracerId!: string;

  @ApiProperty(DATE_PROPERTY)
  @IsCalendarDate()
  deliveryDate!: string;

  @ApiProperty({ example: '10:15', pattern: TIME.source })
  @Matches(TIME)
  deliveryTime!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 127 })
  @IsInt()
  @Min(1)
  @Max(127)
  injections!: number;

  @ApiProperty({ enum: INJECTION_USAGES })
  @IsIn(INJECTION_USAGES)
  usage!: (typeof INJECTION_USAGES)[number];

  @ApiPropertyOptional({ maxLength: 8000 })
  @IsOptional()
  @IsString()
  @MaxLength(8000)
  comment?: string;
}

export class ChangeInjectionOrderDto extends DeadlineOverrideField {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 127 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(127)
  injections?: number;
  @ApiPropertyOptional({ enum: INJECTION_USAGES })
  @IsOptional()
  @IsIn(INJECTION_USAGES)
  usage?: (typeof INJECTION_USAGES)[number];
  @ApiPropertyOptional({ example: '10:15', pattern: TIME.source }) @IsOptional() @Matches(TIME) deliveryTime?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(8000) comment?: string;
}

export class MoveOrderDto extends ReasonField {
  @ApiProperty({ ...ID_PROPERTY, description: 'An earlier slot of the same endpoint, tracer and day' })
  @Matches(ID)
  targetSlotId!: string;
}

export class ReleaseSlotDto {
  @ApiPropertyOptional({ ...ID_PROPERTY, description: 'Client-chosen release id (makes a retried request safe)' })
  @IsOptional()
  @Matches(ID)
  id?: string;

  @ApiProperty(ID_PROPERTY)
  @Matches(ID)
  slotId!: string;

  @ApiProperty(DATE_PROPERTY)
  @IsCalendarDate()
  deliveryDate!: string;

  @ApiProperty({
    ...ID_LIST_PROPERTY,
    maxItems: 200,
    description: 'Accepted orders delivered from this slot, each once',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ArrayUnique()
  @Matches(ID, { each: true })
  orderIds!: string[];

  @ApiProperty({
    type: String,
    isArray: true,
    minItems: 1,
    maxItems: 50,
    uniqueItems: true,
    items: { type: 'string', maxLength: 80 },
    description: 'Dispensed vials, each once; the first is the host order’s vial',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(80, { each: true })
  vialIds!: string[];

  @ApiPropertyOptional({ description: 'Required to release a delivery date other than today' })
  @IsOptional()
  @IsBoolean()
  confirmOtherDate?: boolean;

  @ApiProperty({ type: SignatureCredentialsDto })
  @ValidateNested()
  @Type(() => SignatureCredentialsDto)
  signature!: SignatureCredentialsDto;
}

export class ReleaseInjectionOrdersDto {
  @ApiPropertyOptional({ ...ID_PROPERTY, description: 'Client-chosen release id (makes a retried request safe)' })
  @IsOptional()
  @Matches(ID)
  id?: string;

  @ApiProperty(ID_PROPERTY)
  @Matches(ID)
  endpointId!: string;

  @ApiProperty(DATE_PROPERTY)
  @IsCalendarDate()
  deliveryDate!: string;

  @ApiProperty({
    ...ID_LIST_PROPERTY,
    maxItems: 200,
    description: 'Accepted injection orders of one tracer, each once',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ArrayUnique()
  @Matches(ID, { each: true })
  orderIds!: string[];

  @ApiProperty({ example: 'FET-261123-1', maxLength: 20 })
  @IsString()
  @MaxLength(20)
  lot!: string;

  @ApiPropertyOptional({ example: 10, description: 'The largest volume one injection may take from the batch (ml)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(1_000)
  maxInjectionVolumeMl?: number;

  @ApiProperty({ type: SignatureCredentialsDto })
  @ValidateNested()
  @Type(() => SignatureCredentialsDto)
  signature!: SignatureCredentialsDto;
}

export class CorrectReleaseDto extends ReasonField {
  @ApiProperty({ type: SignatureCredentialsDto })
  @ValidateNested()
  @Type(() => SignatureCredentialsDto)
  signature!: SignatureCredentialsDto;
}

export class DispenseVialDto {
  @ApiProperty({ example: 'FDG-261123-1', maxLength: 20, description: '`:` is read as `-`' })
  @IsString()
  @MaxLength(20)
  lot!: string;

  @ApiProperty(DATE_PROPERTY)
  @IsCalendarDate()
  fillDate!: string;

  @ApiProperty({ example: '07:45:12', pattern: TIME_WITH_SECONDS.source })
  @Matches(TIME_WITH_SECONDS)
  fillTime!: string;

  @ApiProperty({ example: 12000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(9_999_999)
  activityMBq!: number;

  @ApiProperty({ example: 8.5 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(99_999)
  volumeMl!: number;

  @ApiProperty({ example: 2, description: 'The customer’s dispenser number (99 QC, 98 rinse)' })
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  dispenserNumber!: number;

  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsInt() @Min(0) @Max(127) depotPosition?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsNumber() @Min(0) @Max(99_999) grossG?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsNumber() @Min(0) @Max(99_999) tareG?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsNumber() @Min(0) @Max(99_999) netG?: number;
  @ApiPropertyOptional({ default: '18F' }) @IsOptional() @IsString() @MaxLength(20) product?: string;

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'Why a person records the vial by hand: required of people, not of the dispenser’s token',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

/** Why a vial recorded in error is voided, or a vial voided in error restored. */
export class VialReasonDto extends ReasonField {}

export class CorrectVialDto extends ReasonField {
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0.01) @Max(9_999_999) activityMBq?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) @Max(99_999) volumeMl?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(2_147_483_647) dispenserNumber?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(127) depotPosition?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) @Max(99_999) grossG?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) @Max(99_999) tareG?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) @Max(99_999) netG?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) product?: string;
}

export class OrderCommandResponseDto {
  @ApiProperty({ description: 'The order, release or vial the command concerned' }) id!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ description: 'Stream revision after the command' }) revision!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Global position: pass as minPosition to read your write' })
  position!: string | null;
  @ApiProperty({ type: [String] }) events!: string[];
}

export class ValFileDto {
  @ApiPropertyOptional({
    maxLength: 255,
    description: 'The file name, kept in the event’s source (the dispenser’s, or a person’s upload)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  fileName?: string;

  @ApiPropertyOptional({ description: 'The file as text' })
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  content?: string;

  @ApiPropertyOptional({ description: 'The file’s ISO-8859-1 bytes, base64-encoded' })
  @IsOptional()
  @IsString()
  @MaxLength(22_000)
  contentBase64?: string;

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'Why a person uploads the file by hand: required of people, not of the dispenser’s token',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

const ORDER_STATUSES = ['ordered', 'accepted', 'released', 'rejected', 'cancelled'] as const;

export class OrderListQueryDto extends PageQueryDto {
  @ApiPropertyOptional(DATE_PROPERTY) @IsOptional() @IsCalendarDate() deliveryDate?: string;
  @ApiPropertyOptional({ ...DATE_PROPERTY, description: 'Delivery dates from (inclusive)' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;
  @ApiPropertyOptional({ ...DATE_PROPERTY, description: 'Delivery dates to (inclusive)' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
  @ApiPropertyOptional(ID_PROPERTY) @IsOptional() @Matches(ID) endpointId?: string;
  @ApiPropertyOptional(ID_PROPERTY) @IsOptional() @Matches(ID) customerId?: string;
  @ApiPropertyOptional(ID_PROPERTY) @IsOptional() @Matches(ID) tracerId?: string;
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: (typeof ORDER_STATUSES)[number];
  @ApiPropertyOptional({ enum: ['activity', 'injection'] }) @IsOptional() @IsIn(['activity', 'injection']) kind?:
    'activity' | 'injection';
}

export class DayBoardQueryDto extends ReadQueryDto {
  @ApiProperty(DATE_PROPERTY) @IsCalendarDate() date!: string;
  @ApiProperty(ID_PROPERTY) @Matches(ID) tracerId!: string;
}

export class VialListQueryDto extends PageQueryDto {
  @ApiPropertyOptional(DATE_PROPERTY) @IsOptional() @IsCalendarDate() fillDate?: string;
  @ApiPropertyOptional({ pattern: LOT_FILTER.source, description: 'A lot number; `:` is read as `-`' })
  @IsOptional()
  @Matches(LOT_FILTER)
  lot?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  dispenserNumber?: number;
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  assigned?: boolean;
  @ApiPropertyOptional({ description: 'false: vials not voided (with `assigned=false`: those a release may take)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  voided?: boolean;
}
