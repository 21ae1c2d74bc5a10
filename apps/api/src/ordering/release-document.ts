import type { ReleasedVial, VialCorrected } from '@tracershop/domain/ordering';
import type { SignatureBlock } from '@tracershop/event-store';
import type { OrderView, ReleaseView, VialView } from '@tracershop/projections/record';
import type { DocumentLine } from '../documents/text-pdf';

/** What the release document names besides the release itself, read from the catalogue and the vials. */
export interface ReleaseDocumentFacts {
  release: ReleaseView;
  tracer: { shortName: string; clinicalName: string };
  isotopeName: string;
  customerName: string;
  endpointName: string;
  /**
   * The vials as the release signed them (its `ActivityReleased` event), in its order: what the
   * signature covers, not what the vials hold now. Null when the event cannot be read.
   */
  releasedVials: readonly ReleasedVial[] | null;
  /** The release's vials the read model has now, by id: one it lacks is named as not found. */
  vials: ReadonlyMap<string, VialView>;
  /** The release's orders as the read model has them, by id. */
  orders: ReadonlyMap<string, OrderView>;
  /** Each vial's corrections since it was first recorded, oldest first (Annex 11 §8.2). */
  vialCorrections: ReadonlyMap<string, readonly VialCorrection[]>;
  /** An instant as business-time `YYYY-MM-DD HH:MM`. */
  local: (instant: string) => string;
}

/** A correction of a vial's measurements, as its `VialCorrected` event records it. */
export interface VialCorrection {
  recordedAt: string;
  correctedBy: string;
  changes: VialCorrected['data']['changes'];
  reason: string;
  /** Recorded after the release: not in what it signed (its release was corrected, or the vial released again). */
  afterRelease: boolean;
}

const FIELD_NAMES: Readonly<Record<string, string>> = {
  activityMBq: 'aktivitet (MBq)',
  volumeMl: 'volumen (ml)',
  dispenserNumber: 'kundenummer',
  depotPosition: 'depotposition',
  grossG: 'brutto (g)',
  tareG: 'tara (g)',
  netG: 'netto (g)',
  product: 'produkt',
};

const mbq = (value: number) => `${value.toLocaleString('da-DK', { maximumFractionDigits: 1 })} MBq`;

const USAGE_NAMES: Readonly<Record<string, string>> = { human: 'human', animal: 'dyr', other: 'andet' };
/** What an injection release certifies its orders for, by their usage, in the sentence's order. */
const USAGE_PURPOSES: ReadonlyArray<readonly [string, string]> = [
  ['human', 'humant brug'],
  ['animal', 'dyr (præklinisk brug)'],
  ['other', 'anden brug'],
];
const clock = (time: string) => time.slice(0, 5);

/**
 * One released order as the recipient checks it against what was ordered: the old system's order
 * number, what was ordered for when, and for an activity order moved to an earlier slot, which
 * slot delivers it and the activity that slot delivers for it (decay and overhead included). An
 * order no longer released under this release (it was corrected, and may have changed since) is
 * named without values: what it holds now is not what was released.
 */
function orderLine(releaseId: string, orderId: string, order: OrderView | undefined): string {
  if (!order) return `Ordre ${orderId}: ikke fundet`;
  if (order.releaseId !== releaseId) {
    return `Ordre ${order.legacyOid}: ikke længere frigivet med denne frigivelse; se ordrens historik`;
  }
  const comment = order.comment ? `; bemærkning: ${order.comment}` : '';
  if (order.kind === 'injection') {
    const usage = order.usage ? `, ${USAGE_NAMES[order.usage] ?? order.usage}` : '';
    const injections = order.injections ?? 0;
    const counted = `${injections} ${injections === 1 ? 'injektion' : 'injektioner'}`;
    return `Ordre ${order.legacyOid}: ${counted}${usage}, kl. ${clock(order.deliveryTime)}${comment}`;
  }
  const ordered = `${mbq(order.activityMBq ?? 0)} bestilt til kl. ${clock(order.deliveryTime)}`;
  const moved = order.moved && order.activeDeliveryTime ? `, flyttet til kl. ${clock(order.activeDeliveryTime)}` : '';
  const served =
    order.activityServedMBq === null
      ? ''
      : `; leveres ${mbq(order.activityServedMBq)} (overhead ${order.overheadPercent ?? 0} %${order.moved ? ' og henfald' : ''})`;
  return `Ordre ${order.legacyOid}: ${ordered}${moved}${served}${comment}`;
}

/**
 * What the release is for, after "Hermed frigives <clinical name> - <isotope>": an activity
 * release's wording stays the old document's ("til humant brug"); an injection release's follows
 * the usage of the orders it still releases (human, animal, other). It claims none it cannot read.
 */
function purpose(facts: ReleaseDocumentFacts): string {
  const { release } = facts;
  if (release.kind === 'activity') return ' til humant brug';
  const usages = new Set<string>(
    release.orderIds.flatMap((orderId) => {
      const order = facts.orders.get(orderId);
      return order?.releaseId === release.releaseId && order.usage ? [order.usage] : [];
    }),
  );
  const purposes = USAGE_PURPOSES.filter(([usage]) => usages.has(usage)).map(([, words]) => words);
  return purposes.length === 0 ? '' : ` til ${purposes.join(' og ')}`;
}

