import {
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import type { TracershopConfig } from '@tracershop/config';
import { InvalidPositionError, Position } from '@tracershop/event-store';
import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import { HttpProblem } from './http-errors';
import { TRACERSHOP_CONFIG } from './tokens';

/** Where the read models stand; the projection engine provides it. */
export interface ProjectionPositions {
  /** Resolves when every named projection has committed `position`; rejects after `timeoutMs`. */
  waitFor(projections: string[], position: Position, timeoutMs: number): Promise<void>;
}

export const PROJECTION_POSITIONS = Symbol('PROJECTION_POSITIONS');
const READS_PROJECTIONS = 'tracershop:reads-projections';
/** No position's text is longer (the read query's DTO allows the same). */
const MAX_POSITION_TEXT = 64;

/** Declares which projections a query reads, so `minPosition` knows what to wait for. */
export const ReadsProjections = (...names: string[]) => SetMetadata(READS_PROJECTIONS, names);

/**
 * Read-your-writes: a query given `minPosition` (query parameter, or the `X-Min-Position`
 * header) waits, bounded, until the read models it uses have reached that position; after the
 * bound it answers 503 with a clear body instead of stale data.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(PROJECTION_POSITIONS) private readonly positions: ProjectionPositions,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const projections = this.reflector.get<string[] | undefined>(READS_PROJECTIONS, context.getHandler());
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Querystring: { minPosition?: string } }>>();
    const raw = request.query?.minPosition ?? request.headers['x-min-position'];
    if (!projections || raw === undefined) return next.handle();
    let position: Position;
    try {
      if (typeof raw !== 'string') throw new InvalidPositionError(String(raw));
      position = Position.parse(raw);
    } catch {
      // Echoed only while it could be a position: a long value is not sent back.
      const shown = typeof raw === 'string' && raw.length <= MAX_POSITION_TEXT ? { minPosition: raw } : {};
      throw new HttpProblem(
        HttpStatus.BAD_REQUEST,
        'INVALID_MIN_POSITION',
        'minPosition is a position a command returned',
        shown,
      );
    }
    const timeoutMs = this.config.queries.minPositionTimeoutMs;
    return from(
      this.positions.waitFor(projections, position, timeoutMs).catch((error: unknown) => {
        if (error instanceof ProjectionNotCaughtUpError) {
          throw new HttpProblem(
            HttpStatus.SERVICE_UNAVAILABLE,
            'READ_MODEL_NOT_CAUGHT_UP',
            `The read model has not reached position ${position.toString()} yet; retry shortly`,
            { projections, minPosition: position.toString(), waitedMs: timeoutMs },
            { 'retry-after': '1' },
          );
        }
        throw error;
      }),
    ).pipe(switchMap(() => next.handle()));
  }
}
