import type { INestApplication } from '@nestjs/common';
import { ApiProperty, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { registeredRoutes } from './registered-routes';

/** The one error body every refusal has (`ErrorBodyFilter`). */
export class ErrorDto {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable and machine-readable' })
  code!: string;

  @ApiProperty({ example: 'Invalid request: deliveryDate', description: 'For people' })
  message!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the refusal concerns (fields, ids, limits); {} when nothing more',
  })
  details!: Record<string, unknown>;
}

export class ErrorResponseDto {
  @ApiProperty({ type: ErrorDto })
  error!: ErrorDto;
}

export interface OpenApiOptions {
  title: string;
  description: string;
  /** The session cookie a browser login sets (`apps/api` identity: `SESSION_COOKIE`). */
  sessionCookie?: string;
}

/** The security schemes' names in the document. */
const BEARER = 'bearer';
const SESSION = 'session';

/**
 * The OpenAPI document: every route that is not public takes a bearer token (a session or API
 * token) or the session cookie, and every route documents its 4xx answers as the one error body.
 * Done here for all routes at once, from each route's declared access rule.
 */
export function openApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const sessionCookie = options.sessionCookie ?? 'tracershop_session';
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('1')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'opaque',
          description: 'A session token (POST /auth/login) or an API token',
        },
        BEARER,
      )
      .addCookieAuth(
        sessionCookie,
        { type: 'apiKey', in: 'cookie', name: sessionCookie, description: 'The session cookie of a browser login' },
        SESSION,
      )
      .build(),
    { extraModels: [ErrorResponseDto] },
  );
  const open = publicOperations(app);
  const errorBody = {
    description: 'Refused: { error: { code, message, details } }',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations) as Array<[string, Record<string, unknown>]>) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      if (!open.has(`${method} ${path}`)) operation.security = [{ [BEARER]: [] }, { [SESSION]: [] }];
      const responses = operation.responses as Record<string, unknown>;
      responses['4XX'] ??= errorBody;
    }
  }
  return document;
}

/** `get /auth/login`-style keys of the routes declared public, with OpenAPI's `{param}` paths. */
function publicOperations(app: INestApplication): Set<string> {
  return new Set(
    registeredRoutes(app)
      .filter((route) => route.rule?.kind === 'public')
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
  );
}
