import type { FastifyRequest } from 'fastify';
import { Body, Controller, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@tracershop/auth';
import type { CommandContext } from '@tracershop/command-pipeline';
import { normaliseLotNumber, parseValFile, vialIdOf, type ValFileVial } from '@tracershop/domain/ordering';
import { Allow, ApplicationScope, Command, HttpProblem } from '@tracershop/platform';
import { RELEASE_SIGNERS, VIAL_WRITERS, ORDER_HANDLERS } from '../access-roles';
import { CustomerScope } from '../catalog/customer-scope';
import { LegacyIdAllocator } from '../legacy-ids/legacy-id-allocator';
import { vialCommand } from './ordering-commands';
import {
  CorrectReleaseDto,
  CorrectVialDto,
  VialReasonDto,
  DispenseVialDto,
  OrderCommandResponseDto,
  ReleaseInjectionOrdersDto,
  ReleaseSlotDto,
  ValFileDto,
} from './ordering.dto';
import { OrderingService } from './ordering.service';
import { OrderLocator } from './order-locator';
import { BusinessClock } from './business-clock';
import { reasonRequiredOfPeople, sentByApplication } from './reason-of-people';

const principalOf = (request: FastifyRequest) => request.principal as Principal;

/** Release ("frigivning") under an electronic signature, and its correction. */
@ApiTags('ordering: releases')
@Controller('ordering/releases')
export class ReleasesController {
  constructor(
    private readonly ordering: OrderingService,
    private readonly locator: OrderLocator,
    private readonly scope: CustomerScope,
  ) {}

  @Post('activity')
  @Allow(...RELEASE_SIGNERS)
  @ApiCreatedResponse({
    type: OrderCommandResponseDto,
    description: 'Signed release of a slot on a date with its vials',
  })
  releaseSlot(@Body() body: ReleaseSlotDto, @Req() request: FastifyRequest, @Command() context: CommandContext) {
    return this.ordering.releaseSlot(body, principalOf(request), context);
  }

  @Post('injection')
  @Allow(...RELEASE_SIGNERS)
  @ApiCreatedResponse({ type: OrderCommandResponseDto, description: 'Signed release of injection orders with one lot' })
  releaseInjectionOrders(
    @Body() body: ReleaseInjectionOrdersDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.ordering.releaseInjectionOrders(body, principalOf(request), context);
  }

  @Post(':id/correct')
  @Allow(...RELEASE_SIGNERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto, description: 'Back to accepted; signed, with a reason' })
  async correct(
    @Param('id') id: string,
    @Body() body: CorrectReleaseDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    const release = await this.locator.locateRelease(id);
    await this.scope.assertCustomer(request, release.customerId, 'release', id);
    return this.ordering.correctRelease(release, body, principalOf(request), context);
  }
}

/** Vials from the dispenser (a VAL file or its fields) and production's own vial records. */
@ApiTags('ordering: vials')
@Controller('ordering/vials')
export class VialsController {
  constructor(
    private readonly ordering: OrderingService,
    private readonly legacyIds: LegacyIdAllocator,
    private readonly clock: BusinessClock,
    private readonly scope: CustomerScope,
  ) {}

  /** Vials are the radiopharmacy's GMP record: an API token limited to customers (a hospital's) records none. */
  private assertMayRecordVials(request: FastifyRequest): void {
    if ((request.principal as Principal).kind !== 'application' || this.scope.siteWide(request)) return;
    throw new HttpProblem(
      HttpStatus.FORBIDDEN,
      'TOKEN_LIMITED_TO_CUSTOMERS',
      'A token limited to customers does not record vials; the dispenser uses a token without customers',
      {},
    );
  }

