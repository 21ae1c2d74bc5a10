import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  apiScopes,
  IDENTITY_VERIFICATION_REFERENCE_MAX,
  personIdentityVerificationMethods,
  roles,
  serviceProtocols,
  type ApiScope,
  type Role,
  type ServiceProtocol,
} from '@tracershop/domain/identity';
import { IsCalendarDate } from '../dto-fields';

export class LoginDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(64) username!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) password!: string;
}

export class ChangeOwnPasswordDto {
  @ApiProperty() @IsString() @MaxLength(256) currentPassword!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @MaxLength(256) newPassword!: string;
}

export class RequestPasswordResetDto {
  @ApiProperty({
    minLength: 12,
    description:
      'A temporary password: in force once a second administrator confirms it; the user must change it at the next login',
  })
  @IsString()
  @MaxLength(256)
  password!: string;
  @ApiProperty({ example: 'Forgot the password (ticket 4711)' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class ConfirmPasswordResetDto {
  @ApiProperty({ description: 'The request confirmed, as the user view shows it (`pendingPasswordReset.requestId`)' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  requestId!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(500) reason?: string;
}

export class WithdrawPasswordResetDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(128) requestId!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

/** How the registering administrator verified the person's identity (Part 11 §11.100); they are recorded as the verifier. */
export class IdentityVerificationDto {
  @ApiProperty({ enum: personIdentityVerificationMethods })
  @IsIn([...personIdentityVerificationMethods])
  method!: (typeof personIdentityVerificationMethods)[number];
  @ApiProperty({
    example: 'Passport, last digits 4711',
    description: 'What was checked: the document kind and a partial number, the HR record, the customer’s letter',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(IDENTITY_VERIFICATION_REFERENCE_MAX)
  reference!: string;
}

export class RegisterUserDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() id?: string;
  @ApiProperty({ example: 'anna.jensen' }) @Matches(/^[A-Za-z0-9._-]{3,64}$/) username!: string;
  @ApiProperty({ example: 'Anna Jensen' }) @IsString() @MinLength(1) @MaxLength(100) printedName!: string;
  @ApiProperty({ type: IdentityVerificationDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IdentityVerificationDto)
  identityVerification!: IdentityVerificationDto;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsEmail({}, { each: true })
  emails?: string[];
}

export class ChangeUserDetailsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) printedName?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsEmail({}, { each: true })
  emails?: string[];
}

export class GrantRoleDto {
  @ApiProperty({ enum: roles }) @IsIn([...roles]) role!: Role;
  @ApiPropertyOptional({ type: [String], description: 'shop: the customers the user works for' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  customerIds?: string[];
  @ApiPropertyOptional({ type: [String], description: 'location-owner: the locations the user runs' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  locationIds?: string[];
}

export class CustomerAccessDto {
  @ApiProperty({ example: 'anna.jensen', description: 'the person given access' })
  @Matches(/^[A-Za-z0-9._-]{3,64}$/)
  username!: string;
}

export class RevokeCustomerAccessDto extends CustomerAccessDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class ReasonDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class GrantReleaseRightDto {
  @ApiProperty() @IsString() @MaxLength(64) tracerId!: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: '2027-12-31' })
  @IsOptional()
  @IsCalendarDate()
  expiresOn?: string | null;
}

export class RegisterApiClientDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() id?: string;
  @ApiProperty({ example: 'Worklist feed' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiPropertyOptional({
    type: [String],
    description: 'Limits the token to these customers; none: a site-wide integration',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  customerIds?: string[];
  @ApiProperty({
    enum: apiScopes,
    isArray: true,
    description:
      'What its tokens may do, and nothing else: `vials` record vials (the dispenser), `bookings` import bookings ' +
      '(the worklist), `orders:read` read orders and follow their customers’ topics, `catalog:read` read the catalogue',
  })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn([...apiScopes], { each: true })
  scopes!: ApiScope[];
}

export class ApiClientScopesDto {
  @ApiProperty({ enum: apiScopes, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn([...apiScopes], { each: true })
  scopes!: ApiScope[];
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class IssueApiTokenDto {
  @ApiProperty({ example: 'production key 2026' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
}

export class ServiceEndpointDto {
  @ApiProperty({ example: 'Hospital worklist feed' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ example: 'ris.example.org' }) @IsString() @MinLength(1) @MaxLength(253) host!: string;
  @ApiProperty({ example: 2575 }) @Type(() => Number) @IsInt() @Min(1) @Max(65535) port!: number;
  @ApiProperty({ enum: serviceProtocols }) @IsIn([...serviceProtocols]) protocol!: ServiceProtocol;
}

export class RegisterServiceEndpointDto extends ServiceEndpointDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() id?: string;
}

export class ChangeServiceEndpointDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(253) host?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535) port?: number;
  @ApiPropertyOptional({ enum: serviceProtocols })
  @IsOptional()
  @IsIn([...serviceProtocols])
  protocol?: ServiceProtocol;
}

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() minPosition?: string;
}
