import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, Command, ExecuteDomainCommand, PINO_LOGGER, ReadsProjections } from '@tracershop/platform';
import { AUDIT_PROJECTION_NAME, type AuditReadModel } from '@tracershop/projections/record';
import { INCIDENT_HANDLERS, INCIDENT_READERS } from '../access-roles';
import { answer } from '../catalog/catalog-read-model.provider';
import { ReadQueryDto } from '../read-query.dto';
import { AUDIT_READ_MODEL } from './audit-read-model.provider';
import { accountRead } from './audit.controller';
import { CloseIncidentDto, IncidentListQueryDto } from './audit.dto';
import { incidentCommand } from './incident-commands';
import { IncidentPageDto, IncidentViewDto } from './audit-views.dto';

/**
 * Incidents (GMP, Annex 11 §13): what the worker found wrong in the record or the projector (a
 * failed integrity check, an account locked out, a read model stopped at an event), and their
 * closing by a person with the root cause and the corrective action (`IncidentClosed`).
 */
@ApiTags('audit: incidents')
@Controller('audit/incidents')
export class IncidentsController {
  constructor(
    @Inject(AUDIT_READ_MODEL) private readonly readModel: AuditReadModel,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly bus: CommandBus,
  ) {}

  @Get()
  @Allow(...INCIDENT_READERS)
  @ReadsProjections(AUDIT_PROJECTION_NAME)
  @ApiOperation({ summary: 'Incidents by when they were raised: open or closed, of a kind' })
  @ApiOkResponse({ type: IncidentPageDto })
  async list(@Query() query: IncidentListQueryDto, @Req() request: FastifyRequest) {
    const { minPosition: _minPosition, limit = 50, cursor, ...filters } = query;
    accountRead(this.logger, request, { read: 'incidents', ...filters });
    return answer(this.readModel.listIncidents({ limit, cursor: cursor ?? null, ...filters }));
  }

  @Get(':id')
  @Allow(...INCIDENT_READERS)
  @ReadsProjections(AUDIT_PROJECTION_NAME)
  @ApiOkResponse({ type: IncidentViewDto })
  async get(@Param('id') id: string, @Query() _query: ReadQueryDto, @Req() request: FastifyRequest) {
    accountRead(this.logger, request, { read: 'incident', incidentId: id });
    return answer(this.readModel.getIncident(id), { code: 'INCIDENT_NOT_FOUND', id });
  }

  @Post(':id/close')
  @Allow(...INCIDENT_HANDLERS)
  @HttpCode(200)
  @ApiOkResponse({ description: 'Closed, with its root cause and corrective action' })
  async close(@Param('id') id: string, @Body() body: CloseIncidentDto, @Command() context: CommandContext) {
    const result = await this.bus.execute(
      new ExecuteDomainCommand(
        incidentCommand,
        {
          type: 'CloseIncident',
          incidentId: id,
          rootCause: body.rootCause,
          correctiveAction: body.correctiveAction,
          at: new Date().toISOString(),
        },
        { ...context, reason: body.rootCause },
      ),
    );
    return { id, ...result };
  }
}
