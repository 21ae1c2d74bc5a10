import type { FastifyRequest } from 'fastify';
import { HttpStatus } from '@nestjs/common';
import type { Principal } from '@tracershop/auth';
import { HttpProblem } from '@tracershop/platform';

/**
 * What an application (an API token: the dispenser, the worklist's feed) sends is recorded under
 * its own source and needs no reason. What a person sends in its place is a GMP change by hand:
 * it needs a reason, and it is recorded as theirs, never under the machine's source.
 */
export const sentByApplication = (request: FastifyRequest): boolean =>
  (request.principal as Principal).kind === 'application';

/**
 * The request's reason, trimmed (null when an application gave none). A person without one is
 * refused with 422 FIELD_REQUIRED, as every missing reason is, before anything is written.
 */
export function reasonRequiredOfPeople(
  request: FastifyRequest,
  reason: string | undefined,
  message = 'A record made by hand needs a reason',
): string | null {
  const given = reason?.trim() ?? '';
  if (given !== '') return given;
  if (sentByApplication(request)) return null;
  throw new HttpProblem(HttpStatus.UNPROCESSABLE_ENTITY, 'FIELD_REQUIRED', message, { field: 'reason' });
}
