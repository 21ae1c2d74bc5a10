import type { FastifyReply, FastifyRequest } from 'fastify';
import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { isoWeekdayOf, isWeeklyCloseDay, slotDeliversOn, type CalendarDate } from '@tracershop/domain/catalog';
import { vialStreamName, type ActivityReleased, type VialCorrected } from '@tracershop/domain/ordering';
import { readWholeStream, StreamNotFoundError, type EventStore, type Position } from '@tracershop/event-store';
import { Allow, ApplicationScope, EVENT_STORE, notFound, ReadsProjections } from '@tracershop/platform';
import {
  CATALOG_PROJECTION_NAME,
  ORDERING_PROJECTION_NAME,
  type CatalogReadModel,
  type DayBoardOptions,
  type DeliveryTimeSlotView,
  type Page,
  type OrderingReadModel,
  type ProductionRunView,
  type ReleaseView,
} from '@tracershop/projections/record';
import { ORDER_READERS, VIAL_READERS } from '../access-roles';
import { answer, CATALOG_READ_MODEL } from '../catalog/catalog-read-model.provider';
import { CustomerScope } from '../catalog/customer-scope';
import { textPdf } from '../documents/text-pdf';
import { ReadQueryDto } from '../read-query.dto';
import { BusinessClock } from './business-clock';
import {
  DayBoardDto,
  OrderDetailViewDto,
  OrderPageDto,
  ReleaseViewDto,
  VialPageDto,
  VialViewDto,
} from './ordering-views.dto';
import { DayBoardQueryDto, OrderListQueryDto, VialListQueryDto } from './ordering.dto';
import { ORDERING_READ_MODEL } from './ordering-read-model.provider';
import { releaseDocumentLines, type VialCorrection } from './release-document';

/** Printable ASCII up to the record's vial id column (130): any other id names no vial. */
const POSSIBLE_VIAL_ID = /^[\x21-\x7e]{1,130}$/;

/** Customers a scoped caller may see, narrowed by an optional filter; undefined means all. */
function customerFilter(scope: CustomerScope, request: FastifyRequest, customerId?: string): string[] | undefined {
  const visible = scope.of(request);
  if (visible === 'all') return customerId === undefined ? undefined : [customerId];
  const mine = [...visible];
  return customerId === undefined ? mine : mine.filter((id) => id === customerId);
}

@ApiTags('ordering: orders')
@Controller('ordering/orders')
export class OrderQueriesController {
  constructor(
    @Inject(ORDERING_READ_MODEL) private readonly readModel: OrderingReadModel,
    private readonly scope: CustomerScope,
  ) {}

  @Get()
  @Allow(...ORDER_READERS)
  @ApplicationScope('orders:read')
  @ReadsProjections(ORDERING_PROJECTION_NAME)
  @ApiOkResponse({ type: OrderPageDto })
  list(@Query() query: OrderListQueryDto, @Req() request: FastifyRequest): Promise<OrderPageDto> {
    const { minPosition: _minPosition, limit = 50, cursor, customerId, ...filters } = query;
    const customerIds = customerFilter(this.scope, request, customerId);
    return answer(
      this.readModel.listOrders({
        limit,
        after: cursor ?? null,
        ...filters,
        ...(customerIds !== undefined ? { customerIds } : {}),
      }),
    );
  }

  @Get(':id')
  @Allow(...ORDER_READERS)
  @ApplicationScope('orders:read')
  @ReadsProjections(ORDERING_PROJECTION_NAME)
  @ApiOkResponse({ type: OrderDetailViewDto })
  async get(
    @Param('id') id: string,
    @Query() _query: ReadQueryDto,
    @Req() request: FastifyRequest,
  ): Promise<OrderDetailViewDto> {
    const order = await answer(this.readModel.getOrder(id), { code: 'ORDER_NOT_FOUND', id });
    await this.scope.assertCustomer(request, order.customerId, 'order', id);
    return order;
  }
}

@ApiTags('ordering: production day board')
@Controller('ordering/day-board')
export class DayBoardController {
  constructor(
    @Inject(ORDERING_READ_MODEL) private readonly readModel: OrderingReadModel,
    @Inject(CATALOG_READ_MODEL) private readonly catalog: CatalogReadModel,
    private readonly scope: CustomerScope,
  ) {}

