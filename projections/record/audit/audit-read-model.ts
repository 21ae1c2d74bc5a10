import type { Pool } from 'mysql2/promise';
import type { IncidentKind, ReviewConclusion, ReviewException } from '@tracershop/domain/audit';
import type { SignatureBlock } from '@tracershop/event-store';
import { assertValidDatabaseName, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import type { Page, PageOptions } from '../catalog/catalog-read-model';
import {
  afterKey,
  decodeCursor,
  encodeCursor,
  InvalidReadQueryError,
  orderBy,
  requirePageSize,
  type Condition,
  type SortKey,
} from '../catalog/keyset-paging';
import { orderingTables } from '../ordering/ordering-tables';
import { auditTables, type AuditTable } from './audit-tables';

export interface AuditTrailReviewView {
  reviewId: string;
  recordStreamId: string;
  fromRevision: string;
  throughRevision: string;
  throughHash: string;
  reviewer: { userId: string; printedName: string };
  conclusion: ReviewConclusion;
  findings: string | null;
  exceptions: ReviewException[];
  signature: SignatureBlock | null;
  reviewedAt: string;
  /** The review's own event: its stream, revision and global position. */
  streamId: string;
  revision: string;
  position: string;
}

export interface SignatureFailureView {
  eventId: string;
  recordStreamId: string;
  userId: string;
  meaning: string;
  reason: string;
  failedAt: string;
  position: string;
}

export interface ReviewListOptions extends PageOptions {
  reviewerId?: string;
  conclusion?: ReviewConclusion;
  /** Reviewed at or after (ISO instant). */
  from?: string;
  /** Reviewed before (ISO instant). */
  to?: string;
}

export interface IncidentView {
  incidentId: string;
  kind: IncidentKind;
  summary: string;
  details: Record<string, unknown>;
  status: 'open' | 'closed';
  raisedAt: string;
  raisedBy: string;
  closed: {
    at: string;
    by: { userId: string; printedName: string };
    rootCause: string;
    correctiveAction: string;
  } | null;
  revision: string;
  position: string;
}

/** A cause in the record the worker is to raise an incident for. */
export interface IncidentSignal {
  incidentId: string;
  kind: IncidentKind;
  summary: string;
  details: Record<string, unknown>;
  detectedAt: string;
  position: string;
}

export interface IncidentListOptions extends PageOptions {
  status?: 'open' | 'closed';
  kind?: IncidentKind;
}

/** One signature of the register, with what it signed. */
export interface SignatureRegisterEntry {
  signature: SignatureBlock;
  /** What was signed: a release, the correction that took one back, or a review of a record. */
  signed: 'release' | 'release-correction' | 'audit-trail-review';
  /** The stream of the signed event. */
  streamId: string;
  /** Releases and their corrections: the release, on its delivery day. */
  releaseId: string | null;
  releaseKind: 'activity' | 'injection' | null;
  deliveryDate: string | null;
  tracerId: string | null;
  customerId: string | null;
  /** Reviews: the review and the record it reviewed. */
  reviewId: string | null;
  recordStreamId: string | null;
}

export interface SignatureRegisterOptions {
  limit: number;
  after?: string | null;
  signerId?: string;
  meaning?: string;
  /** Inclusive bounds on `signedAt` (ISO instants). */
  from?: string;
  to?: string;
}

const SIGNATURE_LIST = 'signatures';
/** By signing time; a release's two signatures, and two signed in the same ms, by what was signed. */
const SIGNATURE_KEYS: readonly SortKey<SignatureRegisterEntry>[] = [
  { column: 'signed_at', type: 'string', valueOf: (entry) => entry.signature.signedAt },
  { column: 'signed_id', type: 'string', valueOf: (entry) => entry.releaseId ?? entry.reviewId ?? '' },
  { column: 'signed', type: 'string', valueOf: (entry) => entry.signed },
];

type Row = Record<string, unknown>;

const INSTANT_FORMAT = `'%Y-%m-%dT%H:%i:%s.%fZ'`;
/** `…%f` prints microseconds; instants are kept to the millisecond. */
const instant = (value: unknown) => `${String(value).slice(0, 23)}Z`;
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

const REVIEW_SELECT = `review_id AS reviewId, record_stream_id AS recordStreamId,
  CAST(from_revision AS CHAR) AS fromRevision, CAST(through_revision AS CHAR) AS throughRevision,
  through_hash AS throughHash, reviewer_id AS reviewerId, reviewer_name AS reviewerName, conclusion, findings,
  CAST(exceptions AS CHAR) AS exceptions, CAST(signature AS CHAR) AS signature,
  DATE_FORMAT(reviewed_at, ${INSTANT_FORMAT}) AS reviewedAt, stream_id AS streamId,
  CAST(revision AS CHAR) AS revision, position`;

function reviewOf(row: Row): AuditTrailReviewView {
  const signature = text(row.signature);
  return {
    reviewId: String(row.reviewId),
    recordStreamId: String(row.recordStreamId),
    fromRevision: String(row.fromRevision),
    throughRevision: String(row.throughRevision),
    throughHash: String(row.throughHash),
    reviewer: { userId: String(row.reviewerId), printedName: String(row.reviewerName) },
    conclusion: row.conclusion as ReviewConclusion,
    findings: text(row.findings),
    exceptions: JSON.parse(String(row.exceptions)) as ReviewException[],
    signature: signature === null ? null : (JSON.parse(signature) as SignatureBlock),
    reviewedAt: instant(row.reviewedAt),
    streamId: String(row.streamId),
    revision: String(row.revision),
    position: String(row.position),
  };
}

const INCIDENT_SELECT = `incident_id AS incidentId, kind, summary, CAST(details AS CHAR) AS details, status,
  DATE_FORMAT(raised_at, ${INSTANT_FORMAT}) AS raisedAt, raised_by AS raisedBy,
  DATE_FORMAT(closed_at, ${INSTANT_FORMAT}) AS closedAt, closed_by_id AS closedById, closed_by AS closedBy,
  root_cause AS rootCause, corrective_action AS correctiveAction, CAST(revision AS CHAR) AS revision, position`;

function incidentOf(row: Row): IncidentView {
  const closedAt = text(row.closedAt);
  return {
    incidentId: String(row.incidentId),
    kind: row.kind as IncidentKind,
    summary: String(row.summary),
    details: JSON.parse(String(row.details)) as Record<string, unknown>,
    status: row.status as IncidentView['status'],
    raisedAt: instant(row.raisedAt),
    raisedBy: String(row.raisedBy),
    closed:
      closedAt === null
        ? null
        : {
            at: instant(closedAt),
            by: { userId: String(row.closedById), printedName: String(row.closedBy) },
            rootCause: String(row.rootCause),
            correctiveAction: String(row.correctiveAction),
          },
    revision: String(row.revision),
    position: String(row.position),
  };
}

const incidentSortKeys: readonly SortKey<IncidentView>[] = [
  { column: 'raised_at', type: 'string', valueOf: (incident) => incident.raisedAt.replace('T', ' ').slice(0, 23) },
  { column: 'incident_id', type: 'string', valueOf: (incident) => incident.incidentId },
];

const reviewSortKeys: readonly SortKey<AuditTrailReviewView>[] = [
  { column: 'reviewed_at', type: 'string', valueOf: (review) => review.reviewedAt.replace('T', ' ').slice(0, 23) },
  { column: 'review_id', type: 'string', valueOf: (review) => review.reviewId },
];

function utcDatetime(value: string, field: string): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidReadQueryError(`${field} must be an instant`, { field, value });
  return at.toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * Queries over the tables `record.audit` writes. Answers are as fresh as the projection; to read a
 * command's own write, wait for its position first.
 */
export class AuditReadModel {
  private readonly tables: Readonly<Record<AuditTable, string>>;
  /** `record.ordering`'s releases, whose signatures the register lists beside the reviews'. */
  private readonly releases: string;

  constructor(
    private readonly pool: Pool,
    database: string,
  ) {
    assertValidDatabaseName(database);
    this.releases = `${quoteIdentifier(database)}.${quoteIdentifier(orderingTables.releases)}`;
    this.tables = Object.fromEntries(
      Object.values(auditTables).map((table) => [table, `${quoteIdentifier(database)}.${quoteIdentifier(table)}`]),
    ) as Record<AuditTable, string>;
  }

  /** The reviews of one record, oldest first: one unbroken sequence of revision ranges. */
  async reviewsOf(recordStreamId: string): Promise<AuditTrailReviewView[]> {
    const rows = await this.rows(
      `SELECT ${REVIEW_SELECT} FROM ${this.tables[auditTables.reviews]}
       WHERE record_stream_id = ? ORDER BY through_revision`,
      [recordStreamId],
    );
    return rows.map(reviewOf);
  }

  /** Every review, newest last, by reviewer, conclusion and period. */
  async listReviews(options: ReviewListOptions): Promise<Page<AuditTrailReviewView>> {
    const limit = requirePageSize(options.limit);
    const conditions: Condition[] = [];
    if (options.reviewerId !== undefined) conditions.push({ sql: 'reviewer_id = ?', params: [options.reviewerId] });
    if (options.conclusion !== undefined) conditions.push({ sql: 'conclusion = ?', params: [options.conclusion] });
    if (options.from !== undefined) {
      conditions.push({ sql: 'reviewed_at >= ?', params: [utcDatetime(options.from, 'from')] });
    }
    if (options.to !== undefined) conditions.push({ sql: 'reviewed_at < ?', params: [utcDatetime(options.to, 'to')] });
    if (options.cursor !== undefined && options.cursor !== null) {
      conditions.push(afterKey(reviewSortKeys, decodeCursor('reviews', reviewSortKeys, options.cursor)));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}` : '';
    // One row more than asked says whether another page follows.
    const rows = await this.rows(
      `SELECT ${REVIEW_SELECT} FROM ${this.tables[auditTables.reviews]} ${where}
       ORDER BY ${orderBy(reviewSortKeys)} LIMIT ?`,
      [...conditions.flatMap((condition) => condition.params), limit + 1],
    );
    const items = rows.slice(0, limit).map(reviewOf);
    const more = rows.length > limit;
    return { items, nextCursor: more ? encodeCursor('reviews', reviewSortKeys, items[items.length - 1]) : null };
  }

  /**
   * The signature register (GMP, auditor capability 5): every signature, of releases and their
   * corrections (`record.ordering`) and of reviews (`record.audit`), by signing time, filtered by
   * signer, meaning and period. The signature blocks are kept as signed, printed name included.
   */
  async signatureRegister(options: SignatureRegisterOptions): Promise<Page<SignatureRegisterEntry>> {
    const limit = requirePageSize(options.limit);
    const isoInstant = (value: string | undefined, field: string) => {
      if (value !== undefined && Number.isNaN(Date.parse(value))) {
        throw new InvalidReadQueryError(`${field} must be an ISO instant`, { field, value });
      }
      return value === undefined ? undefined : new Date(value).toISOString();
    };
    const from = isoInstant(options.from, 'from');
    const to = isoInstant(options.to, 'to');
    const filters: Condition[] = [];
    if (options.signerId !== undefined) filters.push({ sql: 'signer_id = ?', params: [options.signerId] });
    if (options.meaning !== undefined) filters.push({ sql: 'meaning = ?', params: [options.meaning] });
    if (from !== undefined) filters.push({ sql: 'signed_at >= ?', params: [from] });
    if (to !== undefined) filters.push({ sql: 'signed_at <= ?', params: [to] });
    if (options.after) {
      filters.push(afterKey(SIGNATURE_KEYS, decodeCursor(SIGNATURE_LIST, SIGNATURE_KEYS, options.after)));
    }
    const blockColumns = (column: string) => `${column} AS signature,
      JSON_UNQUOTE(JSON_EXTRACT(${column}, '$.signedAt')) AS signed_at,
      JSON_UNQUOTE(JSON_EXTRACT(${column}, '$.signerId')) AS signer_id,
      JSON_UNQUOTE(JSON_EXTRACT(${column}, '$.meaning')) AS meaning`;
    const release = (what: string, column: string) =>
      `SELECT '${what}' AS signed, release_id AS signed_id, stream_id AS streamId, release_id AS releaseId,
              kind AS releaseKind, DATE_FORMAT(delivery_date, '%Y-%m-%d') AS deliveryDate, tracer_id AS tracerId,
              customer_id AS customerId, NULL AS reviewId, NULL AS recordStreamId, ${blockColumns(column)}
         FROM ${this.releases} WHERE ${column} IS NOT NULL`;
    const review = `SELECT 'audit-trail-review' AS signed, review_id AS signed_id, stream_id AS streamId,
              NULL AS releaseId, NULL AS releaseKind, NULL AS deliveryDate, NULL AS tracerId, NULL AS customerId,
              review_id AS reviewId, record_stream_id AS recordStreamId, ${blockColumns('signature')}
         FROM ${this.tables[auditTables.reviews]} WHERE signature IS NOT NULL`;
    const where = filters.length > 0 ? `WHERE ${filters.map((filter) => filter.sql).join(' AND ')}` : '';
    const rows = await this.rows(
      `SELECT * FROM (${release('release', 'signature')} UNION ALL ${release('release-correction', 'correction_signature')}
         UNION ALL ${review}) s
        ${where} ORDER BY ${orderBy(SIGNATURE_KEYS)} LIMIT ?`,
      [...filters.flatMap((filter) => filter.params), limit + 1],
    );
    const items = rows.slice(0, limit).map((row): SignatureRegisterEntry => ({
      signature: (typeof row.signature === 'string' ? JSON.parse(row.signature) : row.signature) as SignatureBlock,
      signed: row.signed as SignatureRegisterEntry['signed'],
      streamId: String(row.streamId),
      releaseId: text(row.releaseId),
      releaseKind: text(row.releaseKind) as SignatureRegisterEntry['releaseKind'],
      deliveryDate: text(row.deliveryDate),
      tracerId: text(row.tracerId),
      customerId: text(row.customerId),
      reviewId: text(row.reviewId),
      recordStreamId: text(row.recordStreamId),
    }));
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor(SIGNATURE_LIST, SIGNATURE_KEYS, last) : null,
    };
  }

  /** Causes no incident has been raised for yet, oldest first. */
  async pendingIncidentSignals(limit = 100): Promise<IncidentSignal[]> {
    const rows = await this.rows(
      `SELECT s.incident_id AS incidentId, s.kind, s.summary, CAST(s.details AS CHAR) AS details,
         DATE_FORMAT(s.detected_at, ${INSTANT_FORMAT}) AS detectedAt, s.position
       FROM ${this.tables[auditTables.incidentSignals]} s
       LEFT JOIN ${this.tables[auditTables.incidents]} i ON i.incident_id = s.incident_id
       WHERE i.incident_id IS NULL ORDER BY s.detected_at, s.incident_id LIMIT ?`,
      [limit],
    );
    return rows.map((row) => ({
      incidentId: String(row.incidentId),
      kind: row.kind as IncidentKind,
      summary: String(row.summary),
      details: JSON.parse(String(row.details)) as Record<string, unknown>,
      detectedAt: instant(row.detectedAt),
      position: String(row.position),
    }));
  }

  /** Incidents by when they were raised, oldest first. */
  async listIncidents(options: IncidentListOptions): Promise<Page<IncidentView>> {
    const limit = requirePageSize(options.limit);
    const conditions: Condition[] = [];
    if (options.status !== undefined) conditions.push({ sql: 'status = ?', params: [options.status] });
    if (options.kind !== undefined) conditions.push({ sql: 'kind = ?', params: [options.kind] });
    if (options.cursor !== undefined && options.cursor !== null) {
      conditions.push(afterKey(incidentSortKeys, decodeCursor('incidents', incidentSortKeys, options.cursor)));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}` : '';
    const rows = await this.rows(
      `SELECT ${INCIDENT_SELECT} FROM ${this.tables[auditTables.incidents]} ${where}
       ORDER BY ${orderBy(incidentSortKeys)} LIMIT ?`,
      [...conditions.flatMap((condition) => condition.params), limit + 1],
    );
    const items = rows.slice(0, limit).map(incidentOf);
    const more = rows.length > limit;
    return { items, nextCursor: more ? encodeCursor('incidents', incidentSortKeys, items[items.length - 1]) : null };
  }

  async getIncident(incidentId: string): Promise<IncidentView | null> {
    const [row] = await this.rows(
      `SELECT ${INCIDENT_SELECT} FROM ${this.tables[auditTables.incidents]} WHERE incident_id = ?`,
      [incidentId],
    );
    return row ? incidentOf(row) : null;
  }

  async openIncidentCount(): Promise<number> {
    const [row] = await this.rows(
      `SELECT COUNT(*) AS open FROM ${this.tables[auditTables.incidents]} WHERE status = 'open'`,
      [],
    );
    return Number(row?.open ?? 0);
  }

  /** The failed attempts to sign a record, oldest first; after an instant when given (the last review). */
  async signatureFailuresOf(recordStreamId: string, after: string | null = null): Promise<SignatureFailureView[]> {
    const rows = await this.rows(
      `SELECT event_id AS eventId, record_stream_id AS recordStreamId, user_id AS userId, meaning, reason,
         DATE_FORMAT(failed_at, ${INSTANT_FORMAT}) AS failedAt, position
       FROM ${this.tables[auditTables.signatureFailures]}
       WHERE record_stream_id = ? ${after === null ? '' : 'AND failed_at > ?'}
       ORDER BY failed_at, event_id`,
      after === null ? [recordStreamId] : [recordStreamId, utcDatetime(after, 'after')],
    );
    return rows.map((row) => ({
      eventId: String(row.eventId),
      recordStreamId: String(row.recordStreamId),
      userId: String(row.userId),
      meaning: String(row.meaning),
      reason: String(row.reason),
      failedAt: instant(row.failedAt),
      position: String(row.position),
    }));
  }

  private async rows(sql: string, params: unknown[]): Promise<Row[]> {
    const [rows] = await this.pool.query(sql, params);
    return rows as Row[];
  }
}
