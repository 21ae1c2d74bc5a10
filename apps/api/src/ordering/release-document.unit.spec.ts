import type { SignatureBlock } from '@tracershop/event-store';
import type { ReleaseView } from '@tracershop/projections/record';
import { releaseDocumentLines, type ReleaseDocumentFacts } from './release-document';

const injectionRelease: ReleaseView = {
  releaseId: 'release-inj-1',
  kind: 'injection',
  endpointId: 'ep-herlev-pet',
  customerId: 'cust-herlev',
  deliveryDate: '2026-03-02',
  slotId: null,
  tracerId: 'tracer-fet',
  ghostId: null,
  orderIds: ['inj-1', 'inj-2'],
  lot: 'FET-260302-1',
  lots: ['FET-260302-1'],
  deliveredActivityMBq: null,
  maxInjectionVolumeMl: 8.5,
  vialIds: [],
  releasedBy: { userId: 'u-peter', username: 'peter', printedName: 'Peter Hansen', legacyUserId: 17 },
  signature: {
    signerId: 'u-peter',
    printedName: 'Peter Hansen',
    meaning: 'release',
    signedAt: '2026-03-02T06:30:00.000Z',
    recordHash: 'c0ffee',
  },
  releasedAt: '2026-03-02T06:30:00.000Z',
  status: 'released',
  correction: null,
  streamId: 'ordering.deliveryDay-ep-herlev-pet:2026-03-02',
  revision: '4',
  createdPosition: '10',
  updatedPosition: '12',
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-02T06:30:00.000Z',
};

const facts = (release: ReleaseView): ReleaseDocumentFacts => ({
  release,
  tracer: { shortName: 'FET', clinicalName: 'Fluoroethyltyrosine (18F)' },
  isotopeName: 'F-18',
  customerName: 'Herlev Hospital',
  endpointName: 'PET',
  vials: [],
  vialCorrections: new Map(),
  local: (instant) => `local ${instant.slice(11, 16)}`,
});
const texts = (release: ReleaseView) => releaseDocumentLines(facts(release)).map((line) => line.text);

describe('the release document', () => {
  it('given an injection release, then it names the lot and the maximum volume typed in, the signer and the signing time', () => {
    expect(texts(injectionRelease)).toEqual([
      'Frigivelse af FET',
      'Hermed frigives Fluoroethyltyrosine (18F) - F-18 til humant brug.',
      'Levering',
      'Kunde: Herlev Hospital, PET',
      'Leveringsdato: 2026-03-02',
      'Ordrer: 2',
      'Batch',
      'Lot FET-260302-1',
      'Største injektionsvolumen: 8,5 ml',
      'Frigivet af',
      'Peter Hansen (peter), local 06:30',
      'Elektronisk signatur af Peter Hansen, betydning "release", local 06:30',
      'Signeret post: c0ffee',
      'Frigivelse release-inj-1',
    ]);
  });

  /** The injection release, corrected by Anne with this signature. */
  const correctedWith = (signature: SignatureBlock | null): ReleaseView => ({
    ...injectionRelease,
    status: 'corrected',
    correction: {
      reason: 'Wrong lot typed',
      correctedAt: '2026-03-02T07:05:00.000Z',
      correctedBy: { userId: 'u-anne', printedName: 'Anne Berg' },
      signature,
    },
  });

  it('given the release corrected, then the document says it no longer holds, when, by whom and why', () => {
    const lines = texts(correctedWith(null));
    expect(lines).toContain('KORRIGERET: denne frigivelse gælder ikke længere');
    expect(lines).toContain('local 07:05, Anne Berg: Wrong lot typed');
  });

  it('given the correction signed, then its signature shows after it, as the release’s does', () => {
    const signature = {
      ...(injectionRelease.signature as SignatureBlock),
      printedName: 'Anne Berg',
      meaning: 'correct' as const,
      recordHash: 'beef',
    };
    const lines = texts(correctedWith(signature));
    expect(lines.slice(lines.indexOf('local 07:05, Anne Berg: Wrong lot typed') + 1)).toEqual([
      'Elektronisk signatur af Anne Berg, betydning "correct", local 06:30',
      'Signeret post: beef',
      'Frigivelse release-inj-1',
    ]);
  });
});
