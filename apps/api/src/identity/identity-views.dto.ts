import { apiScopes } from '@tracershop/domain/identity';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type Principal, type Role, type RoleGrant } from '@tracershop/auth';
import type { Page } from '@tracershop/projections/record';
import {
  identityRoles,
  type ApiClientView,
  type ApiTokenSummaryView,
  type CustomerAccessView,
  type IdentityRole,
  type IdentityVerificationView,
  type LoginFailureView,
  type PendingPasswordResetView,
  type ReleaseRightView,
  type RoleView,
  type ServiceEndpointStatus,
  type ServiceEndpointView,
  type UserCredentialsView,
  type UserSummaryView,
} from '@tracershop/projections/web';
import { pageOf } from '../record-history.dto';
import { NULLABLE_TEXT } from '../openapi-fields';

/*
 * What the identity queries answer, for the OpenAPI document. Each class implements the read
 * model's own type (less its secrets), so a field the read model gains or changes fails the build
 * until it is described here. No answer carries a password hash or a token's hash.
 */

/** A role with the customers and locations it is limited to (empty: not limited). */
export class RoleViewDto implements RoleView {
  @ApiProperty({ enum: identityRoles }) role!: IdentityRole;
  @ApiProperty({ type: [String] }) customerIds!: string[];
  @ApiProperty({ type: [String] }) locationIds!: string[];
}

export class ReleaseRightViewDto implements ReleaseRightView {
  @ApiProperty() tracerId!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: '`YYYY-MM-DD`; null: no end' }) expiresOn!: string | null;
}

export class IdentityVerificationViewDto implements IdentityVerificationView {
  @ApiProperty({
    description:
      'From the controlled list: photo-id-in-person, photo-id-video-call, employer-record, customer-organisation, deployment-setup',
  })
  method!: string;
  @ApiProperty() reference!: string;
  @ApiProperty({ description: 'Actor id of whoever registered and verified the person' }) verifiedBy!: string;
  @ApiProperty({ description: 'ISO instant of the registration' }) verifiedAt!: string;
}

export class PendingPasswordResetViewDto implements PendingPasswordResetView {
  @ApiProperty() requestId!: string;
  @ApiProperty({ description: 'Who chose the temporary password: an administrator’s id, or `cli`' })
  requestedBy!: string;
  @ApiProperty({ description: 'ISO instant' }) requestedAt!: string;
  @ApiProperty({ description: 'ISO instant; past it the request can no longer be confirmed' }) expiresAt!: string;
  @ApiProperty(NULLABLE_TEXT) reason!: string | null;
}

/** Created, changed and the latest revision of an identity record. */
class IdentityHistoryDto {
  @ApiProperty({ description: 'ISO instant' }) createdAt!: string;
  @ApiProperty({ description: 'ISO instant' }) updatedAt!: string;
  @ApiProperty({ description: 'Stream revision of the latest event (decimal)' }) revision!: string;
}

export class UserSummaryViewDto extends IdentityHistoryDto implements UserSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() printedName!: string;
  @ApiProperty({ type: [String] }) emails!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty({ description: 'Whether a password was ever set' }) hasPassword!: boolean;
  @ApiProperty() mustChangePassword!: boolean;
  @ApiProperty({
    type: PendingPasswordResetViewDto,
    nullable: true,
    description: 'A reset waiting for a second person',
  })
  pendingPasswordReset!: PendingPasswordResetViewDto | null;
  @ApiProperty(NULLABLE_TEXT) lockedUntil!: string | null;
  @ApiProperty(NULLABLE_TEXT) lastLoginFailureAt!: string | null;
  @ApiProperty(NULLABLE_TEXT) deactivatedAt!: string | null;
  @ApiProperty({ type: [RoleViewDto] }) roles!: RoleViewDto[];
}

