import type { Pool } from 'mysql2/promise';
import type { ReviewConclusion, ReviewException } from '@tracershop/domain/audit';
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
  signature: { signedAt: string; recordHash: string } | null;
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

type Row = Record<string, unknown>;

const INSTANT_FORMAT = `'%Y-%m-%dT%H:%i:%s.%fZ'`;
/** `…%f` prints microseconds; instants are kept to the millisecond. */
const instant = (value: unknown) => `${String(value).slice(0, 23)}Z`;
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

const REVIEW_SELECT = `review_id AS reviewId, record_stream_id AS recordStreamId,
  CAST(from_revision AS CHAR) AS fromRevision, CAST(through_revision AS CHAR) AS throughRevision,
  through_hash AS throughHash, reviewer_id AS reviewerId, reviewer_name AS reviewerName, conclusion, findings,
  CAST(exceptions AS CHAR) AS exceptions, DATE_FORMAT(signed_at, ${INSTANT_FORMAT}) AS signedAt,
  signature_hash AS signatureHash, DATE_FORMAT(reviewed_at, ${INSTANT_FORMAT}) AS reviewedAt, stream_id AS streamId,
  CAST(revision AS CHAR) AS revision, position`;

function reviewOf(row: Row): AuditTrailReviewView {
  const signedAt = text(row.signedAt);
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
    signature: signedAt === null ? null : { signedAt: instant(signedAt), recordHash: String(row.signatureHash) },
    reviewedAt: instant(row.reviewedAt),
    streamId: String(row.streamId),
    revision: String(row.revision),
    position: String(row.position),
  };
}

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

  constructor(
    private readonly pool: Pool,
    database: string,
  ) {
    assertValidDatabaseName(database);
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