  /**
   * Per slot of the tracer on the date: ordered, moved-in (decay-corrected), ghost, released and
   * dead; per production run: what it delivers and what it must make at its production time.
   */
  @Get()
  @Allow(...ORDER_READERS)
  @ApplicationScope('orders:read')
  @ReadsProjections(ORDERING_PROJECTION_NAME, CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: DayBoardDto })
  async board(@Query() query: DayBoardQueryDto, @Req() request: FastifyRequest): Promise<DayBoardDto> {
    const customerIds = customerFilter(this.scope, request);
    // The catalogue's runs of that weekday give each run its production time.
    const runs = await answer(
      this.catalog.listProductionRuns({
        tracerId: query.tracerId,
        weekday: isoWeekdayOf(query.date),
        status: 'all',
        limit: 500,
      }),
    );
    return answer(
      this.readModel.dayBoard({
        date: query.date,
        tracerId: query.tracerId,
        ...(customerIds !== undefined ? { customerIds } : {}),
        productionRuns: runs.items.map((run) => ({
          productionRunId: run.id,
          runNumber: run.runNumber,
          productionTime: run.productionTime,
          archived: run.status !== 'active',
        })),
        calendar: await this.calendarOf(query.date, runs.items),
      }),
    );
  }

  /**
   * Whether the date is closed, and which of the runs' slots deliver on it, as the catalogue holds
   * them now: a closure or a slot retired after ordering leaves orders where nothing is delivered.
   */
  private async calendarOf(
    date: CalendarDate,
    runs: readonly ProductionRunView[],
  ): Promise<NonNullable<DayBoardOptions['calendar']>> {
    const [closedDate, weekly, ...slotPages] = await Promise.all([
      this.catalog.getClosedDate(date),
      this.catalog.weeklyCloseDays(),
      ...runs.map((run) => this.slotsOf(run.id)),
    ]);
    const dateClosed = closedDate?.status === 'closed';
    const closed = dateClosed
      ? { kind: 'closed-date' as const, reason: closedDate.reason }
      : isWeeklyCloseDay(weekly.mask, isoWeekdayOf(date))
        ? { kind: 'weekly-close-day' as const, reason: weekly.reason }
        : null;
    const closedDays = { dates: dateClosed ? [date] : [], weeklyCloseDays: weekly.mask };
    const slotsDelivering = new Set<string>();
    runs.forEach((run, index) => {
      for (const slot of slotPages[index] ?? []) {
        if (run.status === 'active' && slotDeliversOn(slot, run.weekday, date, closedDays))
          slotsDelivering.add(slot.id);
      }
    });
    return { closed, slotsDelivering };
  }

  /** Every slot of a run, archived ones too, page by page. */
  private async slotsOf(productionRunId: string): Promise<DeliveryTimeSlotView[]> {
    const slots: DeliveryTimeSlotView[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<DeliveryTimeSlotView> = await answer(
        this.catalog.listDeliveryTimeSlots({ productionRunId, status: 'all', limit: 500, cursor }),
      );
      slots.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return slots;
  }
}

@ApiTags('ordering: releases')
@Controller('ordering/releases')
export class ReleaseQueriesController {
  constructor(
    @Inject(ORDERING_READ_MODEL) private readonly readModel: OrderingReadModel,
    @Inject(CATALOG_READ_MODEL) private readonly catalog: CatalogReadModel,
    @Inject(BusinessClock) private readonly clock: BusinessClock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly scope: CustomerScope,
  ) {}