  @Post()
  @Allow(...VIAL_WRITERS)
  @ApplicationScope('vials')
  @ApiCreatedResponse({ type: OrderCommandResponseDto, description: 'The same vial twice changes nothing' })
  dispense(@Body() body: DispenseVialDto, @Req() request: FastifyRequest, @Command() context: CommandContext) {
    this.assertMayRecordVials(request);
    // A vial a person types in is a GMP change by hand: it needs a reason, kept in the envelope.
    const reason = reasonRequiredOfPeople(request, body.reason, 'A vial recorded by hand needs a reason');
    return this.dispenseVial(
      {
        lot: body.lot,
        fillDate: body.fillDate,
        fillTime: body.fillTime,
        activityMBq: body.activityMBq,
        volumeMl: body.volumeMl,
        dispenserNumber: body.dispenserNumber,
        depotPosition: body.depotPosition ?? 0,
        grossG: body.grossG ?? 0,
        tareG: body.tareG ?? 0,
        netG: body.netG ?? 0,
        product: body.product ?? '18F',
      },
      reason === null ? context : { ...context, reason },
    );
  }

  @Post('val-files')
  @Allow(...VIAL_WRITERS)
  @ApplicationScope('vials')
  @ApiCreatedResponse({ type: OrderCommandResponseDto, description: 'One dispenser VAL file (one vial)' })
  importValFile(@Body() body: ValFileDto, @Req() request: FastifyRequest, @Command() context: CommandContext) {
    this.assertMayRecordVials(request);
    // The dispenser's token sends its own files; a person who uploads one says why, and the
    // record names the upload as theirs, not the dispenser as its source.
    const reason = reasonRequiredOfPeople(request, body.reason, 'A VAL file uploaded by hand needs a reason');
    const text =
      body.contentBase64 !== undefined ? Buffer.from(body.contentBase64, 'base64').toString('latin1') : body.content;
    const vial = parseValFile(text ?? '');
    const system = sentByApplication(request) ? 'dispenser' : 'upload';
    return this.dispenseVial(vial, {
      ...context,
      ...(reason === null ? {} : { reason }),
      source: { system, table: 'VAL-file', primaryKey: body.fileName ?? vial.lot },
    });
  }

  @Post(':id/correct')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto, description: 'A GMP change: reason, old and new values' })
  async correct(@Param('id') id: string, @Body() body: CorrectVialDto, @Command() context: CommandContext) {
    const { reason, ...changes } = body;
    // A vial left assigned to a corrected or unrecorded release is corrected like a free one.
    await this.ordering.vialFreedOfStaleRelease(id, context);
    return this.ordering.send(
      id,
      vialCommand,
      { type: 'CorrectVial', vialId: id, changes, reason, at: this.clock.now().at },
      { ...context, reason },
    );
  }

  @Post(':id/void')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({
    type: OrderCommandResponseDto,
    description:
      'A vial recorded in error (e.g. a mistyped lot number or fill time: dispense it again with the right ones) ' +
      'is voided, never deleted: a GMP change with a reason. A vial in a release is voided once a correction ' +
      'of the release gives it back (409 VIAL_ASSIGNED); voiding it again changes nothing',
  })
  async void(@Param('id') id: string, @Body() body: VialReasonDto, @Command() context: CommandContext) {
    const { reason } = body;
    // A vial left assigned to a corrected or unrecorded release is voided like a free one.
    await this.ordering.vialFreedOfStaleRelease(id, context);
    return this.ordering.send(
      id,
      vialCommand,
      { type: 'VoidVial', vialId: id, reason, at: this.clock.now().at },
      { ...context, reason },
    );
  }

  @Post(':id/restore')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({
    type: OrderCommandResponseDto,
    description: 'A vial voided in error is restored, with a reason; restoring one not voided changes nothing',
  })
  restore(@Param('id') id: string, @Body() body: VialReasonDto, @Command() context: CommandContext) {
    const { reason } = body;
    return this.ordering.send(
      id,
      vialCommand,
      { type: 'RestoreVial', vialId: id, reason, at: this.clock.now().at },
      { ...context, reason },
    );
  }

  private async dispenseVial(vial: ValFileVial, context: CommandContext) {
    const lot = normaliseLotNumber(vial.lot);
    return this.ordering.send(
      vialIdOf(lot, vial.fillDate, vial.fillTime),
      vialCommand,
      {
        type: 'DispenseVial',
        ...vial,
        fromOldSystemRow: false,
        lot,
        legacyValId: await this.legacyIds.allocate('VAL'),
        at: this.clock.now().at,
      },
      context,
    );
  }
}