export class UserViewDto implements Omit<UserCredentialsView, 'passwordHash'> {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() printedName!: string;
  @ApiProperty({ type: [String] }) emails!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() mustChangePassword!: boolean;
  @ApiProperty({
    ...NULLABLE_TEXT,
    description: 'Who chose the password in force: the user, or who requested the reset',
  })
  passwordSetBy!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The second person who confirmed that reset; null for one’s own' })
  passwordConfirmedBy!: string | null;
  @ApiProperty({
    type: PendingPasswordResetViewDto,
    nullable: true,
    description: 'A reset waiting for a second person',
  })
  pendingPasswordReset!: PendingPasswordResetViewDto | null;
  @ApiProperty({
    type: IdentityVerificationViewDto,
    nullable: true,
    description: 'How the identity was verified at registration; null for users registered before it was recorded',
  })
  identityVerification!: IdentityVerificationViewDto | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The latest lockout’s end' }) lockedUntil!: string | null;
  @ApiProperty({ description: 'As the latest failed login counted them' }) failedLoginsInWindow!: number;
  @ApiProperty(NULLABLE_TEXT) deactivatedAt!: string | null;
  @ApiProperty({ description: 'Stream revision of the latest event (decimal)' }) revision!: string;
  @ApiProperty({ type: [RoleViewDto] }) roles!: RoleViewDto[];
  @ApiProperty({ type: [ReleaseRightViewDto] }) releaseRights!: ReleaseRightViewDto[];
}

export class LoginFailureViewDto implements LoginFailureView {
  @ApiProperty() userId!: string;
  @ApiProperty({ description: 'Revision of the LoginFailed event in the user’s stream' }) revision!: string;
  @ApiProperty({ description: 'ISO instant' }) at!: string;
  @ApiProperty() reason!: string;
  @ApiProperty(NULLABLE_TEXT) remoteAddress!: string | null;
  @ApiProperty() failuresInWindow!: number;
}

export class ServiceEndpointViewDto extends IdentityHistoryDto implements ServiceEndpointView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() host!: string;
  @ApiProperty() port!: number;
  @ApiProperty() protocol!: string;
  @ApiProperty({ enum: ['active', 'archived'] }) status!: ServiceEndpointStatus;
  @ApiProperty(NULLABLE_TEXT) archivedAt!: string | null;
}

export class ApiTokenSummaryViewDto implements ApiTokenSummaryView {
  @ApiProperty() tokenId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'ISO instant' }) issuedAt!: string;
  @ApiProperty(NULLABLE_TEXT) revokedAt!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The token’s last authenticated request; null: never used' })
  lastUsedAt!: string | null;
}

export class ApiClientViewDto extends IdentityHistoryDto implements ApiClientView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ type: [String], description: 'Empty: a site-wide integration' }) customerIds!: string[];
  @ApiProperty({
    enum: apiScopes,
    isArray: true,
    nullable: true,
    description: 'What its tokens may do; null: registered before scopes, every scope',
  })
  scopes!: string[] | null;
  @ApiProperty(NULLABLE_TEXT) deactivatedAt!: string | null;
  @ApiProperty({ type: [ApiTokenSummaryViewDto], description: 'Every token issued, revoked ones too' })
  tokens!: ApiTokenSummaryViewDto[];
}

export class CustomerAccessViewDto implements CustomerAccessView {
  @ApiProperty() userId!: string;
  @ApiProperty() username!: string;
  @ApiProperty() printedName!: string;
  @ApiProperty({ enum: ['shop', 'shop-admin'] }) role!: 'shop' | 'shop-admin';
}

export class CustomerAccessListDto {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: [CustomerAccessViewDto] }) items!: CustomerAccessViewDto[];
}

/** A role the caller holds: a person's, or `application` for an API token's client. */
export class RoleGrantDto implements RoleGrant {
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String] }) customerIds!: string[];
  @ApiProperty({ type: [String] }) locationIds!: string[];
}

/** The caller, as the server authenticated it (`GET /auth/me`). */
export class PrincipalDto implements Omit<Principal, 'credentialId'> {
  @ApiProperty({ enum: ['user', 'application'] }) kind!: 'user' | 'application';
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() printedName!: string;
  @ApiProperty({ type: [RoleGrantDto] }) roles!: RoleGrantDto[];
  @ApiProperty({ type: [ReleaseRightViewDto] }) releaseRights!: ReleaseRightViewDto[];
  @ApiProperty() mustChangePassword!: boolean;
  @ApiPropertyOptional({
    enum: apiScopes,
    isArray: true,
    nullable: true,
    description: 'An API client’s scopes (null: registered before scopes, every one); absent for people',
  })
  scopes?: string[] | null;
}

export class UserSummaryPageDto extends pageOf(UserSummaryViewDto) implements Page<UserSummaryView> {}
export class LoginFailurePageDto extends pageOf(LoginFailureViewDto) implements Page<LoginFailureView> {}
export class ServiceEndpointPageDto extends pageOf(ServiceEndpointViewDto) implements Page<ServiceEndpointView> {}
export class ApiClientPageDto extends pageOf(ApiClientViewDto) implements Page<ApiClientView> {}
