import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { signatureBlockFor, type Principal } from '@tracershop/auth';
import type { CommandContext } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import { hasReleaseRight, type SignatureFailureReason, type SignatureMeaning } from '@tracershop/domain/identity';
import type { SignatureBlock } from '@tracershop/event-store';
import { HttpProblem, REDIS, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { IdentityService } from './identity.service';

export interface SigningRequest {
  /** The logged-in person; a signature is never given by an application. */
  principal: Principal;
  /** Required unless inside a continuous signing session (Part 11 §11.200(a)). */
  username?: string;
  password: string;
  meaning: SignatureMeaning;
  /** What is signed: the stream the signed event goes to and its canonical content. */
  streamId: string;
  content: unknown;
  /** The version of that content's shape, kept in the block so a verifier rebuilds the same. */
  contentVersion: number;
  /** Release needs a valid release right for this tracer. */
  tracerId?: string;
  /** The day of signing (YYYY-MM-DD, in the business time zone) the right must be valid on; default today (UTC). */
  onDate?: string;
}

/**
 * The signing step: re-authenticates the signer now, checks the right the meaning needs, and
 * returns the signature block for the signed event's metadata. A failed attempt is an event.
 */
@Injectable()
export class ElectronicSignatures {
  constructor(
    @Inject(IdentityService) private readonly identity: IdentityService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {}

  async sign(request: SigningRequest, context: CommandContext): Promise<SignatureBlock> {
    const { principal, meaning } = request;
    if (principal.kind !== 'user') {
      throw new HttpProblem(HttpStatus.FORBIDDEN, 'SIGNATURE_NEEDS_A_PERSON', 'Only a person can sign');
    }
    const at = new Date();
    const record = (reason: SignatureFailureReason) =>
      this.identity.recordFailure(
        {
          type: 'RecordSignatureFailure',
          userId: principal.id,
          meaning,
          reason,
          recordStreamId: request.streamId,
          policy: this.identity.lockoutPolicy(),
          at: at.toISOString(),
        },
        context,
      );
    const refuse = (status: number, code: string, message: string) =>
      new HttpProblem(status, code, message, { meaning });
    const fail = async (
      reason: SignatureFailureReason,
      status: number,
      code: string,
      message: string,
    ): Promise<never> => {
      await record(reason);
      throw refuse(status, code, message);
    };
    const inactive = () => refuse(HttpStatus.FORBIDDEN, 'SIGNATURE_REFUSED', 'The account is not active');
    const before = await this.identity.loadUser(principal.id);
    if (before.status !== 'active') {
      await record('deactivated');
      throw inactive();
    }
    const signingKey = `tracershop:${this.config.databases.web}:signing:${principal.credentialId}`;
    const continuous = (await this.redis.exists(signingKey)) === 1;
    if (!continuous || request.username !== undefined) {
      if (request.username === undefined) {
        return fail(
          'user_mismatch',
          HttpStatus.UNAUTHORIZED,
          'SIGNATURE_USERNAME_REQUIRED',
          'The first signature of a session needs your username too',
        );
      }
      // Same person as the session: nobody signs in someone else's name (Part 11 §11.200(a)(2)).
      if (request.username.trim().toLowerCase() !== before.username) {
        return fail(
          'user_mismatch',
          HttpStatus.UNAUTHORIZED,
          'SIGNATURE_NOT_SESSION_USER',
          'Sign with the account you are logged in with',
        );
      }
    }
    // Locked by wrong passwords (of logins or signatures), or about to be by the checks running
    // now: no password is even tried. A deactivation meanwhile was recorded by the check.
    const check = await this.identity.checkPassword(principal.id, request.password, at.toISOString(), record);
    if (check.outcome === 'locked') {
      throw new HttpProblem(HttpStatus.LOCKED, 'ACCOUNT_LOCKED', 'Too many wrong passwords; try again later', {
        meaning,
        until: check.until,
      });
    }
    if (check.outcome === 'wrong') {
      throw refuse(HttpStatus.UNAUTHORIZED, 'SIGNATURE_INVALID', 'Wrong username or password');
    }
    if (check.outcome !== 'right' || check.state.status !== 'active') throw inactive();
    const state = check.state;
    if (meaning === 'release') {
      const onDate = request.onDate ?? new Date().toISOString().slice(0, 10);
      if (!request.tracerId || !hasReleaseRight(state, request.tracerId, onDate)) {
        return fail(
          'missing_right',
          HttpStatus.FORBIDDEN,
          'NO_RELEASE_RIGHT',
          'You hold no valid release right for this tracer',
        );
      }
    }
    await this.redis.set(signingKey, '1', 'EX', this.config.auth.signingIdleSeconds);
    return signatureBlockFor(
      { id: state.userId, printedName: state.printedName },
      meaning,
      request.streamId,
      request.content,
      at,
      request.contentVersion,
    );
  }
}