/**
 * The release's vials with the values it signed (Annex 11 §8.2: a printout of a signed record shows
 * what was signed, and flags what changed): each vial's lot, fill, activity and volume from the
 * release event; every correction of the vial with who, when and why, those recorded after the
 * release marked as such. A vial the read model or the release event lacks is named as not found,
 * never left out.
 */
function vialLines(facts: ReleaseDocumentFacts): DocumentLine[] {
  const { release, local } = facts;
  const signed = new Map((facts.releasedVials ?? []).map((vial) => [vial.vialId, vial]));
  return release.vialIds.flatMap((vialId): DocumentLine[] => {
    const vial = signed.get(vialId);
    if (!vial) return [{ text: `Hætteglas ${vialId}: frigivne værdier ikke fundet` }];
    const corrections = facts.vialCorrections.get(vialId) ?? [];
    const before = corrections.some((correction) => !correction.afterRelease);
    const after = corrections.some((correction) => correction.afterRelease);
    const flags = [
      ...(before ? ['rettet'] : []),
      ...(after ? ['rettet efter frigivelsen'] : []),
      ...(facts.vials.has(vialId) ? [] : [`hætteglas ${vialId} ikke fundet`]),
    ];
    const seeBelow = corrections.length > 0 ? ', se nedenfor' : '';
    const lines: DocumentLine[] = [
      {
        text:
          `Lot ${vial.lot}, fyldt ${vial.fillDate} ${vial.fillTime}: ${mbq(vial.activityMBq)}, ${vial.volumeMl} ml` +
          (flags.length > 0 ? ` (${flags.join('; ')}${seeBelow})` : ''),
      },
    ];
    // A value that differs from its first recording is flagged, with every correction's reason.
    for (const correction of corrections) {
      const changed = Object.entries(correction.changes)
        .map(([field, change]) => `${FIELD_NAMES[field] ?? field} fra ${change?.from} til ${change?.to}`)
        .join(', ');
      lines.push({
        text:
          `${correction.afterRelease ? 'Efter denne frigivelse: rettet' : 'Rettet'} ${local(correction.recordedAt)} ` +
          `af ${correction.correctedBy}: ${changed}. Begrundelse: ${correction.reason}`,
        style: 'small',
      });
    }
    return lines;
  });
}

/**
 * The release document the hospital receives with the vials (rules, "Release document"): the
 * old system's sentence "Hermed frigives <clinical name> - <isotope> til humant brug" (for an
 * injection release, the orders' usage), the
 * delivery, the lots, who released it under which signature, and, once corrected, that it no
 * longer holds. Danish, as the old document and its readers.
 */
export function releaseDocumentLines(facts: ReleaseDocumentFacts): DocumentLine[] {
  const { release, tracer, local } = facts;
  const lines: DocumentLine[] = [
    { text: `Frigivelse af ${tracer.shortName}`, style: 'title' },
    { text: `Hermed frigives ${tracer.clinicalName} - ${facts.isotopeName}${purpose(facts)}.` },
    { text: 'Levering', style: 'heading' },
    { text: `Kunde: ${facts.customerName}, ${facts.endpointName}` },
    { text: `Leveringsdato: ${release.deliveryDate}` },
    { text: `Ordrer (${release.orderIds.length})`, style: 'heading' },
    ...release.orderIds.map((orderId) => ({ text: orderLine(release.releaseId, orderId, facts.orders.get(orderId)) })),
  ];
  if (release.kind === 'activity') {
    lines.push({ text: 'Hætteglas', style: 'heading' }, ...vialLines(facts));
    if (release.deliveredActivityMBq !== null) {
      lines.push({ text: `Aktivitet ved fyldning i alt: ${mbq(release.deliveredActivityMBq)}` });
    }
  } else {
    lines.push({ text: 'Batch', style: 'heading' }, { text: `Lot ${release.lot ?? ''}` });
    if (release.maxInjectionVolumeMl !== null) {
      lines.push({ text: `Største injektionsvolumen: ${release.maxInjectionVolumeMl.toLocaleString('da-DK')} ml` });
    }
  }
  lines.push(
    { text: 'Frigivet af', style: 'heading' },
    { text: `${release.releasedBy.printedName} (${release.releasedBy.username}), ${local(release.releasedAt)}` },
  );
  if (release.signature) lines.push(...signatureLines(release.signature));
  if (release.status === 'corrected' && release.correction) {
    const { correction } = release;
    lines.push(
      { text: 'KORRIGERET: denne frigivelse gælder ikke længere', style: 'heading' },
      {
        text: `${local(correction.correctedAt)}, ${correction.correctedBy.printedName}: ${correction.reason}`,
      },
    );
    // The correction is signed like the release: its signature shows in this copy too (§11.50).
    if (correction.signature) lines.push(...signatureLines(correction.signature));
  }
  lines.push({ text: `Frigivelse ${release.releaseId}`, style: 'small' });
  return lines;

  function signatureLines(signature: SignatureBlock): DocumentLine[] {
    return [
      {
        text: `Elektronisk signatur af ${signature.printedName}, betydning "${signature.meaning}", ${local(signature.signedAt)}`,
      },
      { text: `Signeret post: ${signature.recordHash}`, style: 'small' },
    ];
  }
}
