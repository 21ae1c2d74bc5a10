import 'reflect-metadata';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { HttpProblem, validationProblem } from '@tracershop/platform';
import { EventSearchQueryDto, ReviewListQueryDto, SignatureRegisterQueryDto, StreamStateQueryDto } from './audit.dto';

/** The pipe every request goes through (http-app), over one query DTO. */
const queryOf = (metatype: ArgumentMetadata['metatype']) => (query: Record<string, unknown>) =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: validationProblem,
  })
    .transform(query, { type: 'query', metatype })
    .then(
      () => ({ status: 200, fields: [] as string[] }),
      (error: unknown) => {
        if (!(error instanceof HttpProblem)) throw error;
        const { fields } = error.details as { fields: Array<{ field: string }> };
        return { status: error.status, fields: fields.map(({ field }) => field) };
      },
    );

const TIME_FILTERS = [
  ['state', StreamStateQueryDto, ['recordedAt', 'occurredAt']],
  ['search', EventSearchQueryDto, ['recordedFrom', 'recordedTo']],
  ['signature register', SignatureRegisterQueryDto, ['from', 'to']],
  ['review list', ReviewListQueryDto, ['from', 'to']],
] as const;

describe('auditor time filters take only instants with an explicit offset, in extended ISO form', () => {
  // Forms ISO 8601 allows that JavaScript reads as NaN (nothing matches) or in the server's own zone.
  const misread = [
    '20261206T120000Z', // basic
    '2026-W49-7', // week date
    '2026-340', // ordinal date
    '2026-12-06T12:00:00,5Z', // decimal comma
    '2026-12-06T12:00:00', // no offset: the server's local zone
    '2026-12-06', // a date is not an instant
    '2026-12-06T12:00Z', // no seconds
    '2026-02-30T12:00:00Z', // no such day (JavaScript reads 2 March)
    '2026-12-06T24:00:00Z', // JavaScript reads the next day
    '2026-12-06T12:00:00+25:00',
  ];
  const meant = [
    '2026-12-06T12:00:00Z',
    '2026-12-06T12:00:00.250Z',
    '2026-12-06T13:00:00+01:00',
    '2026-12-06T07:00:00-05:00',
  ];

  describe.each(TIME_FILTERS)('%s', (_name, dto, fields) => {
    it.each(fields.flatMap((field) => misread.map((value) => [field, value] as const)))(
      'given %s=%s, then 400 naming the field',
      async (field, value) => {
        await expect(queryOf(dto)({ [field]: value })).resolves.toEqual({ status: 400, fields: [field] });
      },
    );

    it.each(fields.flatMap((field) => meant.map((value) => [field, value] as const)))(
      'given %s=%s, then it is taken',
      async (field, value) => {
        await expect(queryOf(dto)({ [field]: value })).resolves.toEqual({ status: 200, fields: [] });
      },
    );
  });
});
