import {
  HttpStatus,
  Inject,
  Injectable,
  ServiceUnavailableException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { HealthController, HttpProblem, type ReadinessCheck } from '@tracershop/platform';
import { ProjectionEngine, type ProjectionStatus } from '@tracershop/projections/engine';

/** What /health says of one projection: enough to tell which one is unhealthy and why. */
export function projectionHealth(status: ProjectionStatus): Record<string, unknown> {
  return {
    healthy: status.healthy,
    ...(status.problems.length > 0 ? { problems: status.problems } : {}),
    state: status.checkpoint?.status ?? 'not started',
    runner: status.runner.state,
    ...(status.runner.note ? { runnerNote: status.runner.note } : {}),
    ...(status.runnerFailure
      ? {
          runnerFailure: {
            message: status.runnerFailure.message,
            since: status.runnerFailure.since.toISOString(),
            attempts: status.runnerFailure.attempts,
          },
        }
      : {}),
    position: status.checkpoint?.position.toString() ?? null,
    lagEvents: status.lag.events,
    lagMs: status.lag.ms,
    ...(status.failure ? { failure: status.failure } : {}),
    ...(status.rebuild
      ? {
          rebuild: {
            version: status.rebuild.version,
            status: status.rebuild.status,
            position: status.rebuild.position.toString(),
            swapPending: status.rebuild.swapPending,
            ...(status.rebuild.failure ? { failure: status.rebuild.failure } : {}),
          },
        }
      : {}),
  };
}

/**
 * The projector's readiness: healthy while every projection is (not stopped on an event, its runner
 * not failing attempt after attempt, no swap left unfinished; `ProjectionStatus.problems`). Per
 * projection the details say which and why. Statuses hold no credentials: positions, states and
 * error messages, which the log has too.
 */
@Injectable()
export class ProjectorReadiness implements ReadinessCheck {
  readonly name = 'projections';

  constructor(@Inject(ProjectionEngine) private readonly engine: ProjectionEngine) {}

  async check(): Promise<{ healthy: boolean; details: Record<string, unknown> }> {
    const statuses = await this.engine.status();
    return {
      healthy: statuses.every((status) => status.healthy),
      details: Object.fromEntries(statuses.map((status) => [status.name, projectionHealth(status)])),
    };
  }
}

/**
 * A failed readiness check answers 503 with the health report (`status`, `info`, `error`,
 * `details`) as the error body's details: the one error body otherwise drops what a framework
 * exception carries, and an operator needs to see which projection failed and why.
 */
@Injectable()
export class HealthReportOn503 implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getClass() !== HealthController) return next.handle();
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          throwError(() => (error instanceof ServiceUnavailableException ? notReady(error) : error)),
        ),
      );
  }
}

function notReady(error: ServiceUnavailableException): HttpProblem {
  const report = error.getResponse();
  const failed =
    typeof report === 'object' && report !== null && 'error' in report && typeof report.error === 'object'
      ? Object.keys(report.error ?? {})
      : [];
  return new HttpProblem(
    HttpStatus.SERVICE_UNAVAILABLE,
    'NOT_READY',
    failed.length > 0 ? `Not ready: ${failed.join(', ')}` : 'Not ready',
    report,
  );
}
