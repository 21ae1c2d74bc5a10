import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { injectionUsages, orderStatuses, type InjectionUsage, type OrderStatus } from '@tracershop/domain/ordering';
import type { SignatureBlock, SignatureMeaning } from '@tracershop/event-store';
import { signatureMeanings } from '@tracershop/domain/identity';
import {
  orderKinds,
  type DayBoard,
  type DayBoardInjectionRow,
  type DayBoardOrderRow,
  type DayBoardRun,
  type DayBoardSlot,
  type DayClosure,
  type OrderDetailView,
  type OrderHistoryEntry,
  type OrderKind,
  type OrderView,
  type Page,
  type ReleaseView,
  type VialView,
} from '@tracershop/projections/record';
import { RecordHistoryDto } from '../record-history.dto';
import { NULLABLE_NUMBER, NULLABLE_TEXT } from '../openapi-fields';

/*
 * What the ordering queries answer, for the OpenAPI document. Each class implements the read
 * model's own type, so a field the read model gains or changes fails the build until it is
 * described here.
 */

const STATUS_CODES = [1, 2, 3, 4];

export class PersonDto {
  @ApiProperty() userId!: string;
  @ApiProperty() printedName!: string;
}

export class OrderedByDto extends PersonDto {
  @ApiProperty({ description: 'Login name (legacy `userName`)' }) username!: string;
}

export class ReleasedByDto extends OrderedByDto {
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Legacy `frigivet_af` (`Users.Id`)' }) legacyUserId!: number | null;
}

export class SignatureBlockDto implements SignatureBlock {
  @ApiProperty() signerId!: string;
  @ApiProperty() printedName!: string;
  @ApiProperty({ enum: signatureMeanings }) meaning!: SignatureMeaning;
  @ApiProperty({ description: 'ISO instant, set by the server' }) signedAt!: string;
  @ApiProperty({ description: 'SHA-256 of the signed record' }) recordHash!: string;
  @ApiPropertyOptional({
    description:
      'Version of the signed content the hash covers: 2 signs the vials’ values and what a correction withdraws; absent on first-version signatures (ids only)',
  })
  contentVersion?: number;
}

/** Where an ordering record stands in the event history, and its stream. */
class OrderingRecordHistoryDto extends RecordHistoryDto {
  @ApiProperty({ description: 'The aggregate’s stream: the delivery day, or the vial' }) streamId!: string;
}

export class OrderViewDto extends OrderingRecordHistoryDto implements OrderView {
  @ApiProperty() orderId!: string;
  @ApiProperty({ enum: orderKinds }) kind!: OrderKind;
  @ApiProperty() endpointId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() tracerId!: string;
  @ApiProperty({ example: '2026-11-23' }) deliveryDate!: string;
  @ApiProperty({ example: '08:00', description: 'The ordered slot’s time, or the injection order’s' })
  deliveryTime!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The ordered slot; null for injection orders' }) slotId!: string | null;
  @ApiProperty(NULLABLE_TEXT) productionRunId!: string | null;
  @ApiProperty(NULLABLE_NUMBER) runNumber!: number | null;
  @ApiProperty(NULLABLE_NUMBER) slotLegacyId!: number | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The slot that delivers it: moved-to, else ordered' })
  activeSlotId!: string | null;
  @ApiProperty(NULLABLE_TEXT) activeProductionRunId!: string | null;
  @ApiProperty(NULLABLE_TEXT) activeDeliveryTime!: string | null;
  @ApiProperty(NULLABLE_NUMBER) activeRunNumber!: number | null;
  @ApiProperty(NULLABLE_NUMBER) activeSlotLegacyId!: number | null;
  @ApiProperty() moved!: boolean;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'exp(ln2 · (ordered − active slot time) / T½)' })
  decayFactor!: number | null;
  @ApiProperty(NULLABLE_NUMBER) halfLifeSeconds!: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Ordered, at the ordered slot’s time, without overhead' })
  activityMBq!: number | null;
  @ApiProperty(NULLABLE_NUMBER) overheadPercent!: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'activity × decay factor × (1 + overhead / 100)' })
  activityServedMBq!: number | null;
  @ApiProperty(NULLABLE_NUMBER) injections!: number | null;
  @ApiProperty({ enum: injectionUsages, nullable: true }) usage!: InjectionUsage | null;
  @ApiProperty({ enum: orderStatuses }) status!: OrderStatus;
  @ApiProperty({ enum: STATUS_CODES, description: '1 ordered, 2 accepted, 3 released, 4 rejected or cancelled' })
  statusCode!: 1 | 2 | 3 | 4;
  @ApiProperty(NULLABLE_TEXT) comment!: string | null;
  @ApiProperty({ type: () => OrderedByDto }) orderedBy!: OrderedByDto;
  @ApiProperty(NULLABLE_TEXT) deadlineOverrideReason!: string | null;
  @ApiProperty(NULLABLE_TEXT) releaseId!: string | null;
  @ApiProperty(NULLABLE_TEXT) lot!: string | null;
  @ApiProperty({ type: [String], description: 'Every lot released to it, in vial order; empty unless released' })
  lots!: string[];
  @ApiProperty({ type: () => PersonDto, nullable: true }) releasedBy!: PersonDto | null;
  @ApiProperty(NULLABLE_TEXT) releasedAt!: string | null;
  @ApiProperty({ type: [String] }) bookingIds!: string[];
  @ApiProperty() legacyOid!: number;
  @ApiProperty(NULLABLE_NUMBER) customerLegacyId!: number | null;
  @ApiProperty(NULLABLE_NUMBER) tracerLegacyId!: number | null;
}

