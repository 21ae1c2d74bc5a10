import { specFor } from '../kernel/decider-spec';
import {
  isReservedLegacyId,
  legacyEventSchemaVersions,
  legacyEventTypes,
  legacyIdBlockDecider,
  legacyIdBlockStreamName,
  legacyIdsOf,
  legacyIdTables,
  requireGivenLegacyIdHeld,
  requireLegacyId,
  type LegacyIdBlockReserved,
  type ReserveLegacyIdBlock,
} from './legacy-id-block';

const at = '2026-03-02T07:00:00.000Z';
const spec = specFor(legacyIdBlockDecider);
const reserve = (
  size: number,
  floor: number,
  table: ReserveLegacyIdBlock['table'] = 'Tracers',
): ReserveLegacyIdBlock => ({
  type: 'ReserveLegacyIdBlock',
  table,
  size,
  floor,
  at,
});
const reserved = (firstId: number, lastId: number, table: ReserveLegacyIdBlock['table'] = 'Tracers') =>
  ({ type: 'LegacyIdBlockReserved', data: { table, firstId, lastId, step: 2 } }) satisfies LegacyIdBlockReserved;

describe('LegacyIdBlock', () => {
  it('lives in one stream per legacy table', () => {
    expect(legacyIdBlockStreamName('deliverTimes')).toBe('legacy.idBlock-deliverTimes');
    expect(legacyIdTables).toHaveLength(10);
  });

  describe('the first block', () => {
    it('given no block yet, when the floor is 0, then it starts at 2 (ids are even and positive)', () => {
      spec
        .given([])
        .when(reserve(3, 0))
        .then([reserved(2, 6)]);
    });

    it('given no block yet, when the floor is odd, then it starts at the even id above it', () => {
      spec
        .given([])
        .when(reserve(50, 1001))
        .then([reserved(1002, 1100)]);
    });

    it('given no block yet, when the floor is even, then it starts at the floor', () => {
      spec
        .given([])
        .when(reserve(1, 1000))
        .then([reserved(1000, 1000)]);
    });
  });

  describe('later blocks', () => {
    it('given a block, when the floor is below it, then the next block follows it without overlap', () => {
      spec
        .given([reserved(2, 6)])
        .when(reserve(2, 2))
        .then([reserved(8, 10)]);
    });

    it('given a block, when the floor is above it, then the next block starts at the floor', () => {
      spec
        .given([reserved(2, 6)])
        .when(reserve(2, 99))
        .then([reserved(100, 102)]);
    });

    it('given blocks of other sizes, then the next starts after the highest one', () => {
      spec
        .given([reserved(2, 100), reserved(102, 102)])
        .when(reserve(1, 0))
        .then([reserved(104, 104)]);
    });
  });

  describe('rules', () => {
    it('refuses a block size outside 1 … 10 000', () => {
      spec.given([]).when(reserve(0, 0)).thenThrows('INVALID_LEGACY_ID_BLOCK_SIZE', { field: 'size' });
      spec.given([]).when(reserve(10_001, 0)).thenThrows('INVALID_LEGACY_ID_BLOCK_SIZE');
      spec.given([]).when(reserve(2.5, 0)).thenThrows('INVALID_LEGACY_ID_BLOCK_SIZE');
    });

    it('refuses a negative or fractional floor', () => {
      spec.given([]).when(reserve(1, -1)).thenThrows('INVALID_LEGACY_ID_FLOOR', { field: 'floor' });
      spec.given([]).when(reserve(1, 1.5)).thenThrows('INVALID_LEGACY_ID_FLOOR');
    });

    it('refuses a table the old system does not have', () => {
      spec
        .given([])
        .when({ ...reserve(1, 0), table: 'Orders' as ReserveLegacyIdBlock['table'] })
        .thenThrows('INVALID_LEGACY_ID_TABLE', { field: 'table' });
    });

    it('refuses a block that would leave the INT range', () => {
      spec.given([]).when(reserve(2, 2_147_483_646)).thenThrows('LEGACY_ID_SPACE_EXHAUSTED');
      spec
        .given([])
        .when(reserve(1, 2_147_483_646))
        .then([reserved(2_147_483_646, 2_147_483_646)]);
    });

    it('refuses a command without a valid instant', () => {
      spec
        .given([])
        .when({ ...reserve(1, 0), at: 'yesterday' })
        .thenThrows('INVALID_INSTANT');
    });
  });

  it('lists the ids of a block', () => {
    expect(legacyIdsOf(reserved(10, 16).data)).toEqual([10, 12, 14, 16]);
  });

  it('versions its event', () => {
    expect(legacyEventTypes).toEqual(['LegacyIdBlockReserved']);
    expect(legacyEventSchemaVersions.LegacyIdBlockReserved).toBe(1);
  });

  describe('legacy ids of records', () => {
    it('are whole numbers in the INT range', () => {
      expect(requireLegacyId(6)).toBe(6);
      for (const bad of [0, -2, 1.5, 2_147_483_648, '6', undefined]) {
        expect(() => requireLegacyId(bad)).toThrow(expect.objectContaining({ code: 'INVALID_LEGACY_ID' }));
      }
    });

    it('given explicitly, must match the one a record holds', () => {
      expect(() => requireGivenLegacyIdHeld(undefined, 8)).not.toThrow();
      expect(() => requireGivenLegacyIdHeld(8, undefined)).not.toThrow();
      expect(() => requireGivenLegacyIdHeld(8, 8)).not.toThrow();
      expect(() => requireGivenLegacyIdHeld(8, 10)).toThrow(
        expect.objectContaining({
          kind: 'conflict',
          code: 'LEGACY_ID_MISMATCH',
          details: { field: 'legacyId', held: 8, given: 10 },
        }),
      );
    });
  });
});

describe('Tracershop’s legacy ids', () => {
  it('are the even ids within the reserved range; odd ids and ids outside it are the old system’s', () => {
    const range = { firstId: 1000, lastId: 1098 };
    expect([1000, 1002, 1098].map((id) => isReservedLegacyId(id, range))).toEqual([true, true, true]);
    expect([999, 1001, 1100, 998].map((id) => isReservedLegacyId(id, range))).toEqual([false, false, false, false]);
  });
});
