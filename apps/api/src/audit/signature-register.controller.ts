import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, ReadsProjections } from '@tracershop/platform';
import { ORDERING_PROJECTION_NAME, type OrderingReadModel } from '@tracershop/projections/record';
import { AUDITORS } from '../access-roles';
import { answer } from '../catalog/catalog-read-model.provider';
import { ORDERING_READ_MODEL } from '../ordering/ordering-read-model.provider';
import { SignatureRegisterQueryDto } from './audit.dto';

/**
 * The signature register (GMP, auditor capability 5): every electronic signature by signer,
 * meaning and period, each with the printed name and meaning as they were at signing, the record
 * hash it signed, and the release and stream it belongs to.
 */
@ApiTags('audit')
@Controller('audit/signatures')
export class SignatureRegisterController {
  constructor(@Inject(ORDERING_READ_MODEL) private readonly readModel: OrderingReadModel) {}

  @Get()
  @Allow(...AUDITORS)
  @ReadsProjections(ORDERING_PROJECTION_NAME)
  @ApiOperation({ summary: 'Every signature, by signing time: filter by signer, meaning and period' })
  list(@Query() query: SignatureRegisterQueryDto) {
    const { minPosition: _minPosition, limit = 50, cursor, ...filters } = query;
    return answer(this.readModel.signatureRegister({ limit, after: cursor ?? null, ...filters }));
  }
}
