import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ConcurrentModificationError } from '@tracershop/command-pipeline';
import { DomainError } from '@tracershop/domain/kernel';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreError,
  EventStoreUnavailableError,
  EventTooLargeError,
  StreamDeletedError,
  WrongExpectedVersionError,
} from '@tracershop/event-store';

/** The one error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** An error that already knows its HTTP answer (validation, idempotency, read-your-writes). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

/**
 * The one 404 answer: `<WHAT>_NOT_FOUND`, "No <what> <id>", `{ id }`. A missing item and another
 * customer's answer alike, so the answer never tells them apart.
 */
export function notFound(code: `${string}_NOT_FOUND`, id: string): HttpProblem {
  const what = code.slice(0, -'_NOT_FOUND'.length).toLowerCase().replace(/_/g, ' ');
  return new HttpProblem(404, code, `No ${what} ${id}`, { id });
}

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** class-validator's nested errors as a flat list of dotted field paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationProblem(errors: ValidationError[]): HttpProblem {
  const fields = flattenValidationErrors(errors);
  return new HttpProblem(
    HttpStatus.BAD_REQUEST,
    'VALIDATION_FAILED',
    `Invalid request: ${fields.map((f) => f.field).join(', ')}`,
    { fields },
  );
}

const DOMAIN_STATUS: Record<DomainError['kind'], number> = {
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  rule_violated: HttpStatus.UNPROCESSABLE_ENTITY,
  forbidden: HttpStatus.FORBIDDEN,
};

/** Maps every error to `{ error: { code, message, details } }` with the right status. */
export function describeError(error: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const answer = (status: number, code: string, message: string, details: unknown = {}, headers = {}) => ({
    status,
    body: { error: { code, message, details } },
    headers,
  });
  if (error instanceof HttpProblem)
    return answer(error.status, error.code, error.message, error.details, error.headers);
  if (error instanceof DomainError) return answer(DOMAIN_STATUS[error.kind], error.code, error.message, error.details);
  if (error instanceof ConcurrentModificationError || error instanceof WrongExpectedVersionError) {
    return answer(HttpStatus.CONFLICT, 'CONCURRENT_MODIFICATION', error.message, { streamId: error.streamId });
  }
  if (error instanceof EventTooLargeError || error instanceof AppendTooLargeError) {
    return answer(HttpStatus.PAYLOAD_TOO_LARGE, error.code, error.message, error.details);
  }
  // The event store's permanent refusals: the same request can never succeed, so never "try again".
  if (error instanceof StreamDeletedError) return answer(HttpStatus.GONE, error.code, error.message, error.details);
  // This service's own credentials refused: a deployment fault the operators fix, not the client's
  // request, so a retryable 5xx (the idempotency key is released); what was refused is logged only.
  if (error instanceof EventStoreAccessDeniedError) {
    return answer(
      HttpStatus.SERVICE_UNAVAILABLE,
      'EVENT_STORE_UNAVAILABLE',
      'The event store is unavailable; try again',
      {},
    );
  }
  if (error instanceof EventStoreUnavailableError) {
    return answer(HttpStatus.SERVICE_UNAVAILABLE, error.code, 'The event store is unavailable; try again', {});
  }
  if (error instanceof EventStoreError) return answer(HttpStatus.BAD_REQUEST, error.code, error.message, error.details);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HttpStatus[status] ?? 'HTTP_ERROR';
    return answer(status, code, error.message);
  }
  return answer(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', 'Unexpected error; it has been logged');
}

@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = describeError(error);
    if (status >= 500) this.logger.error({ err: error, code: body.error.code }, 'request failed');
    void reply.status(status).headers(headers).send(body);
  }
}