export class ActorDto {
  @ApiProperty() id!: string;
  @ApiProperty() printedName!: string;
}

export class OrderHistoryEntryDto implements OrderHistoryEntry {
  @ApiProperty({ description: '1, 2, … within the order’s history' }) position!: number;
  @ApiProperty() eventType!: string;
  @ApiProperty({ description: 'Global position of the event' }) eventPosition!: string;
  @ApiProperty() streamRevision!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: () => ActorDto }) actor!: ActorDto;
  @ApiProperty(NULLABLE_TEXT) reason!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event’s data without the order id: old and new values as recorded',
  })
  details!: Record<string, unknown>;
  @ApiProperty({ type: () => SignatureBlockDto, nullable: true }) signature!: SignatureBlockDto | null;
}

export class OrderDetailViewDto extends OrderViewDto implements OrderDetailView {
  @ApiProperty({ type: [OrderHistoryEntryDto] }) history!: OrderHistoryEntryDto[];
}

export class OrderPageDto implements Page<OrderView> {
  @ApiProperty({ type: [OrderViewDto] }) items!: OrderViewDto[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Pass it as `cursor` for the next page; null on the last' })
  nextCursor!: string | null;
}

export class ReleaseCorrectionDto implements NonNullable<ReleaseView['correction']> {
  @ApiProperty() reason!: string;
  @ApiProperty() correctedAt!: string;
  @ApiProperty({ type: () => PersonDto }) correctedBy!: PersonDto;
  @ApiProperty({ type: () => SignatureBlockDto, nullable: true }) signature!: SignatureBlockDto | null;
}

export class ReleaseViewDto extends OrderingRecordHistoryDto implements ReleaseView {
  @ApiProperty() releaseId!: string;
  @ApiProperty({ enum: orderKinds }) kind!: OrderKind;
  @ApiProperty() endpointId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() deliveryDate!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Null for injection releases' }) slotId!: string | null;
  @ApiProperty() tracerId!: string;
  @ApiProperty(NULLABLE_TEXT) ghostId!: string | null;
  @ApiProperty({ type: [String] }) orderIds!: string[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The injection lot, or the first vial’s' }) lot!: string | null;
  @ApiProperty({ type: [String] }) lots!: string[];
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'The vials’ activity at fill; null for injection releases' })
  deliveredActivityMBq!: number | null;
  @ApiProperty(NULLABLE_NUMBER) maxInjectionVolumeMl!: number | null;
  @ApiProperty({ type: [String], description: 'In the order given; the first is the host’s vial' }) vialIds!: string[];
  @ApiProperty({ type: () => ReleasedByDto }) releasedBy!: ReleasedByDto;
  @ApiProperty({ type: () => SignatureBlockDto, nullable: true }) signature!: SignatureBlockDto | null;
  @ApiProperty() releasedAt!: string;
  @ApiProperty({ enum: ['released', 'corrected'] }) status!: 'released' | 'corrected';
  @ApiProperty({ type: () => ReleaseCorrectionDto, nullable: true }) correction!: ReleaseCorrectionDto | null;
}

