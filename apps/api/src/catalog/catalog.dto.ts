import { DISPENSER_NUMBER_MAX, type IsoWeekday } from '@tracershop/domain/catalog';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { DATE_PROPERTY, IsCalendarDate } from '../dto-fields';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

// Shapes and ranges are checked here; domain rules (uniqueness, references, times) by the deciders.

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * `legacyId` of a creating request: the row's id in the old system's table, for rows carried over
 * from it (FDG is `Tracers.id` 6). Omitted, the server allocates one (an even id; the old system
 * allocates odd ones). Unique per legacy table: an id another record holds is a 409.
 */
function LegacyIdProperty(column: string, example: number) {
  return applyDecorators(
    ApiPropertyOptional({
      description:
        `Legacy \`${column}\` of a row carried over from the old system; ` +
        'omitted, the server allocates one. Unique: an id another record holds is a 409 (NAME_TAKEN).',
      minimum: 1,
      maximum: 2_147_483_647,
      example,
    }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(2_147_483_647),
  );
}

/**
 * `reason` of a change of GMP-relevant reference data (Annex 11 §9): required when the request
 * changes a value, and kept with the change; the decider refuses a change without one (`422
 * FIELD_REQUIRED`), so the answer is the same as for every other missing reason. A request that
 * changes nothing needs none.
 */
export function ChangeReasonProperty() {
  return applyDecorators(
    ApiPropertyOptional({
      description: 'Why the values change: required when one does (422 FIELD_REQUIRED), kept with the change',
      example: 'Contract renewed',
      maxLength: 500,
    }),
    IsOptional(),
    IsString(),
    MaxLength(500),
  );
}

export class ReasonDto {
  @ApiProperty({ example: 'No longer produced' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class ListQueryDto {
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

  @ApiPropertyOptional({ enum: ['active', 'archived', 'all'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'archived', 'all'])
  status?: 'active' | 'archived' | 'all';

  @ApiPropertyOptional({ description: 'Wait until the read model has reached this position (read-your-writes)' })
  @IsOptional()
  @IsString()
  minPosition?: string;
}

export class GetQueryDto {
  @ApiPropertyOptional({ description: 'Wait until the read model has reached this position (read-your-writes)' })
  @IsOptional()
  @IsString()
  minPosition?: string;
}

// Isotopes

export class IsotopeDetailsDto {
  @ApiProperty({ example: 'F-18' })
  @IsString()
  @MaxLength(20)
  name!: string;

  @ApiProperty({ example: 9 })
  @IsInt()
  @Min(1)
  @Max(130)
  atomicNumber!: number;

  @ApiProperty({ example: 18 })
  @IsInt()
  @Min(1)
  @Max(400)
  atomicMass!: number;

  @ApiProperty({ example: 6586.2 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  halfLifeSeconds!: number;

  @ApiProperty({ example: false })
  @IsBoolean()
  metastable!: boolean;
}

export class RegisterIsotopeDto extends IsotopeDetailsDto {
  @ApiPropertyOptional({ description: 'Client-chosen id (UUID); the server makes one when absent' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @LegacyIdProperty('isotopes.id', 1)
  legacyId?: number;
}

export class UpdateIsotopeDto extends PartialType(IsotopeDetailsDto) {
  @ChangeReasonProperty()
  reason?: string;
}

// Tracers

export class TracerLegacyDto {
  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  orderBlock!: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  injections!: number | null;
}

export class TracerDetailsDto {
  @ApiProperty({ example: 'FDG' })
  @IsString()
  @MaxLength(50)
  shortName!: string;

  @ApiProperty({ example: 'Fludeoxyglucose (18F)' })
  @IsString()
  @MaxLength(200)
  clinicalName!: string;

  @ApiProperty({ example: 'FDG', description: 'Vial lot-number prefix' })
  @IsString()
  @MaxLength(10)
  vialTag!: string;

  @ApiProperty()
  @IsBoolean()
  inUse!: boolean;

  @ApiPropertyOptional({ type: TracerLegacyDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => TracerLegacyDto)
  legacy?: TracerLegacyDto | null;
}

export class RegisterTracerDto extends TracerDetailsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(64)
  isotopeId!: string;

  @ApiProperty({ enum: ['activity', 'injection'] })
  @IsIn(['activity', 'injection'])
  kind!: 'activity' | 'injection';

  @LegacyIdProperty('Tracers.id', 6)
  legacyId?: number;
}

export class UpdateTracerDto extends PartialType(TracerDetailsDto) {
  @ChangeReasonProperty()
  reason?: string;
}

export class ChangeTracerIsotopeDto extends ReasonDto {
  @ApiProperty()
  @IsString()
  @MaxLength(64)
  isotopeId!: string;
}

// Customers

export class CustomerLegacyDto {
  @IsOptional() @IsString() @MaxLength(100) title!: string | null;
  @IsOptional() @IsString() @MaxLength(50) labelName!: string | null;
  @IsOptional() @IsString() @MaxLength(100) addressLine3!: string | null;
  @IsOptional() @IsString() @MaxLength(100) addressLine4!: string | null;
}

export class CustomerDetailsDto {
  @ApiProperty({ example: 'herlev' })
  @IsString()
  @MaxLength(50)
  shortName!: string;

  @ApiProperty({ example: 'Herlev Hospital, Nuklearmedicinsk afdeling' })
  @IsString()
  @MaxLength(200)
  longName!: string;

  @ApiProperty({
    example: 7,
    description: "The dispenser customer number (unique; 1–99: the old system's dispenser script keeps two digits)",
  })
  @IsInt()
  @Min(1)
  @Max(DISPENSER_NUMBER_MAX)
  dispenserNumber!: number;

  @ApiProperty({ example: 10 })
  @IsInt()
  @Min(0)
  @Max(1000)
  overheadPercent!: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  contactPerson?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 4 })
  @IsOptional()
  @ArrayMaxSize(4)
  @IsEmail({}, { each: true })
  emails?: string[];

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  billingAddress?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  billingCity?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  billingZip?: string | null;

  @ApiPropertyOptional({ type: CustomerLegacyDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => CustomerLegacyDto)
  legacy?: CustomerLegacyDto | null;
}

export class RegisterCustomerDto extends CustomerDetailsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  id?: string;

  @LegacyIdProperty('Users.Id', 7)
  legacyId?: number;
}

export class UpdateCustomerDto extends PartialType(CustomerDetailsDto) {
  @ChangeReasonProperty()
  reason?: string;
}

// Delivery endpoints

export class DeliveryEndpointDetailsDto {
  @ApiProperty({ example: 'PET-center' })
  @IsString()
  @MaxLength(100)
  name!: string;

  @IsOptional() @IsString() @MaxLength(200) @ApiPropertyOptional({ type: String, nullable: true }) address?:
    string | null;
  @IsOptional() @IsString() @MaxLength(100) @ApiPropertyOptional({ type: String, nullable: true }) city?: string | null;
  @IsOptional() @IsString() @MaxLength(20) @ApiPropertyOptional({ type: String, nullable: true }) zip?: string | null;
  @IsOptional() @IsString() @MaxLength(30) @ApiPropertyOptional({ type: String, nullable: true }) phone?: string | null;
}

export class RegisterDeliveryEndpointDto extends DeliveryEndpointDetailsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(64)
  customerId!: string;
}

export class UpdateDeliveryEndpointDto extends PartialType(DeliveryEndpointDetailsDto) {
  @ChangeReasonProperty()
  reason?: string;
}

// Production runs

export class ProductionRunDetailsDto {
  @ApiProperty({ example: '06:00' })
  @Matches(TIME, { message: 'productionTime is HH:MM' })
  productionTime!: string;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(127)
  runNumber!: number;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 50000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  maxActivityMBq?: number | null;
}

export class ScheduleProductionRunDto extends ProductionRunDetailsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(64)
  tracerId!: string;

  @ApiProperty({ type: Number, minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday!: IsoWeekday;

  @LegacyIdProperty('productionTimes.PTID', 3)
  legacyId?: number;
}

export class UpdateProductionRunDto extends PartialType(ProductionRunDetailsDto) {
  @ChangeReasonProperty()
  reason?: string;
}

// Delivery time slots

export class DeliveryTimeSlotDetailsDto {
  @ApiProperty({ example: '07:30' })
  @Matches(TIME, { message: 'deliveryTime is HH:MM' })
  deliveryTime!: string;

  @ApiProperty({ enum: ['every', 'even', 'odd'], description: 'Weekly repeat by ISO week' })
  @IsIn(['every', 'even', 'odd'])
  repeat!: 'every' | 'even' | 'odd';

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  maxActivityMBq?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2027-12-31' })
  @IsOptional()
  @IsCalendarDate({ message: 'expiryDate is a calendar date YYYY-MM-DD' })
  expiryDate?: string | null;
}

export class ScheduleDeliveryTimeSlotDto extends DeliveryTimeSlotDetailsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(64)
  endpointId!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(64)
  productionRunId!: string;

  @LegacyIdProperty('deliverTimes.DTID', 21)
  legacyId?: number;
}

export class UpdateDeliveryTimeSlotDto extends PartialType(DeliveryTimeSlotDetailsDto) {
  @ChangeReasonProperty()
  reason?: string;
}

// Tracer permissions

export class TracerPermissionDetailsDto {
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Overrides the customer overhead for this tracer' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  overheadPercent?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxInjections?: number | null;
}

export class UpdateTracerPermissionDto extends TracerPermissionDetailsDto {
  @ChangeReasonProperty()
  reason?: string;
}

export class GrantTracerPermissionDto extends TracerPermissionDetailsDto {
  @LegacyIdProperty('TracerCustomer.ID', 5)
  legacyId?: number;
}

// Closed dates and weekly close days

export class CloseDateDto extends ReasonDto {
  @LegacyIdProperty('blockDeliverDate.BDID', 11)
  legacyId?: number;
}

export class SetWeeklyCloseDaysDto extends ReasonDto {
  @ApiProperty({ description: 'Bit 0 = Monday … bit 6 = Sunday', minimum: 0, maximum: 127 })
  @IsInt()
  @Min(0)
  @Max(127)
  mask!: number;
}

export class SetOrderingDeadlineDto extends ReasonDto {
  @ApiProperty({ enum: ['daily', 'weekly'], description: 'daily: the day before; weekly: back to the weekday' })
  @IsIn(['daily', 'weekly'])
  kind!: 'daily' | 'weekly';

  @ApiPropertyOptional({ type: Number, description: 'weekly only: 1 = Monday … 7 = Sunday', minimum: 1, maximum: 7 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7)
  weekday?: IsoWeekday;

  @ApiProperty({ example: '13:00', description: 'HH:MM, local business time' })
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/)
  time!: string;
}

export class CommandResponseDto {
  @ApiProperty({ description: 'The aggregate the command changed' }) id!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ description: 'Stream revision after the command' }) revision!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Global position: pass as minPosition to read your write' })
  position!: string | null;
  @ApiProperty({ type: [String] }) events!: string[];
}

// List filters

export class TracerListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) isotopeId?: string;
  @ApiPropertyOptional({ enum: ['activity', 'injection'] }) @IsOptional() @IsIn(['activity', 'injection']) kind?:
    'activity' | 'injection';
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  inUse?: boolean;
}

export class DeliveryEndpointListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) customerId?: string;
}

export class ProductionRunListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) tracerId?: string;
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 7 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7)
  weekday?: IsoWeekday;
}

export class DeliveryTimeSlotListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) endpointId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) productionRunId?: string;
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 7 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7)
  weekday?: IsoWeekday;
}

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() minPosition?: string;
}

export class TracerPermissionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['granted', 'revoked', 'all'] })
  @IsOptional()
  @IsIn(['granted', 'revoked', 'all'])
  status?: 'granted' | 'revoked' | 'all';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) endpointId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) tracerId?: string;
}

export class ClosedDateListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['closed', 'reopened', 'all'] })
  @IsOptional()
  @IsIn(['closed', 'reopened', 'all'])
  status?: 'closed' | 'reopened' | 'all';
  @ApiPropertyOptional(DATE_PROPERTY) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional(DATE_PROPERTY) @IsOptional() @IsCalendarDate() to?: string;
}
