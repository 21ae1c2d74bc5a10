import { ApiProperty } from '@nestjs/swagger';
import {
  orderingDeadlineKinds,
  tracerKinds,
  weeklyRepeats,
  type CustomerLegacyAttributes,
  type IsoWeekday,
  type Lifecycle,
  type OrderingDeadline,
  type TracerKind,
  type TracerLegacyAttributes,
  type WeeklyRepeat,
} from '@tracershop/domain/catalog';
import type {
  ClosedDateStatus,
  ClosedDateView,
  CustomerView,
  DeliveryEndpointView,
  DeliveryTimeSlotView,
  IsotopeView,
  Page,
  ProductionRunView,
  TracerPermissionStatus,
  TracerPermissionView,
  TracerView,
  WeeklyCloseDaysView,
} from '@tracershop/projections/record';
import { pageOf, RecordHistoryDto } from '../record-history.dto';
import { NULLABLE_NUMBER, NULLABLE_TEXT } from '../openapi-fields';

/*
 * What the catalogue queries answer, for the OpenAPI document. Each class implements the read
 * model's own type, so a field the read model gains or changes fails the build until it is
 * described here.
 */

const LIFECYCLES: Lifecycle[] = ['active', 'archived'];
const WEEKDAYS: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/** An entity's lifecycle and where it stands in the event history. */
class CatalogRecordDto extends RecordHistoryDto {
  @ApiProperty({ enum: LIFECYCLES }) status!: Lifecycle;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Why it was archived; null while active' })
  archivedReason!: string | null;
}

export class IsotopeViewDto extends CatalogRecordDto implements IsotopeView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Legacy `isotopes.id`' }) legacyId!: number;
  @ApiProperty({ example: 'F-18' }) name!: string;
  @ApiProperty() atomicNumber!: number;
  @ApiProperty() atomicMass!: number;
  @ApiProperty({ description: 'Legacy `isotopes.halflife`' }) halfLifeSeconds!: number;
  @ApiProperty() metastable!: boolean;
}

export class TracerLegacyViewDto implements TracerLegacyAttributes {
  @ApiProperty({ ...NULLABLE_NUMBER, description: '`Tracers.order_block`' }) orderBlock!: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: '`Tracers.n_injections`; the legacy −1 is null' })
  injections!: number | null;
}

export class TracerViewDto extends CatalogRecordDto implements TracerView {
  @ApiProperty() id!: string;
  @ApiProperty() isotopeId!: string;
  @ApiProperty({ enum: tracerKinds }) kind!: TracerKind;
  @ApiProperty({ description: 'Legacy `Tracers.id` (FDG: 6)' }) legacyId!: number;
  @ApiProperty({ example: 'FDG' }) shortName!: string;
  @ApiProperty({ description: 'Printed on release documents' }) clinicalName!: string;
  @ApiProperty({ description: 'Lots read `<vialTag>-YYMMDD-n`' }) vialTag!: string;
  @ApiProperty() inUse!: boolean;
  @ApiProperty({ type: TracerLegacyViewDto, nullable: true }) legacy!: TracerLegacyViewDto | null;
}

export class CustomerLegacyViewDto implements CustomerLegacyAttributes {
  @ApiProperty(NULLABLE_TEXT) title!: string | null;
  @ApiProperty(NULLABLE_TEXT) labelName!: string | null;
  @ApiProperty(NULLABLE_TEXT) addressLine3!: string | null;
  @ApiProperty(NULLABLE_TEXT) addressLine4!: string | null;
}

export class CustomerViewDto extends CatalogRecordDto implements CustomerView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Legacy `Users.Id`' }) legacyId!: number;
  @ApiProperty({ description: 'Legacy `Users.Username`' }) shortName!: string;
  @ApiProperty({ description: 'Legacy `Users.Realname`' }) longName!: string;
  @ApiProperty({ description: 'Legacy `Users.kundenr` and `VAL.customer`' }) dispenserNumber!: number;
  @ApiProperty() overheadPercent!: number;
  @ApiProperty(NULLABLE_TEXT) contactPerson!: string | null;
  @ApiProperty({ type: [String] }) emails!: string[];
  @ApiProperty(NULLABLE_TEXT) phone!: string | null;
  @ApiProperty(NULLABLE_TEXT) billingAddress!: string | null;
  @ApiProperty(NULLABLE_TEXT) billingCity!: string | null;
  @ApiProperty(NULLABLE_TEXT) billingZip!: string | null;
  @ApiProperty({ type: CustomerLegacyViewDto, nullable: true }) legacy!: CustomerLegacyViewDto | null;
}

export class DeliveryEndpointViewDto extends CatalogRecordDto implements DeliveryEndpointView {
  @ApiProperty() id!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty(NULLABLE_TEXT) address!: string | null;
  @ApiProperty(NULLABLE_TEXT) city!: string | null;
  @ApiProperty(NULLABLE_TEXT) zip!: string | null;
  @ApiProperty(NULLABLE_TEXT) phone!: string | null;
}