export class VialVoidDto implements NonNullable<VialView['voided']> {
  @ApiProperty() reason!: string;
  @ApiProperty() at!: string;
  @ApiProperty(NULLABLE_TEXT) byName!: string | null;
}

export class VialViewDto extends OrderingRecordHistoryDto implements VialView {
  @ApiProperty() vialId!: string;
  @ApiProperty() lot!: string;
  @ApiProperty() fillDate!: string;
  @ApiProperty({ example: '07:45:12' }) fillTime!: string;
  @ApiProperty() activityMBq!: number;
  @ApiProperty() volumeMl!: number;
  @ApiProperty() dispenserNumber!: number;
  @ApiProperty() depotPosition!: number;
  @ApiProperty() grossG!: number;
  @ApiProperty() tareG!: number;
  @ApiProperty() netG!: number;
  @ApiProperty() product!: string;
  @ApiProperty() legacyValId!: number;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Null while unassigned' }) releaseId!: string | null;
  @ApiProperty(NULLABLE_TEXT) releaseStreamId!: string | null;
  @ApiProperty() dispensedAt!: string;
  @ApiProperty({
    type: () => VialVoidDto,
    nullable: true,
    description: 'Null unless voided: a voided vial is released by no one until it is restored',
  })
  voided!: VialVoidDto | null;
}

export class VialPageDto implements Page<VialView> {
  @ApiProperty({ type: [VialViewDto] }) items!: VialViewDto[];
  @ApiProperty(NULLABLE_TEXT) nextCursor!: string | null;
}

export class DayBoardOrderRowDto implements DayBoardOrderRow {
  @ApiProperty() orderId!: string;
  @ApiProperty() legacyOid!: number;
  @ApiProperty() customerId!: string;
  @ApiProperty() endpointId!: string;
  @ApiProperty({ enum: orderStatuses }) status!: OrderStatus;
  @ApiProperty({ enum: STATUS_CODES }) statusCode!: 1 | 2 | 3 | 4;
  @ApiProperty() activityMBq!: number;
  @ApiProperty() overheadPercent!: number;
  @ApiProperty({ description: 'What its active slot delivers for it: decay-corrected, with overhead' })
  servedMBq!: number;
  @ApiProperty() orderedSlotId!: string;
  @ApiProperty() orderedDeliveryTime!: string;
  @ApiProperty() activeSlotId!: string;
  @ApiProperty() moved!: boolean;
  @ApiProperty() decayFactor!: number;
  @ApiProperty(NULLABLE_TEXT) comment!: string | null;
  @ApiProperty(NULLABLE_TEXT) releaseId!: string | null;
  @ApiProperty(NULLABLE_TEXT) lot!: string | null;
  @ApiProperty({ type: [String], description: 'Every lot released to it, in vial order; empty unless released' })
  lots!: string[];
}

class SlotOrderedDto {
  @ApiProperty({ type: [String] }) orderIds!: string[];
  @ApiProperty() activityMBq!: number;
}

class MovedInOrderDto {
  @ApiProperty() orderId!: string;
  @ApiProperty() fromSlotId!: string;
  @ApiProperty() fromDeliveryTime!: string;
  @ApiProperty() activityMBq!: number;
}

class SlotMovedInDto {
  @ApiProperty({ type: [MovedInOrderDto] }) orders!: MovedInOrderDto[];
  @ApiProperty() activityMBq!: number;
}

class MovedOutOrderDto {
  @ApiProperty() orderId!: string;
  @ApiProperty() toSlotId!: string;
  @ApiProperty() toDeliveryTime!: string;
}

class SlotGhostDto {
  @ApiProperty() ghostId!: string;
  @ApiProperty() legacyOid!: number;
  @ApiProperty() hostedCount!: number;
  @ApiProperty() createdAt!: string;
}

class SlotReleasedDto {
  @ApiProperty({ type: [String] }) releaseIds!: string[];
  @ApiProperty() deliveredActivityMBq!: number;
  @ApiProperty({ type: [String] }) lots!: string[];
  @ApiProperty({ type: [String] }) vialIds!: string[];
}

