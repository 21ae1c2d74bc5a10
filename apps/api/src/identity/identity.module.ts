import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { AUTHENTICATOR, Public } from '@tracershop/platform';
import { LegacyIdsModule } from '../legacy-ids/legacy-ids.module';
import { ApiClientsController } from './api-clients.controller';
import { AuthController } from './auth.controller';
import { CredentialCache } from './credential-cache';
import { ElectronicSignatures } from './electronic-signatures';
import { FirstAdmin } from './first-admin';
import { IdentityAuthenticator } from './identity-authenticator';
import { identityReadModelProvider } from './identity-read-model.provider';
import { IdentityService } from './identity.service';
import { ServiceEndpointsController } from './service-endpoints.controller';
import { CustomerAccessController } from './customer-access.controller';
import { UsersController } from './users.controller';

class SetupDto {
  @IsString() @MinLength(16) @MaxLength(100) setupToken!: string;
  @Matches(/^[A-Za-z0-9._-]{3,64}$/) username!: string;
  @IsString() @MinLength(1) @MaxLength(100) printedName!: string;
  @IsString() @MaxLength(256) password!: string;
}

@ApiTags('auth')
@Controller('auth')
class SetupController {
  constructor(private readonly firstAdmin: FirstAdmin) {}

  /** Exchanges the one-time setup token printed at first start for the first administrator. */
  @Post('setup')
  @Public()
  @HttpCode(201)
  setUp(@Body() { setupToken, username, printedName, password }: SetupDto) {
    return this.firstAdmin.setUp(setupToken, username, printedName, password);
  }
}

/** Users, roles, release rights, sessions, API clients, service endpoints and electronic signatures. */
@Module({
  imports: [LegacyIdsModule],
  controllers: [
    AuthController,
    SetupController,
    UsersController,
    CustomerAccessController,
    ApiClientsController,
    ServiceEndpointsController,
  ],
  providers: [
    identityReadModelProvider,
    IdentityService,
    ElectronicSignatures,
    FirstAdmin,
    CredentialCache,
    IdentityAuthenticator,
    { provide: AUTHENTICATOR, useExisting: IdentityAuthenticator },
  ],
  exports: [AUTHENTICATOR, IdentityService, ElectronicSignatures],
})
export class IdentityModule {}
