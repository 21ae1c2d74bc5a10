import type { FastifyRequest } from 'fastify';
import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal, Role } from '@tracershop/auth';
import { CommandPipeline, type CommandContext, type CommandDefinition } from '@tracershop/command-pipeline';
import {
  bookingDecider,
  bookingStreamName,
  locationMappingDecider,
  locationMappingStreamName,
  procedureId,
} from '@tracershop/domain/bookings';
import type { DomainEvent } from '@tracershop/domain/kernel';
import {
  Allow,
  ApplicationScope,
  Command,
  ExecuteDomainCommand,
  HttpProblem,
  notFound,
  ReadsProjections,
} from '@tracershop/platform';
import {
  BOOKINGS_PROJECTION_NAME,
  CATALOG_PROJECTION_NAME,
  type BookingsReadModel,
  type BookingView,
} from '@tracershop/projections/record';
import { ORDER_PLACERS } from '../access-roles';
import { answer } from '../catalog/catalog-read-model.provider';
import { CustomerScope } from '../catalog/customer-scope';
import { bookingCommand, locationMappingCommand, procedureCommand, refsLoadedByHandler } from './bookings-commands';
import { BOOKINGS_READ_MODEL } from './bookings-read-model.provider';
import { BookingPageDto, BookingViewDto } from './bookings-views.dto';
import {
  BookingCommandResponseDto,
  BookingGetQueryDto,
  BookingListQueryDto,
  BookingReasonDto,
  DefineProcedureDto,
  ImportBookingDto,
  MapLocationDto,
  MassOrderDto,
  MassOrderResponseDto,
} from './bookings.dto';
import { MassOrderService } from './mass-order.service';
import { reasonRequiredOfPeople, sentByApplication } from '../ordering/reason-of-people';

/** The worklist integration (an API token) imports and cancels; production may do it by hand. */
export const BOOKING_IMPORTERS: Role[] = ['admin', 'production', 'application'];
/** Room mappings and procedure definitions are production's reference data. */
export const BOOKING_CONFIGURERS: Role[] = ['admin', 'production'];
/** Shop members read their customers' endpoints' bookings; production, admins and auditors all. */
export const BOOKING_READERS: Role[] = ['admin', 'production', 'shop-admin', 'shop', 'auditor'];

const now = () => new Date().toISOString();

/** What the worklist's feed sends is recorded under the HL7 message it came in. */
const worklistSource = (accessionNumber: string) => ({
  system: 'hospital-worklist',
  table: 'ORM^O01',
  primaryKey: accessionNumber,
});

@ApiTags('bookings')
@Controller('bookings')
export class BookingsController {
  constructor(
    private readonly bus: CommandBus,
    @Inject(BOOKINGS_READ_MODEL) private readonly readModel: BookingsReadModel,
    private readonly scope: CustomerScope,
    private readonly massOrders: MassOrderService,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
  ) {}

  private async send<C, E extends DomainEvent, S>(
    id: string,
    definition: CommandDefinition<C, E, S>,
    command: NoInfer<C>,
    context: CommandContext,
  ): Promise<BookingCommandResponseDto> {
    const result = await this.bus.execute(new ExecuteDomainCommand(definition, command, context));
    return { id, ...result };
  }

  @Get()
  @Allow(...BOOKING_READERS)
  @ReadsProjections(BOOKINGS_PROJECTION_NAME, CATALOG_PROJECTION_NAME)
  @ApiOperation({ summary: 'Bookings in order of start; shop members name one of their endpoints' })
  @ApiOkResponse({ type: BookingPageDto })
  async list(@Query() query: BookingListQueryDto, @Req() request: FastifyRequest): Promise<BookingPageDto> {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    this.scope.requireFilter(request, filters.endpointId, 'endpointId');
    if (filters.endpointId !== undefined) await this.scope.assertEndpoint(request, filters.endpointId);
    return answer(this.readModel.listBookings({ limit, ...filters }));
  }

