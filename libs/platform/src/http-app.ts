import { ValidationPipe, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import type { Actor } from '@tracershop/event-store';
import type { TracershopConfig } from '@tracershop/config';
import { AUTHENTICATOR, type Authenticator } from './access';
import { ErrorBodyFilter, HttpProblem, validationProblem } from './http-errors';
import { PinoNestLogger } from './logger';
import { openApiDocument, type OpenApiOptions } from './openapi-document';
import { installRequestContext } from './request-context';

export interface HttpAppOptions {
  config: TracershopConfig;
  logger: Logger;
  /** OpenAPI at /docs (the api app). */
  docs?: OpenApiOptions;
}

/**
 * A Nest app on Fastify with what every HTTP app shares: request context and correlation ids,
 * strict DTO validation, the one error body, and (for the api) OpenAPI at /docs.
 */
export async function createHttpApp(
  rootModule: Type | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const { config, logger } = options;
  const adapter = new FastifyAdapter({ bodyLimit: config.maxEventBytes, trustProxy: false });
  const systemActor: Actor = {
    kind: 'system',
    id: config.systemActor.id,
    printedName: config.systemActor.printedName,
    role: 'system',
  };
  installRequestContext(adapter.getInstance(), () => systemActor);
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationProblem,
    }),
  );
  app.useGlobalFilters(new ErrorBodyFilter(logger));
  app.enableShutdownHooks();
  if (options.docs) {
    requireLoginForDocs(adapter, app.get<Authenticator>(AUTHENTICATOR));
    const document = openApiDocument(app, options.docs);
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  }
  return app;
}

/**
 * The OpenAPI document and its UI are Fastify routes of their own, outside the access guard: a
 * hook asks for the same credentials (a session cookie in a browser, or a token), as every route
 * of the api does. Any authenticated caller may read them.
 */
function requireLoginForDocs(adapter: FastifyAdapter, authenticator: Authenticator): void {
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    // The route matched, not the raw URL: `/%64ocs/…` reaches the same route, and Swagger also
    // serves `/docs-json` and `/docs-yaml` beside `/docs/…`.
    if (!(request.routeOptions.url ?? '').startsWith('/docs')) return;
    let problem: HttpProblem | null = null;
    try {
      if ((await authenticator.authenticate(request)) === null) {
        problem = new HttpProblem(
          401,
          'UNAUTHENTICATED',
          'Log in, or send a session or API token',
          {},
          {
            'www-authenticate': 'Bearer',
          },
        );
      }
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      problem = error;
    }
    if (problem) {
      await reply
        .code(problem.status)
        .headers(problem.headers)
        .send({ error: { code: problem.code, message: problem.message, details: problem.details } });
    }
  });
}

export async function listen(
  app: INestApplication,
  port: number,
  host = process.env.HOST ?? '0.0.0.0',
): Promise<string> {
  await app.listen(port, host);
  return app.getUrl();
}
