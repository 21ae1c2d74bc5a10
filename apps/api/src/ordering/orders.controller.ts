import type { FastifyRequest } from 'fastify';
import { Body, Controller, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@tracershop/auth';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, Command } from '@tracershop/platform';
import { ORDER_HANDLERS, ORDER_PLACERS } from '../access-roles';
import { CustomerScope } from '../catalog/customer-scope';
import {
  ChangeActivityOrderDto,
  ChangeInjectionOrderDto,
  MoveOrderDto,
  OrderCommandResponseDto,
  OrderReasonDto,
  PlaceActivityOrderDto,
  PlaceInjectionOrderDto,
} from './ordering.dto';
import { OrderingService } from './ordering.service';
import type { LocatedOrder } from './order-locator';

const principalOf = (request: FastifyRequest) => request.principal as Principal;

/**
 * Finds the order and hides other customers' orders from shop members: 404 as if absent, reached
 * by the same wait for the read model as an unknown id, so the answer's time does not tell either.
 */
async function orderInScope(
  ordering: OrderingService,
  scope: CustomerScope,
  request: FastifyRequest,
  orderId: string,
): Promise<LocatedOrder> {
  const order = await ordering.locate(orderId);
  await scope.assertCustomer(request, order.customerId, 'order', orderId).catch(async (error: unknown) => {
    await ordering.waitAsForAnUnknownId();
    throw error;
  });
  return order;
}

/** Status changes that apply to activity and injection orders alike. */
@ApiTags('ordering: orders')
@Controller('ordering/orders')
export class OrderStatusController {
  constructor(
    private readonly ordering: OrderingService,
    private readonly scope: CustomerScope,
  ) {}

  @Post(':id/accept')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto, description: 'Accepting twice changes nothing' })
  async accept(@Param('id') id: string, @Req() request: FastifyRequest, @Command() context: CommandContext) {
    return this.ordering.accept(await orderInScope(this.ordering, this.scope, request, id), context);
  }

  @Post(':id/reject')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto })
  async reject(
    @Param('id') id: string,
    @Body() { reason }: OrderReasonDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.ordering.withReason(
      'RejectOrder',
      await orderInScope(this.ordering, this.scope, request, id),
      reason,
      context,
    );
  }

  @Post(':id/cancel')
  @Allow(...ORDER_PLACERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto, description: 'Shop members only while ordered; never a delete' })
  async cancel(
    @Param('id') id: string,
    @Body() { reason }: OrderReasonDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    const order = await orderInScope(this.ordering, this.scope, request, id);
    return this.ordering.cancel(order, reason, principalOf(request), context);
  }

  @Post(':id/reinstate')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto, description: 'Un-cancel: back to accepted' })
  async reinstate(
    @Param('id') id: string,
    @Body() { reason }: OrderReasonDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.ordering.withReason(
      'ReinstateOrder',
      await orderInScope(this.ordering, this.scope, request, id),
      reason,
      context,
    );
  }
}

@ApiTags('ordering: activity orders')
@Controller('ordering/activity-orders')
export class ActivityOrdersController {
  constructor(
    private readonly ordering: OrderingService,
    private readonly scope: CustomerScope,
  ) {}

  @Post()
  @Allow(...ORDER_PLACERS)
  @ApiCreatedResponse({ type: OrderCommandResponseDto })
  async place(@Body() body: PlaceActivityOrderDto, @Req() request: FastifyRequest, @Command() context: CommandContext) {
    const { endpointId } = await this.ordering.slotOwner(body.slotId);
    await this.scope.assertEndpoint(request, endpointId, 'delivery time slot', body.slotId);
    return this.ordering.placeActivityOrder(endpointId, body, principalOf(request), context);
  }

  @Patch(':id')
  @Allow(...ORDER_PLACERS)
  @ApiOkResponse({
    type: OrderCommandResponseDto,
    description: 'Only while ordered; the event keeps old and new values',
  })
  async change(
    @Param('id') id: string,
    @Body() body: ChangeActivityOrderDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    const order = await orderInScope(this.ordering, this.scope, request, id);
    return this.ordering.changeActivityOrder(order, body, principalOf(request), context);
  }

  @Post(':id/move')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto, description: 'Serve the order from an earlier slot of the same day' })
  async move(
    @Param('id') id: string,
    @Body() body: MoveOrderDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.ordering.move(await orderInScope(this.ordering, this.scope, request, id), body, context);
  }

  @Post(':id/restore')
  @Allow(...ORDER_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({ type: OrderCommandResponseDto, description: 'Back to the ordered slot' })
  async restore(
    @Param('id') id: string,
    @Body() { reason }: OrderReasonDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.ordering.withReason(
      'RestoreOrder',
      await orderInScope(this.ordering, this.scope, request, id),
      reason,
      context,
    );
  }
}

@ApiTags('ordering: injection orders')
@Controller('ordering/injection-orders')
export class InjectionOrdersController {
  constructor(
    private readonly ordering: OrderingService,
    private readonly scope: CustomerScope,
  ) {}

  @Post()
  @Allow(...ORDER_PLACERS)
  @ApiCreatedResponse({ type: OrderCommandResponseDto })
  async place(
    @Body() body: PlaceInjectionOrderDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    await this.scope.assertEndpoint(request, body.endpointId);
    return this.ordering.placeInjectionOrder(body, principalOf(request), context);
  }

  @Patch(':id')
  @Allow(...ORDER_PLACERS)
  @ApiOkResponse({ type: OrderCommandResponseDto })
  async change(
    @Param('id') id: string,
    @Body() body: ChangeInjectionOrderDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    const order = await orderInScope(this.ordering, this.scope, request, id);
    return this.ordering.changeInjectionOrder(order, body, principalOf(request), context);
  }
}