export class ProductionRunViewDto extends CatalogRecordDto implements ProductionRunView {
  @ApiProperty() id!: string;
  @ApiProperty() tracerId!: string;
  @ApiProperty({ enum: WEEKDAYS, description: '1 = Monday … 7 = Sunday' }) weekday!: IsoWeekday;
  @ApiProperty({ description: 'Legacy `productionTimes.PTID`' }) legacyId!: number;
  @ApiProperty({ example: '06:00' }) productionTime!: string;
  @ApiProperty({ description: 'The run’s number within its weekday' }) runNumber!: number;
  @ApiProperty(NULLABLE_NUMBER) maxActivityMBq!: number | null;
}

export class DeliveryTimeSlotViewDto extends CatalogRecordDto implements DeliveryTimeSlotView {
  @ApiProperty() id!: string;
  @ApiProperty() endpointId!: string;
  @ApiProperty() productionRunId!: string;
  @ApiProperty({ enum: WEEKDAYS, description: 'The run’s weekday' }) weekday!: IsoWeekday;
  @ApiProperty({ description: 'Legacy `deliverTimes.DTID`' }) legacyId!: number;
  @ApiProperty({ example: '08:00' }) deliveryTime!: string;
  @ApiProperty({ enum: weeklyRepeats, description: 'Every week, or even or odd ISO weeks' }) repeat!: WeeklyRepeat;
  @ApiProperty(NULLABLE_NUMBER) maxActivityMBq!: number | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Delivers on dates strictly before this one' })
  expiryDate!: string | null;
}

export class TracerPermissionViewDto extends RecordHistoryDto implements TracerPermissionView {
  @ApiProperty() id!: string;
  @ApiProperty() endpointId!: string;
  @ApiProperty() tracerId!: string;
  @ApiProperty({ description: 'Legacy `TracerCustomer.ID`' }) legacyId!: number;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Overrides the customer’s overhead for this tracer' })
  overheadPercent!: number | null;
  @ApiProperty(NULLABLE_NUMBER) maxInjections!: number | null;
  @ApiProperty({ enum: ['granted', 'revoked'] }) status!: TracerPermissionStatus;
  @ApiProperty(NULLABLE_TEXT) revokedReason!: string | null;
}

export class ClosedDateViewDto extends RecordHistoryDto implements ClosedDateView {
  @ApiProperty({ example: '2026-12-24' }) date!: string;
  @ApiProperty({ enum: ['closed', 'reopened'] }) status!: ClosedDateStatus;
  @ApiProperty({ description: 'Legacy `blockDeliverDate.BDID`' }) legacyId!: number;
  @ApiProperty({ description: 'Of the latest close or reopen' }) reason!: string;
}

export class WeeklyCloseDaysViewDto implements WeeklyCloseDaysView {
  @ApiProperty({ description: 'Bit 0 = Monday … bit 6 = Sunday' }) mask!: number;
  @ApiProperty({ enum: WEEKDAYS, isArray: true }) weekdays!: IsoWeekday[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Of the latest change; null until first changed' })
  reason!: string | null;
  @ApiProperty(NULLABLE_TEXT) revision!: string | null;
  @ApiProperty(NULLABLE_TEXT) updatedPosition!: string | null;
  @ApiProperty(NULLABLE_TEXT) updatedAt!: string | null;
}

/** A deadline; `weekday` only for a weekly one. */
export class OrderingDeadlineDto {
  @ApiProperty({ enum: ['daily', 'weekly'] }) kind!: OrderingDeadline['kind'];
  @ApiProperty({ enum: WEEKDAYS, required: false, description: 'Weekly deadlines only' }) weekday?: IsoWeekday;
  @ApiProperty({ example: '12:00' }) time!: string;
}

/** The deadline in force for one kind of order: production's latest setting, or the configured one. */
export class DeadlineInForceDto {
  @ApiProperty({ type: OrderingDeadlineDto }) deadline!: OrderingDeadlineDto;
  @ApiProperty({ enum: ['set', 'configured'] }) source!: 'set' | 'configured';
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Why production set it; null when configured' })
  reason!: string | null;
  @ApiProperty(NULLABLE_TEXT) revision!: string | null;
  @ApiProperty(NULLABLE_TEXT) updatedPosition!: string | null;
  @ApiProperty(NULLABLE_TEXT) updatedAt!: string | null;
}

export class OrderingDeadlinesDto implements Record<(typeof orderingDeadlineKinds)[number], DeadlineInForceDto> {
  @ApiProperty({ type: DeadlineInForceDto }) activity!: DeadlineInForceDto;
  @ApiProperty({ type: DeadlineInForceDto }) injection!: DeadlineInForceDto;
}

export class IsotopePageDto extends pageOf(IsotopeViewDto) implements Page<IsotopeView> {}
export class TracerPageDto extends pageOf(TracerViewDto) implements Page<TracerView> {}
export class CustomerPageDto extends pageOf(CustomerViewDto) implements Page<CustomerView> {}
export class DeliveryEndpointPageDto extends pageOf(DeliveryEndpointViewDto) implements Page<DeliveryEndpointView> {}
export class ProductionRunPageDto extends pageOf(ProductionRunViewDto) implements Page<ProductionRunView> {}
export class DeliveryTimeSlotPageDto extends pageOf(DeliveryTimeSlotViewDto) implements Page<DeliveryTimeSlotView> {}
export class TracerPermissionPageDto extends pageOf(TracerPermissionViewDto) implements Page<TracerPermissionView> {}
export class ClosedDatePageDto extends pageOf(ClosedDateViewDto) implements Page<ClosedDateView> {}
