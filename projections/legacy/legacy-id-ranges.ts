import type { Pool, RowDataPacket } from 'mysql2/promise';
import { LEGACY_STATE_TABLE } from './legacy-tables';

export interface ReservedIdRange {
  firstId: number;
  lastId: number;
}

/**
 * The ids Tracershop reserved per legacy table (first to last block), as the legacy projection
 * keeps them; none before the projection first ran. Keyed by the id table (`orders`, `Users` …).
 */
export async function reservedIdRanges(pool: Pool): Promise<Map<string, ReservedIdRange>> {
  try {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT id, state FROM \`${LEGACY_STATE_TABLE}\` WHERE kind = 'idRange'`,
    );
    return new Map(
      rows.map((row) => {
        const { firstId, lastId } = JSON.parse(String(row.state)) as ReservedIdRange;
        return [String(row.id), { firstId, lastId }];
      }),
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ER_NO_SUCH_TABLE') return new Map();
    throw error;
  }
}
