import { Body, Controller, Get, HttpCode, Inject, Param, ParseEnumPipe, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import { orderingDeadlineKinds, type OrderingDeadline, type OrderingDeadlineKind } from '@tracershop/domain/catalog';
import { parseOrderingDeadline } from '@tracershop/domain/ordering';
import { Allow, ApplicationScope, Command, ReadsProjections, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { OrderingDeadlinesDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CommandResponseDto, GetQueryDto, SetOrderingDeadlineDto } from './catalog.dto';

/**
 * The shop's ordering deadlines, one for activity orders and one for injection orders. Production
 * sets them with a reason, as events; until a kind is set, the deployment's configured deadline
 * (`ACTIVITY_ORDER_DEADLINE`, `INJECTION_ORDER_DEADLINE`) holds. Every ordering decision, through
 * the api, a mass order or the legacy sync, judges by the deadline in force when it is made.
 */
@ApiTags('catalog: ordering deadlines')
@Controller('catalog/ordering-deadlines')
export class OrderingDeadlinesController {
  private readonly configured: Record<OrderingDeadlineKind, OrderingDeadline>;

  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
    @Inject(TRACERSHOP_CONFIG) config: TracershopConfig,
  ) {
    this.configured = {
      activity: parseOrderingDeadline(config.ordering.activityDeadline),
      injection: parseOrderingDeadline(config.ordering.injectionDeadline),
    };
  }

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOperation({ summary: 'The deadline in force per kind of order: set by production, or configured' })
  @ApiOkResponse({ type: OrderingDeadlinesDto })
  async list(@Query() _query: GetQueryDto) {
    const set = await this.readModel.orderingDeadlines();
    return Object.fromEntries(
      orderingDeadlineKinds.map((kind) => {
        const current = set[kind];
        return [
          kind,
          current
            ? { ...current, source: 'set' }
            : {
                deadline: this.configured[kind],
                source: 'configured',
                reason: null,
                revision: null,
                updatedPosition: null,
                updatedAt: null,
              },
        ];
      }),
    );
  }

  @Put(':kind')
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  set(
    @Param('kind', new ParseEnumPipe(orderingDeadlineKinds)) kind: OrderingDeadlineKind,
    @Body() { reason, ...deadline }: SetOrderingDeadlineDto,
    @Command() context: CommandContext,
  ) {
    return this.sender.send(
      kind,
      this.sender.commands.orderingDeadlines,
      { type: 'SetOrderingDeadline', kind, deadline: deadline as OrderingDeadline, reason, at: now() },
      { ...context, reason },
    );
  }
}
