import type { SignatureBlock } from '@tracershop/event-store';
import type { ReleasedVial } from '@tracershop/domain/ordering';
import type { OrderView, ReleaseView, VialView } from '@tracershop/projections/record';
import { releaseDocumentLines, type ReleaseDocumentFacts } from './release-document';

/** Where the delivery day's records stand: the release and its orders share it. */
const dayHistory = {
  streamId: 'ordering.deliveryDay-ep-herlev-pet:2026-03-02',
  revision: '4',
  createdPosition: '10',
  updatedPosition: '12',
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-02T06:30:00.000Z',
};

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
  ...dayHistory,
};

/** An injection order of the release above; the activity orders below change what differs. */
const injectionOrder: OrderView = {
  orderId: 'inj-1',
  kind: 'injection',
  endpointId: 'ep-herlev-pet',
  customerId: 'cust-herlev',
  tracerId: 'tracer-fet',
  deliveryDate: '2026-03-02',
  deliveryTime: '11:15:00',
  slotId: null,
  productionRunId: null,
  runNumber: null,
  slotLegacyId: null,
  activeSlotId: null,
  activeProductionRunId: null,
  activeDeliveryTime: null,
  activeRunNumber: null,
  activeSlotLegacyId: null,
  moved: false,
  decayFactor: null,
  halfLifeSeconds: null,
  activityMBq: null,
  overheadPercent: null,
  activityServedMBq: null,
  injections: 4,
  usage: 'human',
  status: 'released',
  statusCode: 3,
  comment: null,
  orderedBy: { userId: 'u-anne', username: 'anne', printedName: 'Anne Berg' },
  deadlineOverrideReason: null,
  releaseId: 'release-inj-1',
  lot: 'FET-260302-1',
  lots: ['FET-260302-1'],
  releasedBy: { userId: 'u-peter', printedName: 'Peter Hansen' },
  releasedAt: '2026-03-02T06:30:00.000Z',
  bookingIds: [],
  legacyOid: 2002,
  customerLegacyId: 7,
  tracerLegacyId: 8,
  ...dayHistory,
};

const activityOrder = (changes: Partial<OrderView>): OrderView => ({
  ...injectionOrder,
  kind: 'activity',
  tracerId: 'tracer-fdg',
  deliveryTime: '08:00:00',
  slotId: 'slot-0800',
  activeSlotId: 'slot-0800',
  activeDeliveryTime: '08:00:00',
  decayFactor: 1,
  halfLifeSeconds: 6586.2,
  activityMBq: 1000,
  overheadPercent: 10,
  activityServedMBq: 1100,
  injections: null,
  usage: null,
  ...changes,
});

const facts = (release: ReleaseView): ReleaseDocumentFacts => ({
  release,
  tracer: { shortName: 'FET', clinicalName: 'Fluoroethyltyrosine (18F)' },
  isotopeName: 'F-18',
  customerName: 'Herlev Hospital',
  endpointName: 'PET',
  releasedVials: null,
  vials: new Map(),
  orders: new Map(),
  vialCorrections: new Map(),
  local: (instant) => `local ${instant.slice(11, 16)}`,
});
const texts = (release: ReleaseView) => releaseDocumentLines(facts(release)).map((line) => line.text);