  /** The release document that goes with the vials, as PDF; a corrected release's says it no longer holds. */
  @Get(':id/document')
  @Allow(...ORDER_READERS)
  @ApplicationScope('orders:read')
  @ReadsProjections(ORDERING_PROJECTION_NAME, CATALOG_PROJECTION_NAME)
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'The release document (PDF)',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  async document(
    @Param('id') id: string,
    @Query() _query: ReadQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const release = await answer(this.readModel.getRelease(id), { code: 'RELEASE_NOT_FOUND', id });
    await this.scope.assertCustomer(request, release.customerId, 'release', id);
    const [tracer, customer, endpoint, vials, orders] = await Promise.all([
      this.catalog.getTracer(release.tracerId),
      this.catalog.getCustomer(release.customerId),
      this.catalog.getDeliveryEndpoint(release.endpointId),
      Promise.all(release.vialIds.map((vialId) => this.readModel.getVial(vialId))),
      Promise.all(release.orderIds.map((orderId) => this.readModel.getOrder(orderId))),
    ]);
    const released = release.kind === 'activity' ? await this.activityReleased(release) : null;
    const [isotope, vialCorrections] = await Promise.all([
      tracer ? this.catalog.getIsotope(tracer.isotopeId) : null,
      this.vialCorrections(release.vialIds, released?.position ?? null),
    ]);
    const pdf = textPdf(
      releaseDocumentLines({
        release,
        tracer: tracer ?? { shortName: release.tracerId, clinicalName: release.tracerId },
        isotopeName: isotope?.name ?? '',
        customerName: customer?.longName ?? release.customerId,
        endpointName: endpoint?.name ?? release.endpointId,
        releasedVials: released?.vials ?? null,
        vials: new Map(vials.flatMap((vial) => (vial ? [[vial.vialId, vial] as const] : []))),
        orders: new Map(orders.flatMap((order) => (order ? [[order.orderId, order] as const] : []))),
        vialCorrections,
        local: (instant) => this.clock.localText(instant),
      }),
      { title: `Frigivelse ${release.releaseId}` },
    );
    const fileName = `frigivelse-${release.releaseId.replace(/[^A-Za-z0-9-]/g, '_')}.pdf`;
    void reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="${fileName}"`);
    return pdf;
  }

  /**
   * The release as signed: its `ActivityReleased` event in the delivery day's stream, with the
   * vials' values it released, and where it stands in the record. Null when it cannot be read.
   */
  private async activityReleased(
    release: ReleaseView,
  ): Promise<{ vials: ActivityReleased['data']['vials']; position: Position } | null> {
    const events = await readWholeStream(this.store, release.streamId).catch((error: unknown) => {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    });
    const event = events.find(
      (recorded) =>
        recorded.type === 'ActivityReleased' &&
        (recorded.data as ActivityReleased['data']).releaseId === release.releaseId,
    );
    return event ? { vials: (event.data as ActivityReleased['data']).vials, position: event.position } : null;
  }

  /**
   * Each vial's corrections, read from its stream: the record itself, not a read model's summary;
   * those after the release (at `releasedAt`) marked, as what it signed does not hold them.
   */
  private async vialCorrections(
    vialIds: readonly string[],
    releasedAt: Position | null,
  ): Promise<Map<string, VialCorrection[]>> {
    const entries = await Promise.all(
      vialIds.map(async (vialId) => {
        const events = await this.store.readStream(vialStreamName(vialId)).catch((error: unknown) => {
          if (error instanceof StreamNotFoundError) return [];
          throw error;
        });
        const corrections = events
          .filter((event) => event.type === 'VialCorrected')
          .map((event): VialCorrection => {
            const data = event.data as VialCorrected['data'];
            return {
              recordedAt: event.metadata.recordedAt,
              correctedBy: event.metadata.actor.printedName,
              changes: data.changes,
              reason: data.reason,
              afterRelease: releasedAt !== null && event.position.isAfter(releasedAt),
            };
          });
        return [vialId, corrections] as const;
      }),
    );
    return new Map(entries);
  }

  @Get(':id')
  @Allow(...ORDER_READERS)
  @ApplicationScope('orders:read')
  @ReadsProjections(ORDERING_PROJECTION_NAME)
  @ApiOkResponse({ type: ReleaseViewDto })
  async get(
    @Param('id') id: string,
    @Query() _query: ReadQueryDto,
    @Req() request: FastifyRequest,
  ): Promise<ReleaseViewDto> {
    const release = await answer(this.readModel.getRelease(id), { code: 'RELEASE_NOT_FOUND', id });
    await this.scope.assertCustomer(request, release.customerId, 'release', id);
    return release;
  }
}

@ApiTags('ordering: vials')
@Controller('ordering/vials')
export class VialQueriesController {
  constructor(@Inject(ORDERING_READ_MODEL) private readonly readModel: OrderingReadModel) {}

  @Get()
  @Allow(...VIAL_READERS)
  @ReadsProjections(ORDERING_PROJECTION_NAME)
  @ApiOkResponse({ type: VialPageDto })
  list(@Query() query: VialListQueryDto): Promise<VialPageDto> {
    const { minPosition: _minPosition, limit = 50, cursor, ...filters } = query;
    return answer(this.readModel.listVials({ limit, after: cursor ?? null, ...filters }));
  }

  @Get(':id')
  @Allow(...VIAL_READERS)
  @ReadsProjections(ORDERING_PROJECTION_NAME)
  @ApiOkResponse({ type: VialViewDto })
  get(@Param('id') id: string, @Query() _query: ReadQueryDto): Promise<VialViewDto> {
    // Vial ids are ASCII (`<lot>@<date>T<time>`, as the record's column holds them): an id no vial
    // can have is unknown, answered as such without asking the read model.
    if (!POSSIBLE_VIAL_ID.test(id)) return Promise.reject(notFound('VIAL_NOT_FOUND', id));
    return answer(this.readModel.getVial(id), { code: 'VIAL_NOT_FOUND', id });
  }
}