  @Get(':accession')
  @Allow(...BOOKING_READERS)
  @ReadsProjections(BOOKINGS_PROJECTION_NAME, CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: BookingViewDto })
  async get(
    @Param('accession') accession: string,
    @Query() _query: BookingGetQueryDto,
    @Req() request: FastifyRequest,
  ): Promise<BookingViewDto> {
    const booking = await this.readModel.getBooking(accession);
    if (booking && (await this.visible(request, booking))) return booking;
    throw notFound('BOOKING_NOT_FOUND', accession);
  }

  @Post()
  @Allow(...BOOKING_IMPORTERS)
  @ApplicationScope('bookings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import a booking from the worklist: create, or update and start over as initial' })
  @ApiOkResponse({ type: BookingCommandResponseDto, description: 'events is empty when nothing changed' })
  async import(@Body() body: ImportBookingDto, @Req() request: FastifyRequest, @Command() context: CommandContext) {
    const { reason, ...booking } = body;
    const { accessionNumber } = booking;
    // The worklist's feed (an API token) is the source of what it sends; a person who types a
    // booking in is its author, says why, and is not recorded as the worklist.
    const given = reasonRequiredOfPeople(request, reason, 'A booking imported by hand needs a reason');
    await this.assertMayWrite(request, accessionNumber, booking.locationCode);
    return this.send(
      accessionNumber,
      bookingCommand,
      { type: 'ImportBooking', ...booking, at: now() },
      {
        ...context,
        ...(given === null ? {} : { reason: given }),
        ...(sentByApplication(request) ? { source: worklistSource(accessionNumber) } : {}),
      },
    );
  }

  @Post('mass-order')
  @Allow(...ORDER_PLACERS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Order a day’s bookings of an endpoint: one activity order per slot, injections per booking',
  })
  @ApiOkResponse({ type: MassOrderResponseDto })
  async massOrder(@Body() body: MassOrderDto, @Req() request: FastifyRequest, @Command() context: CommandContext) {
    await this.scope.assertEndpoint(request, body.endpointId);
    const inScope = (endpointId: string | null) => this.scope.seesAnyEndpoint(request, [endpointId]);
    return this.massOrders.massOrder(body, request.principal as Principal, context, inScope);
  }

  @Post(':accession/cancel')
  @Allow(...BOOKING_IMPORTERS)
  @ApplicationScope('bookings')
  @HttpCode(200)
  @ApiOperation({ summary: 'The worklist cancelled the study; the booking stays, cancelled' })
  @ApiOkResponse({ type: BookingCommandResponseDto })
  async cancel(
    @Param('accession') accession: string,
    @Body() { reason }: BookingReasonDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    await this.assertMayWrite(request, accession);
    return this.send(
      accession,
      bookingCommand,
      { type: 'CancelBooking', accessionNumber: accession, reason, at: now() },
      { ...context, reason, ...(sentByApplication(request) ? { source: worklistSource(accession) } : {}) },
    );
  }

  @Put('locations/:code')
  @Allow(...BOOKING_CONFIGURERS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Map a RIS room to the delivery endpoint serving it (null unmaps); a room mapped before needs a reason',
  })
  @ApiOkResponse({ type: BookingCommandResponseDto })
  mapLocation(
    @Param('code') code: string,
    @Body() { endpointId, reason }: MapLocationDto,
    @Command() context: CommandContext,
  ) {
    return this.send(
      code,
      locationMappingCommand,
      { type: 'MapLocation', locationCode: code, endpointId, reason, at: now(), refs: refsLoadedByHandler },
      { ...context, reason },
    );
  }

  @Put('procedures/:code/endpoints/:endpointId')
  @Allow(...BOOKING_CONFIGURERS)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Define what a procedure needs at an endpoint: tracer, units per study, delay; changing a definition needs a reason',
  })
  @ApiOkResponse({ type: BookingCommandResponseDto })
  defineProcedure(
    @Param('code') code: string,
    @Param('endpointId') endpointId: string,
    @Body() body: DefineProcedureDto,
    @Command() context: CommandContext,
  ) {
    return this.send(
      procedureId(code, endpointId),
      procedureCommand,
      { type: 'DefineProcedure', procedureCode: code, endpointId, ...body, at: now(), refs: refsLoadedByHandler },
      { ...context, reason: body.reason },
    );
  }

  /**
   * A caller bound to customers (an API token limited to them) imports and cancels only their
   * endpoints' bookings: an existing booking by its room's endpoint or its order's, as the event
   * store holds them (a booking another customer imported a moment ago is not taken for a new
   * one), and on import the room it names. Another customer's booking answers 404. The site's
   * worklist feed (an API client without customers) writes every room's bookings.
   */
  private async assertMayWrite(request: FastifyRequest, accession: string, locationCode?: string): Promise<void> {
    if (this.scope.of(request) === 'all' || this.scope.siteWide(request)) return;
    const booking = await this.pipeline.loadState(bookingStreamName(accession), bookingDecider);
    if (booking.status !== 'absent') {
      const endpoints = [await this.endpointOfRoom(booking.locationCode), booking.order?.endpointId ?? null];
      if (!(await this.scope.seesAnyEndpoint(request, endpoints))) {
        throw notFound('BOOKING_NOT_FOUND', accession);
      }
    }
    if (
      locationCode !== undefined &&
      !(await this.scope.seesAnyEndpoint(request, [await this.endpointOfRoom(locationCode)]))
    ) {
      throw new HttpProblem(
        HttpStatus.FORBIDDEN,
        'LOCATION_OUT_OF_SCOPE',
        `Room ${locationCode} is not mapped to an endpoint of your customers`,
        { locationCode },
      );
    }
  }

  private async endpointOfRoom(locationCode: string): Promise<string | null> {
    return (await this.pipeline.loadState(locationMappingStreamName(locationCode), locationMappingDecider)).endpointId;
  }

  /** Shop members see the bookings of their customers' endpoints: by the room's mapping or the order's endpoint. */
  private visible(request: FastifyRequest, booking: BookingView): Promise<boolean> {
    return this.scope.seesAnyEndpoint(request, [booking.endpointId, booking.order?.endpointId ?? null]);
  }
}