describe('the release document', () => {
  it('given an injection release, then it names the lot and the maximum volume typed in, the signer and the signing time', () => {
    expect(texts(injectionRelease)).toEqual([
      'Frigivelse af FET',
      // (no order read, so no usage to certify: the document claims none)
      'Hermed frigives Fluoroethyltyrosine (18F) - F-18.',
      'Levering',
      'Kunde: Herlev Hospital, PET',
      'Leveringsdato: 2026-03-02',
      'Ordrer (2)',
      // (the read model answered neither order here)
      'Ordre inj-1: ikke fundet',
      'Ordre inj-2: ikke fundet',
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

  it('given the released orders, then each is listed as ordered, and a moved one with the slot and activity that deliver it', () => {
    const orders = [
      injectionOrder,
      { ...injectionOrder, orderId: 'inj-2', legacyOid: 2004, injections: 1, usage: 'animal' as const, comment: 'Mus' },
      activityOrder({ orderId: 'o-1', legacyOid: 1002 }),
      activityOrder({
        orderId: 'o-2',
        legacyOid: 1006,
        deliveryTime: '10:30:00',
        moved: true,
        activeSlotId: 'slot-0800',
        activeDeliveryTime: '08:00:00',
        activityMBq: 500,
        activityServedMBq: 1414.25,
      }),
      // Corrected out of this release and released again since: what it holds now was not released here
      activityOrder({ orderId: 'o-3', legacyOid: 1008, releaseId: 'release-later', activityMBq: 9999 }),
    ];
    const release = { ...injectionRelease, orderIds: [...orders.map((order) => order.orderId), 'o-gone'] };
    const lines = releaseDocumentLines({
      ...facts(release),
      orders: new Map(orders.map((order) => [order.orderId, order])),
    }).map((line) => line.text);
    expect(lines.slice(lines.indexOf('Ordrer (6)') + 1, lines.indexOf('Batch'))).toEqual([
      'Ordre 2002: 4 injektioner, human, kl. 11:15',
      'Ordre 2004: 1 injektion, dyr, kl. 11:15; bemærkning: Mus',
      'Ordre 1002: 1.000 MBq bestilt til kl. 08:00; leveres 1.100 MBq (overhead 10 %)',
      'Ordre 1006: 500 MBq bestilt til kl. 10:30, flyttet til kl. 08:00; leveres 1.414,3 MBq (overhead 10 % og henfald)',
      'Ordre 1008: ikke længere frigivet med denne frigivelse; se ordrens historik',
      'Ordre o-gone: ikke fundet',
    ]);
  });

  describe('what the release is for', () => {
    const sentence = (release: ReleaseView, orders: OrderView[]) =>
      releaseDocumentLines({ ...facts(release), orders: new Map(orders.map((order) => [order.orderId, order])) })[1]
        ?.text;
    const usedFor = (orderId: string, usage: OrderView['usage']): OrderView => ({ ...injectionOrder, orderId, usage });

    it('given injection orders for human use, then the document releases them for human use', () => {
      expect(sentence(injectionRelease, [usedFor('inj-1', 'human'), usedFor('inj-2', 'human')])).toBe(
        'Hermed frigives Fluoroethyltyrosine (18F) - F-18 til humant brug.',
      );
    });

    it('given injection orders for animals, then the document releases them for pre-clinical use, not human use', () => {
      expect(sentence(injectionRelease, [usedFor('inj-1', 'animal'), usedFor('inj-2', 'animal')])).toBe(
        'Hermed frigives Fluoroethyltyrosine (18F) - F-18 til dyr (præklinisk brug).',
      );
    });

    it('given injection orders for other use, then the document releases them for other use, not human use', () => {
      expect(sentence(injectionRelease, [usedFor('inj-1', 'other'), usedFor('inj-2', 'other')])).toBe(
        'Hermed frigives Fluoroethyltyrosine (18F) - F-18 til anden brug.',
      );
    });

    it('given orders of several usages, then the document names each; an order no longer released adds none', () => {
      const since = { ...usedFor('inj-2', 'human'), releaseId: 'release-later' };
      expect(sentence(injectionRelease, [usedFor('inj-1', 'animal'), since])).toBe(
        'Hermed frigives Fluoroethyltyrosine (18F) - F-18 til dyr (præklinisk brug).',
      );
      expect(sentence(injectionRelease, [usedFor('inj-1', 'other'), usedFor('inj-2', 'human')])).toBe(
        'Hermed frigives Fluoroethyltyrosine (18F) - F-18 til humant brug og anden brug.',
      );
    });

    it('given an activity release, then the wording stays the old document’s', () => {
      const activityRelease: ReleaseView = { ...injectionRelease, kind: 'activity', orderIds: ['o-1'] };
      expect(sentence(activityRelease, [activityOrder({ orderId: 'o-1' })])).toBe(
        'Hermed frigives Fluoroethyltyrosine (18F) - F-18 til humant brug.',
      );
    });
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

  describe('given a corrected activity release whose vial was corrected after it', () => {
    const signedVial: ReleasedVial = {
      vialId: 'vial-1',
      lot: 'FDG-260302-1',
      fillDate: '2026-03-02',
      fillTime: '06:10:00',
      activityMBq: 480,
      volumeMl: 3,
      dispenserNumber: 7,
      legacyValId: 901,
      extraRowLegacyOid: null,
    };
    const activityRelease: ReleaseView = {
      ...injectionRelease,
      releaseId: 'release-fdg-1',
      kind: 'activity',
      slotId: 'slot-0800',
      tracerId: 'tracer-fdg',
      orderIds: [],
      lot: 'FDG-260302-1',
      lots: ['FDG-260302-1'],
      deliveredActivityMBq: 480,
      maxInjectionVolumeMl: null,
      vialIds: ['vial-1'],
      status: 'corrected',
      correction: {
        reason: 'Wrong vial',
        correctedAt: '2026-03-02T07:00:00.000Z',
        correctedBy: { userId: 'u-peter', printedName: 'Peter Hansen' },
        signature: null,
      },
    };
    /** The vial as the read model holds it now: only whether it is there matters to the document. */
    const vialNow = { vialId: 'vial-1', activityMBq: 500 } as VialView;
    const correctedAfter = {
      recordedAt: '2026-03-02T07:05:00.000Z',
      correctedBy: 'Paula Production',
      changes: { activityMBq: { from: 480, to: 500 } },
      reason: 'typo',
      afterRelease: true,
    };
    const documentOf = (changes: Partial<ReleaseDocumentFacts>) =>
      releaseDocumentLines({ ...facts(activityRelease), releasedVials: [signedVial], ...changes }).map(
        (line) => line.text,
      );

    it('when its document is printed, then the vial shows the values signed, the later correction marked as after it', () => {
      const lines = documentOf({
        vials: new Map([['vial-1', vialNow]]),
        vialCorrections: new Map([['vial-1', [correctedAfter]]]),
      });
      expect(lines).toContain(
        'Lot FDG-260302-1, fyldt 2026-03-02 06:10:00: 480 MBq, 3 ml (rettet efter frigivelsen, se nedenfor)',
      );
      expect(lines).toContain(
        'Efter denne frigivelse: rettet local 07:05 af Paula Production: aktivitet (MBq) fra 480 til 500. Begrundelse: typo',
      );
      expect(lines.join('\n')).not.toContain('500 MBq');
    });

    it('when the read model lacks the vial, then a line says so instead of leaving it out', () => {
      const lines = documentOf({ vials: new Map() });
      expect(lines).toContain(
        'Lot FDG-260302-1, fyldt 2026-03-02 06:10:00: 480 MBq, 3 ml (hætteglas vial-1 ikke fundet)',
      );
    });

    it('when the release event cannot be read, then each vial is named as not found', () => {
      const lines = documentOf({ releasedVials: null, vials: new Map([['vial-1', vialNow]]) });
      expect(lines).toContain('Hætteglas vial-1: frigivne værdier ikke fundet');
    });
  });
});
