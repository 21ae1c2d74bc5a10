import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '@tracershop/auth';
import type { EventStore } from '@tracershop/event-store';
import type { AuditReadModel } from '@tracershop/projections/record';
import { SignatureRegisterController } from './signature-register.controller';

describe('signature register reads are on record, as every auditor read is', () => {
  it('given an auditor, when they list the signatures of a signer, then an audit read names them and the filter', async () => {
    // Given
    const logged: Array<{ entry: unknown; message: string }> = [];
    const logger = { info: (entry: unknown, message: string) => logged.push({ entry, message }) } as unknown as Logger;
    const readModel = {
      signatureRegister: async () => ({ items: [], nextCursor: null }),
    } as unknown as AuditReadModel;
    const controller = new SignatureRegisterController(readModel, {} as EventStore, logger);
    const auditor = { id: 'u-aud', username: 'aud.itor' } as Principal;
    const request = { principal: auditor } as unknown as FastifyRequest;

    // When
    await controller.list({ signerId: 'u-rita', meaning: 'release' }, request);

    // Then
    expect(logged).toEqual([
      {
        message: 'audit read',
        entry: {
          audit: { read: 'signatures', signerId: 'u-rita', meaning: 'release', readerId: 'u-aud', reader: 'aud.itor' },
        },
      },
    ]);
  });
});