class DeadGhostDto {
  @ApiProperty() ghostId!: string;
  @ApiProperty() legacyOid!: number;
  @ApiProperty(NULLABLE_TEXT) dissolvedAt!: string | null;
  @ApiProperty({ enum: ['slot_has_own_order', 'hosts_nothing'], nullable: true })
  because!: DayBoardSlot['dead'][number]['because'];
}

export class DayBoardSlotDto implements DayBoardSlot {
  @ApiProperty() slotId!: string;
  @ApiProperty() endpointId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() productionRunId!: string;
  @ApiProperty() deliveryTime!: string;
  @ApiProperty() runNumber!: number;
  @ApiProperty({ type: () => SlotOrderedDto, description: 'Its own orders delivered from it, with overhead' })
  ordered!: SlotOrderedDto;
  @ApiProperty({ type: () => SlotMovedInDto, description: 'Moved in from later slots: decay-corrected' })
  movedIn!: SlotMovedInDto;
  @ApiProperty({ type: [MovedOutOrderDto] }) movedOut!: MovedOutOrderDto[];
  @ApiProperty({ description: 'ordered + movedIn: what the slot delivers' }) totalMBq!: number;
  @ApiProperty({
    description:
      'Whether the slot delivers on the date as the catalogue holds it now (weekday and week, not expired, not archived, the date not closed); its orders are listed either way',
  })
  deliversOnDate!: boolean;
  @ApiProperty({ type: () => SlotGhostDto, nullable: true }) ghost!: SlotGhostDto | null;
  @ApiProperty({ type: () => SlotReleasedDto, nullable: true }) released!: SlotReleasedDto | null;
  @ApiProperty({ type: [DeadGhostDto] }) dead!: DeadGhostDto[];
  @ApiProperty({ type: [DayBoardOrderRowDto] }) orders!: DayBoardOrderRowDto[];
}

export class DayBoardRunDto implements DayBoardRun {
  @ApiProperty() productionRunId!: string;
  @ApiProperty() runNumber!: number;
  @ApiProperty(NULLABLE_TEXT) productionTime!: string | null;
  @ApiProperty({ type: [String] }) slotIds!: string[];
  @ApiProperty() deliveredMBq!: number;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'What the run must make at its production time' })
  activityAtProductionMBq!: number | null;
}

export class DayBoardInjectionRowDto implements DayBoardInjectionRow {
  @ApiProperty() orderId!: string;
  @ApiProperty() legacyOid!: number;
  @ApiProperty() customerId!: string;
  @ApiProperty() endpointId!: string;
  @ApiProperty() deliveryTime!: string;
  @ApiProperty() injections!: number;
  @ApiProperty({ enum: injectionUsages }) usage!: InjectionUsage;
  @ApiProperty({ enum: orderStatuses }) status!: OrderStatus;
  @ApiProperty({ enum: STATUS_CODES }) statusCode!: 1 | 2 | 3 | 4;
  @ApiProperty(NULLABLE_TEXT) comment!: string | null;
  @ApiProperty(NULLABLE_TEXT) releaseId!: string | null;
  @ApiProperty(NULLABLE_TEXT) lot!: string | null;
  @ApiProperty({ type: [String], description: 'Every lot released to it, in vial order; empty unless released' })
  lots!: string[];
}

class DayClosureDto implements DayClosure {
  @ApiProperty({ enum: ['closed-date', 'weekly-close-day'] }) kind!: DayClosure['kind'];
  @ApiProperty(NULLABLE_TEXT) reason!: string | null;
}

export class DayBoardDto implements DayBoard {
  @ApiProperty() date!: string;
  @ApiProperty() tracerId!: string;
  @ApiProperty({
    type: () => DayClosureDto,
    nullable: true,
    description:
      'Null unless nothing is delivered on the date; orders placed before the closure are listed all the same',
  })
  closed!: DayClosureDto | null;
  @ApiProperty({ type: [DayBoardSlotDto] }) slots!: DayBoardSlotDto[];
  @ApiProperty({ type: [DayBoardRunDto] }) runs!: DayBoardRunDto[];
  @ApiProperty({ type: [DayBoardInjectionRowDto] }) injectionOrders!: DayBoardInjectionRowDto[];
}
