import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { readWholeStream, type EventStore, type RecordedEvent } from '@tracershop/event-store';
import { Allow, EVENT_STORE, PINO_LOGGER, ReadsProjections } from '@tracershop/platform';
import {
  AUDIT_PROJECTION_NAME,
  ORDERING_PROJECTION_NAME,
  type AuditReadModel,
  type SignatureRegisterEntry,
} from '@tracershop/projections/record';
import { AUDITORS } from '../access-roles';
import { answer } from '../catalog/catalog-read-model.provider';
import { AUDIT_READ_MODEL } from './audit-read-model.provider';
import { accountRead } from './audit.controller';
import { signatureHolds } from '../ordering/signed-content';
import { SignatureRegisterQueryDto } from './audit.dto';
import { SignatureRegisterPageDto } from './audit-views.dto';

/** The signed event of a register entry: its release or review, signed at that time with that hash. */
const isSignedEventOf = (entry: SignatureRegisterEntry) => (event: RecordedEvent) => {
  const data = event.data as { releaseId?: unknown; reviewId?: unknown };
  const signed = entry.releaseId !== null ? data.releaseId === entry.releaseId : data.reviewId === entry.reviewId;
  return (
    signed &&
    event.metadata.signature?.signedAt === entry.signature.signedAt &&
    event.metadata.signature.recordHash === entry.signature.recordHash
  );
};

/**
 * The signature register (GMP, auditor capability 5): every electronic signature by signer,
 * meaning and period, each with the printed name and meaning as they were at signing, the record
 * hash it signed, what it signed (a release, its correction, a review of a record) and the stream,
 * and whether it verifies against the event. Every read is logged with its reader, as every
 * other auditor read is (access accounting).
 */
@ApiTags('audit')
@Controller('audit/signatures')
export class SignatureRegisterController {
  constructor(
    @Inject(AUDIT_READ_MODEL) private readonly readModel: AuditReadModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @Allow(...AUDITORS)
  @ReadsProjections(ORDERING_PROJECTION_NAME, AUDIT_PROJECTION_NAME)
  @ApiOperation({ summary: 'Every signature, by signing time: filter by signer, meaning and period' })
  @ApiOkResponse({ type: SignatureRegisterPageDto })
  async list(@Query() query: SignatureRegisterQueryDto, @Req() request: FastifyRequest) {
    const { minPosition: _minPosition, limit = 50, cursor, ...filters } = query;
    accountRead(this.logger, request, { read: 'signatures', ...filters });
    const page = await answer(this.readModel.signatureRegister({ limit, after: cursor ?? null, ...filters }));
    // Checked against the record itself: the signed event, and the hash of what it says was signed.
    const streams = new Map<string, RecordedEvent[]>();
    for (const streamId of new Set(page.items.map((entry) => entry.streamId))) {
      streams.set(streamId, await readWholeStream(this.store, streamId));
    }
    return {
      ...page,
      items: page.items.map((entry) => {
        const signed = (streams.get(entry.streamId) ?? []).find(isSignedEventOf(entry));
        return {
          ...entry,
          revision: signed?.revision.toString() ?? null,
          verified: signed !== undefined && signatureHolds(signed) === true,
        };
      }),
    };
  }
}
